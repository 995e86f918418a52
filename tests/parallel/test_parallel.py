"""map_chunks and fit_parquet: one chunk function, in-process and on a Dask LocalCluster, equal."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neuromoa.errors import DataFileError, InputError
from neuromoa.parallel import SchedulerError, map_chunks

pytest.importorskip("pyarrow")


def _square_plus(x: int, *, k: int = 0) -> int:
    return x * x + k


#: A step between two tested concentrations with one point on the transition (curve 269601 of
#: the fitting tests' 10^6-curve run; tests/fitting/test_batch.py STEP_CURVE, design
#: 10^-10..10^-5.5 M written here in nM). About one curve in 10^6 is like it; its fit goes
#: through the engine's rare slope-limit refit, the path that changed between the in-process
#: and the cluster half of the 10^7-curve benchmark (the code changed during that run).
STEP_CURVE = [97.85335249172994, 98.88913080579732, 95.40807125505798, 86.64536491829459,
              83.90442098113792, 64.66989217938522, 8.946467961876383, 20.26957037193201,
              9.452810989709159, 8.749363536836348]


def _curves(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    conc = np.logspace(-1, 4, 10)
    ic50 = 10 ** rng.uniform(0, 3, n)
    x = np.tile(conc, n)
    y = 100 / (1 + x / np.repeat(ic50, 10)) + rng.normal(0, 3, 10 * n)
    return pd.DataFrame({"curve": np.repeat([f"c{i:06d}" for i in range(n)], 10),
                         "concentration_nM": x, "response": y})


def _curves_with_step(n: int) -> pd.DataFrame:
    """``n`` curves, the last one the rare step curve."""
    step = pd.DataFrame({"curve": f"c{n - 1:06d}", "response": STEP_CURVE,
                         "concentration_nM": 10.0 ** np.linspace(-10.0, -5.5, 10) * 1e9})
    return pd.concat([_curves(n - 1), step], ignore_index=True)


def _pretend_other_code() -> None:
    """Run on a worker: from now on it reports another neuromoa (as after an upgrade)."""
    import neuromoa.parallel as par

    par.code_fingerprint = lambda: "0" * 64


def test_map_chunks_in_process_keeps_order_and_kwargs():
    assert map_chunks(_square_plus, [3, 1, 2], k=1) == [10, 2, 5]


def test_bad_scheduler_addresses():
    with pytest.raises(SchedulerError, match="give 'local' or an address"):
        map_chunks(_square_plus, [1], "bogus")
    with pytest.raises(SchedulerError, match="does not answer"):
        map_chunks(_square_plus, [1], "tcp://127.0.0.1:1")


@pytest.fixture(scope="module")
def curves_file(tmp_path_factory) -> Path:
    from neuromoa.fitting.scaleout import write_curves_parquet

    path = tmp_path_factory.mktemp("pq") / "curves.parquet"
    return write_curves_parquet(_curves_with_step(3000), path, curves_per_group=700)


def test_fit_parquet_matches_fit_curves_and_local_cluster(curves_file, tmp_path):
    pytest.importorskip("distributed")
    from neuromoa.fitting import fit_curves
    from neuromoa.fitting.scaleout import fit_parquet

    direct = fit_curves(_curves_with_step(3000).rename(
        columns={"concentration_nM": "concentration"}), unit="nM").to_frame()
    assert "hill_at_limit" in direct["flags"].iloc[-1]  # the rare refit path is exercised
    before = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    a = fit_parquet(curves_file, tmp_path / "a")
    b = fit_parquet(curves_file, tmp_path / "b", scheduler="local")
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") == before  # the Nanny trap is undone
    assert a.n_partitions == b.n_partitions == 5 and a.n_curves == 3000
    fa, fb = a.to_frame(), b.to_frame()
    pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    pd.testing.assert_frame_equal(fa, direct, check_exact=True)
    for pa_, pb_ in zip(a.parts, b.parts, strict=True):
        assert Path(pa_).read_bytes() == Path(pb_).read_bytes()
    assert pd.read_parquet(tmp_path / "a").shape == fa.shape  # one dataset folder


def test_fingerprint_tree_sees_a_source_edit_not_a_cache(tmp_path):
    from neuromoa.parallel import code_fingerprint, fingerprint_tree

    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "engine.py").write_text("HILL = 50.0\n")
    (tmp_path / "pkg" / "table.csv").write_text("a,b\n1,2\n")
    (tmp_path / "pkg" / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"x")
    first = fingerprint_tree(tmp_path / "pkg")
    (tmp_path / "pkg" / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"y")
    assert fingerprint_tree(tmp_path / "pkg") == first
    (tmp_path / "pkg" / "engine.py").write_text("HILL = 40.0\n")
    assert fingerprint_tree(tmp_path / "pkg") != first
    (tmp_path / "pkg" / "engine.py").write_text("HILL = 50.0\n")
    (tmp_path / "pkg" / "table.csv").write_text("a,b\n1,3\n")  # data files count too
    assert fingerprint_tree(tmp_path / "pkg") != first
    assert len(code_fingerprint()) == 64


def test_a_chunk_refuses_a_caller_running_other_code(curves_file, tmp_path):
    """The cause of the 10^7 difference: the caller and the process fitting a partition ran
    different neuromoa. A part made that way is refused, not written."""
    import pyarrow.parquet as pq

    from neuromoa.fitting.scaleout import CODE_KEY, fit_parquet, fit_partition
    from neuromoa.parallel import code_fingerprint

    task = {"path": str(curves_file), "groups": [0], "out": str(tmp_path), "index": 0,
            "model": "4pl", "unit": "nM", "conc": "concentration_nM", "kwargs": {},
            "code": "f" * 64}
    with pytest.raises(SchedulerError, match="different neuromoa code"):
        fit_partition(task)
    assert not list(tmp_path.iterdir())
    r = fit_parquet(curves_file, tmp_path / "ok")  # each part records the code that made it
    assert {pq.read_schema(p).metadata[CODE_KEY].decode() for p in r.parts} == {
        code_fingerprint()}


def _population_same_on_a_client(client) -> None:
    """simulate_population(scheduler=client) gives the in-process rows exactly."""
    from neuromoa.data.compounds import flagship_compound
    from neuromoa.exposure import Regimen
    from neuromoa.exposure.population import PopulationSpec, simulate_population

    spec = PopulationSpec(compound=flagship_compound(), n=2500,
                          regimen=Regimen.parse("75 mg", every="24h"))
    a = simulate_population(spec, 7, chunk_size=1024)
    b = simulate_population(spec, 7, chunk_size=1024, scheduler=client)
    assert len(a) == 2500 and a["patient"].is_monotonic_increasing
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(simulate_population(spec, 8, chunk_size=1024))  # the seed matters


def test_workers_running_other_code_are_refused(curves_file, tmp_path):
    pytest.importorskip("distributed")
    from neuromoa.fitting.scaleout import fit_parquet
    from neuromoa.parallel import dask_client

    with dask_client("local", n_workers=1) as client:
        assert map_chunks(_square_plus, [2], client) == [4]
        _population_same_on_a_client(client)
        client.run(_pretend_other_code)
        with pytest.raises(SchedulerError, match="1 of 1 Dask workers run different neuromoa"):
            map_chunks(_square_plus, [2], client)
        with pytest.raises(SchedulerError, match="different neuromoa"):
            fit_parquet(curves_file, tmp_path / "mixed", scheduler=client)
    assert not (tmp_path / "mixed").exists()


def test_fit_parquet_refuses_bad_inputs(curves_file, tmp_path):
    from neuromoa.fitting.scaleout import fit_parquet

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match="exists"):
        fit_parquet(curves_file, tmp_path / "taken")
    assert (tmp_path / "taken" / "mine.txt").read_text() == "keep"
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(DataFileError, match="not a readable Parquet"):
        fit_parquet(bad, tmp_path / "o1")
    split = tmp_path / "split.parquet"
    _curves(10).to_parquet(split, row_group_size=15)  # curves straddle row groups
    with pytest.raises(DataFileError, match="is split between row groups"):
        fit_parquet(split, tmp_path / "o2")
    assert not (tmp_path / "o2").exists()
    nounit = tmp_path / "nounit.parquet"
    _curves(3).rename(columns={"concentration_nM": "concentration"}).to_parquet(nounit)
    with pytest.raises(DataFileError, match="no unit"):
        fit_parquet(nounit, tmp_path / "o3")


def test_cli_parquet_fit_and_bad_scheduler(curves_file, tmp_path):
    from typer.testing import CliRunner

    from neuromoa.cli.main import _register_all, app

    _register_all(["fit"])
    res = CliRunner().invoke(app, ["fit", str(curves_file), "--out", str(tmp_path / "f")])
    assert res.exit_code == 0, res.output
    assert "3,000 curves in 5 partitions" in res.output
    res = CliRunner().invoke(app, ["fit", str(curves_file), "--out", str(tmp_path / "g"),
                                   "--scheduler", "tcp://127.0.0.1:1"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "does not answer" in lines[0]
    assert not (tmp_path / "g").exists()


def test_random_bytes_as_parquet_raise_only_datafileerror(tmp_path_factory):
    """Property: whatever bytes a .parquet file holds, fit_parquet raises DataFileError (or
    fits it), never another exception, and leaves no output folder behind on error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from neuromoa.fitting.scaleout import fit_parquet

    tmp = tmp_path_factory.mktemp("fuzz")
    counter = iter(range(10**6))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(
        lambda b: b"PAR1" + b + b"PAR1")))
    def check(data: bytes) -> None:
        k = next(counter)
        src = tmp / f"f{k}.parquet"
        src.write_bytes(data)
        with pytest.raises(DataFileError):
            fit_parquet(src, tmp / f"out{k}")
        assert not (tmp / f"out{k}").exists()

    check()
