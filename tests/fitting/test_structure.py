"""The fitting package's modules import one way: no circle, one job per module."""

import grimp
import pytest

PKG = "neuromoa.fitting"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("neuromoa")


@pytest.mark.parametrize("importer, imported", [
    ("results", "plotting"), ("engine", "compare"), ("qc", "engine"), ("results", "jsonout"),
    ("generic", "compare"), ("stats", "engine")])
def test_forbidden_direct_imports(graph, importer, imported):
    assert not graph.direct_import_exists(importer=f"{PKG}.{importer}",
                                          imported=f"{PKG}.{imported}")


def test_no_import_circle_inside_fitting(graph):
    mods = sorted(m for m in graph.find_descendants(PKG))
    for a in mods:
        for b in graph.find_modules_directly_imported_by(a):
            if b.startswith(PKG + ".") and b != a:
                assert not graph.chain_exists(importer=b, imported=a), (a, b)


def test_the_package_names_resolve_lazily_and_completely():
    import subprocess
    import sys

    import neuromoa.fitting as fitting

    assert sorted(fitting.__all__) == sorted(fitting._EXPORTS)
    for name in fitting.__all__:
        assert getattr(fitting, name) is not None
    # a formula module alone starts neither numba nor the batch engine
    code = ("import sys, neuromoa.fitting.library; "
            "print('numba' in sys.modules, 'neuromoa.fitting.engine' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"], out
