"""Fuzz every reader and the quantity parser; print the input contract's table (issue 17).

For each reader/parser: inputs tried, clean errors (a NeuromoaError subclass, one line),
tracebacks (any other exception) and silent wrong results (accepted, but different from an
independent oracle). The contract is tracebacks 0 and silent wrong 0.

Oracles (independent of the code under test):

* quantity parser: ``tests/reliability/reliability_strategies.oracle`` (number × pint's factor of
  a listed spelling; anything else must fail);
* fit CSV: the curve ids and row count of Python's ``csv`` module on the same bytes;
* plate files: every well read must carry the counts its row has in the file (``csv`` module);
* layouts: roles are the four roles, concentrations finite and ≥ 0;
* sidecars / headers: every quantity kept is a finite number ≥ 0;
* ABF: every sweep marked "ok" has a finite value;
* user overlays: every affinity kept is finite and in (0, 100] M.

Side by side, the alternative a user would otherwise use: ``pint.Quantity(text)`` for unit
strings and ``pandas.read_csv`` for the fit CSV (its tracebacks and changed ids are counted the
same way).

Usage: ``python benchmarks/fuzz_inputs.py [SCALE]`` (SCALE 1 = ~36,000 inputs, about 8 minutes;
the fixed seed makes the table reproducible).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "reliability"))

from reliability_strategies import NASTY, oracle  # noqa: E402

from neuromoa.errors import NeuromoaError  # noqa: E402
from neuromoa.units import KINDS, to_canonical, ureg  # noqa: E402

SEED = 20261207
CLEAN = (NeuromoaError, FileNotFoundError)


class Tally:
    def __init__(self, name: str) -> None:
        self.name, self.tried, self.clean, self.tracebacks, self.wrong, self.ok = name, 0, 0, 0, 0, 0
        self.examples: list[str] = []

    def run(self, fn, *args, label: object = None) -> None:
        self.label = label if label is not None else args
        self.tried += 1
        try:
            verdict = fn(*args)
        except CLEAN as exc:
            msg = str(exc)
            if "\n" in msg.strip():
                self._bad("multi-line error", args, msg)
            self.clean += 1
            return
        except Exception as exc:  # noqa: BLE001 - counting tracebacks is the point
            self.tracebacks += 1
            self._bad(f"{type(exc).__name__}: {exc}", args)
            return
        if verdict is False:
            self.wrong += 1
            self._bad("silent wrong", args)
        else:
            self.ok += 1

    def _bad(self, what, args, extra="") -> None:
        if len(self.examples) < 5:
            self.examples.append(f"{what} {extra[:80]} {str(self.label)[:120]!s}")

    def row(self) -> str:
        return (f"| {self.name} | {self.tried:,} | {self.ok:,} | {self.clean:,} | "
                f"{self.tracebacks:,} | {self.wrong:,} |")


# ----------------------------------------------------------------------------- mutations

def mutate_text(rng: random.Random, text: str) -> bytes:
    lines = text.split("\n")
    op = rng.randrange(14)
    i = rng.randrange(max(1, len(lines)))
    if op == 0:  # a cell replaced by a nasty token
        cells = lines[i].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(NASTY + ["", "NA", "-1", "1e999", "abc"])
        lines[i] = ",".join(cells)
    elif op == 1:
        lines[i] += ","  # trailing comma
    elif op == 2:
        lines = [ln + "," if ln else ln for ln in lines]  # trailing comma on every row
    elif op == 3:
        lines[i] += ",extra"
    elif op == 4:
        cells = lines[i].split(",")
        lines[i] = ",".join(cells[:-1])  # a field missing
    elif op == 5:
        del lines[i]
    elif op == 6:
        lines.insert(i, lines[i])  # duplicated line
    elif op == 7:
        lines.insert(i, "")
    elif op == 8:
        pos = rng.randrange(len(text) + 1)
        return (text[:pos] + rng.choice(NASTY) + text[pos:]).encode("utf-8", "replace")
    elif op == 9:
        return text.encode("utf-8")[: rng.randrange(len(text) + 1)]
    elif op == 10:
        return text.encode("latin-1", "replace")
    elif op == 11:
        return "\ufeff".encode() + text.encode("utf-16-le") if rng.random() < 0.5 \
            else text.encode("utf-16")
    elif op == 12:
        data = bytearray(text.encode())
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    else:
        lines[i] = lines[i].swapcase()
    return "\n".join(lines).encode("utf-8")


# ----------------------------------------------------------------------------- parser

def quantity_texts(rng: random.Random, kind: str) -> str:
    spell = rng.choice(sorted(KINDS[kind].spellings))
    any_spell = rng.choice(sorted({s for k in KINDS.values() for s in k.spellings}))
    num = rng.choice([str(rng.randint(-1000, 10**6)), repr(rng.uniform(-1e3, 1e6)),
                      f"{rng.randint(0, 999)}e{rng.randint(-40, 40)}", ".5", "1."])
    base = f"{num}{rng.choice(['', ' ', '  '])}{rng.choice([spell, spell, any_spell])}"
    r = rng.random()
    if r < 0.3:
        return base
    if r < 0.85:
        junk = rng.choice(NASTY)
        pos = rng.randrange(len(base) + 1)
        return rng.choice([base[:pos] + junk + base[pos:], base + junk, junk + base,
                           base.swapcase(), base[:pos] + base[pos + 1:]])
    return "".join(rng.choice("0123456789 .e-+/*()^!nMmuµgshdLVAS<>%") for _ in range(
        rng.randrange(12)))


def fuzz_parser(rng, n) -> list[Tally]:
    ours, theirs = Tally("quantity parser (units.to_canonical)"), \
        Tally("  alternative: pint Quantity(text)")
    kinds = sorted(KINDS)
    for _ in range(n):
        kind = rng.choice(kinds)
        text = quantity_texts(rng, kind)
        want = oracle(text, kind)

        def check(text=text, kind=kind, want=want):
            try:
                got = to_canonical(text, kind, "field")
            except NeuromoaError:
                if want is not None:
                    return False  # a valid input refused is wrong too
                raise
            return want is not None and math.isclose(got, want, rel_tol=1e-12)

        def pint_direct(text=text, kind=kind, want=want):
            k = KINDS[kind]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                q = ureg.Quantity(text)
                got = float(q.to(k.canonical if k.canonical != "dimensionless" else "")
                            .magnitude)
            return want is not None and math.isclose(got, want, rel_tol=1e-12)

        ours.run(check, label=(kind, text))
        if _HUGE_POWER.search(text):  # pint evaluates it: minutes of big-integer arithmetic
            theirs.tried += 1
            theirs.tracebacks += 1
            theirs._bad("hang (counted, not run)", (text,))
        else:
            theirs.run(pint_direct, label=(kind, text))
    return [ours, theirs]


#: A power pint would evaluate for minutes ("1 nM*10**999999999" ran > 30 s in issue 17).
_HUGE_POWER = re.compile(r"(\*\*|\^)\s*[-+]?\d{3,}")


# ----------------------------------------------------------------------------- fit CSV

def _fit_csv_text(rng) -> str:
    ids = rng.sample(["01", "1", "NA", "None", "null", "nan", "", "a", "1.0", "N/A"], 3)
    rows = ["curve,concentration_nM,response,weight"]
    for cid in ids:
        for c in (0.1, 1, 10, 100, 1000):
            rows.append(f"{cid},{c},{100 / (1 + c / 10):.4f},1")
    if rng.random() < 0.3:
        rows[0] = "curve,concentration,response,weight,unit"
        rows[1:] = [r + "," + rng.choice(["nM", "uM", "µM"]) for r in rows[1:]]
    return "\n".join(rows) + "\n"


def _reference_ids(data: bytes) -> list[str] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if not rows or "curve" not in [h.strip() for h in rows[0]]:
        return None
    col = [h.strip() for h in rows[0]].index("curve")
    return [r[col] for r in rows[1:] if any(c.strip() for c in r) and len(r) > col]


def fuzz_fit_csv(rng, n, tmp: Path) -> list[Tally]:
    import pandas as pd

    from neuromoa.fitting.io import read_curve_table

    ours, theirs = Tally("fit CSV (fitting.io.read_curve_table)"), \
        Tally("  alternative: pandas.read_csv")
    path = tmp / "fit.csv"
    for _ in range(n):
        data = mutate_text(rng, _fit_csv_text(rng)) if rng.random() < 0.9 \
            else _fit_csv_text(rng).encode()
        path.write_bytes(data)
        ref = _reference_ids(data)

        def check(ref=ref):
            table, _ = read_curve_table(path)
            if ref is None or "curve" not in table:
                return True
            return table["curve"].tolist() == ref

        def pandas_direct(ref=ref):
            frame = pd.read_csv(path)
            if ref is None or "curve" not in frame:
                return True
            return [str(x) for x in frame["curve"].tolist()] == ref

        ours.run(check, label=data[:200])
        theirs.run(pandas_direct, label=data[:200])
    return [ours, theirs]


# ----------------------------------------------------------------------------- plates

def fuzz_plates(rng, n, tmp: Path) -> list[Tally]:
    from neuromoa.assays import simulate_uptake
    from neuromoa.assays.plates import _finite_number, read_layout, read_plates

    plates, layouts, sidecars = Tally("plate files (assays.read_plates)"), \
        Tally("layouts (assays.read_layout)"), Tally("sidecars and headers (PlateMeta)")
    src = tmp / "src.csv"
    ps = simulate_uptake("SERT", "amitriptyline", seed=1, n_plates=3)
    ps.write(src)
    text = src.read_text(encoding="utf-8")
    side_text = (tmp / "src.csv.json").read_text(encoding="utf-8")
    grid = tmp / "grid.csv"
    ps.write(grid, format="grid", layout_path=tmp / "layout.csv")
    lay_text = (tmp / "layout.csv").read_text(encoding="utf-8")
    path, lay, side_csv = tmp / "p.csv", tmp / "lay.csv", tmp / "s.csv"
    side_csv.write_text("\n".join(text.split("\n")[1:]), encoding="utf-8")

    def plate_ok(data):
        out = read_plates(path)
        rows = {}
        try:
            ref_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", "replace"),
                                                   newline="")))
        except csv.Error:
            return True
        for r in ref_rows:
            if len(r) >= 8:
                rows[(r[0], r[1].strip().upper())] = r[7]
        for plate, well, cpm in out.wells[["plate", "well", "counts_cpm"]].itertuples(
                index=False):
            t = rows.get((plate, well))
            if t is not None and t.strip() and float(t) != cpm:
                return False
        return True

    def layout_ok():
        out = read_layout(lay)
        return bool(out["role"].isin(["total", "nsb", "test", "empty"]).all()
                    and ((out["concentration_M"] >= 0) & out["concentration_M"].map(
                        math.isfinite)).all())

    def side_ok():
        out = read_plates(side_csv)
        for meta in out.meta.values():
            for key, v in meta.get("conditions", {}).items():
                if key.endswith(("_M", "_s", "_L", "_cpm")):
                    _finite_number(key, v, positive=False)
        return True

    for _ in range(n):
        data = mutate_text(rng, text)
        path.write_bytes(data)
        (tmp / "p.csv.json").unlink(missing_ok=True)
        plates.run(plate_ok, data)
    for _ in range(n // 3):
        lay.write_bytes(mutate_text(rng, lay_text))
        layouts.run(layout_ok)
    for _ in range(n // 3):
        meta = json.loads(side_text)
        cond = meta["plates"][rng.choice(list(meta["plates"]))]["conditions"]
        key = rng.choice(list(cond) + ["plates"])
        bad = rng.choice([None, "abc", -1, 0, float("nan"), [], {}, 1e308, True, "1 nM"])
        if key == "plates":
            meta["plates"] = bad
        else:
            cond[key] = bad
        blob = json.dumps(meta)
        if rng.random() < 0.3:
            blob = blob[: rng.randrange(len(blob))]
        (tmp / "s.csv.json").write_text(blob, encoding="utf-8")
        sidecars.run(side_ok)
    return [plates, layouts, sidecars]


# ----------------------------------------------------------------------------- ABF

def fuzz_abf(rng, n, tmp: Path) -> list[Tally]:
    from neuromoa.ephys.abf import analyze_abf

    t = Tally("ABF files (ephys.analyze_abf)")
    src = next((p for p in (REPO.parent / "shared" / "data" / "abf" / "File_axon_7.abf",
                            REPO.parent.parent / "shared" / "data" / "abf" / "File_axon_7.abf")
                if p.is_file()), None)
    if src is None:
        return [t]
    data0 = src.read_bytes()
    path = tmp / "c.abf"

    def check():
        mode = rng.choice(["peak", "response", "memtest"])
        kw = {} if mode == "memtest" else {"baseline": (0.0, 0.05), "window": (
            rng.choice([0.06, 0.1]), rng.choice([0.2, 0.10001, 5.0]))}
        res = analyze_abf(path, mode, **kw)
        key = "r_total_Ohm" if mode == "memtest" else "peak_A"
        return all(r[key] is not None and math.isfinite(r[key])
                   for r in res.sweeps if r["status"] == "ok")

    for _ in range(n):
        data = bytearray(data0)
        op = rng.randrange(3)
        if op == 0:
            for _ in range(rng.randrange(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1:
            data = data[: rng.randrange(len(data))]
        else:
            pos = rng.randrange(len(data))
            data[pos:pos + 8] = b"\x00\x00\xc0\x7f" * 2  # NaN floats
        path.write_bytes(bytes(data))
        t.run(check)
    return [t]


# ----------------------------------------------------------------------------- overlays

def fuzz_overlays(rng, n, tmp: Path) -> list[Tally]:
    from neuromoa.kb import load_kb

    t = Tally("user overlays (kb.load_kb)")
    base = ("compound,target,species,measure,low,high,unit,reference\n"
            "amitriptyline,SERT,Human,Ki,3,4,nM,tatsumi1997\n")

    def check(path):
        kb = load_kb(user_files=[path])
        v = kb.activities(origin="user")["value_M"]
        return bool(((v > 0) & (v <= 100)).all() and v.map(math.isfinite).all())

    for i in range(n):
        path = tmp / f"o{i}.csv"  # a new name each time: load_kb caches by file and mtime
        path.write_bytes(mutate_text(rng, base))
        t.run(check, path)
    return [t]


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = random.Random(SEED)
    tallies: list[Tally] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tmp = Path(d)
        tallies += fuzz_parser(rng, int(30_000 * scale))
        tallies += fuzz_fit_csv(rng, int(2_000 * scale), tmp)
        tallies += fuzz_plates(rng, int(1_000 * scale), tmp)
        tallies += fuzz_abf(rng, int(600 * scale), tmp)
        tallies += fuzz_overlays(rng, int(600 * scale), tmp)
    print(f"fuzz run: seed {SEED}, scale {scale:g}, {time.perf_counter() - t0:.0f} s\n")
    print("| reader / parser | inputs tried | accepted (correct) | clean errors | tracebacks "
          "| silent wrong |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in tallies:
        print(t.row())
    ours = [t for t in tallies if not t.name.startswith("  alternative")]
    bad = [t for t in ours if t.tracebacks or t.wrong]
    for t in bad:
        print(f"\n{t.name}: first failures")
        for e in t.examples:
            print("  ", e)
    print(f"\ncontract: {'kept' if not bad else 'BROKEN'} "
          f"({sum(t.tried for t in ours):,} inputs to neuromoa's readers and parser)")


if __name__ == "__main__":
    main()
