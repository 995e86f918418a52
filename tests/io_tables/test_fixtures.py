"""The README's fixtures table: every curve format gives the canonical CSV's points and the
canonical CSV's estimates (identical numbers; the log10-X file to 1e-9, the only conversion
that is not exact)."""

import json

import numpy as np
import pytest

from neuromoa.fitting import fit_csv
from neuromoa.fitting.frame import fit_read_table
from neuromoa.io import read_curves

from .conftest import FIXTURES, run_fit

#: (file, reader options, CLI options, exact?) — the rows of the README's table.
CASES = [
    ("long_mapped.csv", dict(x="conc_uM", y="pct_control", curve="compound",
                             replicate="replicate"),
     ["--x", "conc_uM", "--y", "pct_control", "--curve", "compound", "--replicate",
      "replicate"], True),
    ("wide.csv", {}, [], True),
    ("long.tsv", {}, [], True),
    ("semicolon_comma_crlf.csv", {}, [], True),
    ("long.xlsx", dict(sheet="Data"), ["--sheet", "Data"], True),  # --y found: pct_control
    ("prism_xy.pzfx", {}, [], True),
    ("log_molar.csv", {}, ["--unit", "uM"], False),
]


@pytest.fixture(scope="module")
def reference():
    return fit_csv(FIXTURES / "canonical.csv")


def _key(frame):
    return sorted(zip(frame["curve"], frame["concentration"], frame["response"], strict=True))


@pytest.mark.parametrize(("name", "opts", "cli", "exact"), CASES, ids=[c[0] for c in CASES])
def test_same_points_and_estimates(name, opts, cli, exact, reference):
    frame = read_curves(FIXTURES / name, **opts)
    canon = read_curves(FIXTURES / "canonical.csv")
    assert frame["curve"].nunique() == 3 and len(frame) == 54
    res = fit_read_table(frame, unit="uM")
    assert res.unit == "uM"
    assert list(res.curve_ids) == list(reference.curve_ids)
    if exact:
        assert _key(frame) == _key(canon)
        np.testing.assert_array_equal(res.params, reference.params)
        np.testing.assert_array_equal(res.se, reference.se)
    else:
        np.testing.assert_allclose(res.params, reference.params, rtol=1e-9, atol=1e-9)
    assert list(res.status) == ["ok", "ok", "ok"]


@pytest.mark.parametrize(("name", "opts", "cli", "exact"), CASES[:3] + CASES[4:6],
                         ids=[c[0] for c in CASES[:3] + CASES[4:6]])
def test_cli_json_matches_canonical(name, opts, cli, exact):
    ref = json.loads(run_fit(FIXTURES / "canonical.csv", "--json").stdout)
    got = run_fit(FIXTURES / name, *cli, "--json")
    assert got.exit_code == 0, got.output
    d = json.loads(got.stdout)
    assert [f["ic50"] for f in d["fits"]] == [f["ic50"] for f in ref["fits"]]
    assert [f["ci95"] for f in d["fits"]] == [f["ci95"] for f in ref["fits"]]
    assert [f["effect"] for f in d["fits"]] == ["inhibitor", "inhibitor", "agonist"]


def test_table_shows_ci_and_ec50_ic50_labels():
    res = run_fit(FIXTURES / "wide.csv")
    assert res.exit_code == 0, res.output
    assert "EC50/IC50 95% CI" in res.stdout and "hill 95% CI" in res.stdout
    assert "EC50 0.1942" in res.stdout and "IC50 0.0514" in res.stdout


def test_effect_option_overrides_label():
    res = run_fit(FIXTURES / "canonical.csv", "--effect", "agonist", "--json")
    assert {f["effect"] for f in json.loads(res.stdout)["fits"]} == {"agonist"}
    bad = run_fit(FIXTURES / "canonical.csv", "--effect", "both")
    assert bad.exit_code == 2 and "--effect must be agonist or inhibitor" in bad.output


def test_cli_canonical_rule_agrees_with_the_sniffer(tmp_path):
    from neuromoa.cli.fit import _canonical
    from neuromoa.io._sniff import sniff_kind

    from .test_malformed import CASES

    files = sorted(FIXTURES.iterdir())
    for i, (_, name, content, _, _) in enumerate(CASES):
        if isinstance(content, (str, bytes)) and not content.startswith(
                ("shared:", "fixture:", "folder") if isinstance(content, str) else (b"\0",)):
            p = tmp_path / f"{i}_{name}"
            p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
            files.append(p)
    for text in ["curve,concentration_nM,response\na,1,2\n", "concentration,unit,response\n",
                 '"curve","conc_uM","response"\n', "compound,conc_uM,response\n",
                 "<x>,response\n", "\ufeffcurve,concentration_M,response,weight\n"]:
        p = tmp_path / f"t{len(files)}.csv"
        p.write_text(text, encoding="utf-8")
        files.append(p)
    kinds = {p.name: (_canonical(p), sniff_kind(p) == "canonical-csv") for p in files}
    assert all(a == b for a, b in kinds.values()), kinds
    assert kinds["canonical.csv"] == (True, True) and kinds["wide.csv"] == (False, False)


def test_a_wide_table_of_curves_named_1_to_12_is_not_a_plate(tmp_path):
    head = "conc_uM," + ",".join(str(i) for i in range(1, 13))
    rows = [f"{x}," + ",".join(str(100 / (1 + x / 0.1 / k)) for k in range(1, 13))
            for x in (0.01, 0.1, 1.0, 10.0)]
    p = tmp_path / "w.csv"
    p.write_text("\n".join([head, *rows]) + "\n")
    frame = read_curves(p)
    assert frame["curve"].nunique() == 12 and len(frame) == 48


def test_a_unit_column_states_the_unit(tmp_path):
    p = tmp_path / "u.tsv"
    p.write_text("compound\tconcentration\tunit\tresponse\na\t1\tnM\t90\na\t10\tnM\t50\n")
    assert read_curves(p).attrs["unit"] == "nM"
    p.write_text("compound\tconcentration\tunit\tresponse\na\t1\tnM\t90\na\t10\tuM\t50\n")
    with pytest.raises(Exception, match=r"mixes units \['nM', 'uM'\]"):
        read_curves(p)
