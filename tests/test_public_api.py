"""The one public door: neuromoa.__all__ is sorted, complete and importable."""

import doctest
import importlib
import subprocess
import sys
from importlib.metadata import version

import neuromoa


def test_all_is_sorted_and_unique():
    assert list(neuromoa.__all__) == sorted(set(neuromoa.__all__))


def test_every_exported_name_resolves_to_its_module():
    """Each public name is the object its declared module exports (defined there or re-exported
    from a lower layer, e.g. ``Compound`` from the compound identity in ``data``)."""
    for name in neuromoa.__all__:
        obj = getattr(neuromoa, name)
        assert obj is not None, name
        owner = neuromoa._EXPORTS.get(name)
        if owner is not None:
            module = importlib.import_module(owner)
            assert getattr(module, name) is obj, (name, owner)
            assert name in getattr(module, "__all__", [name]), (name, owner)


def test_version_is_the_installed_metadata():
    assert neuromoa.__version__ == version("neuromoa")


def test_no_private_names_exported():
    assert not [n for n in neuromoa.__all__ if n.startswith("_") and n != "__version__"]


def test_unknown_attribute_raises():
    try:
        neuromoa.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_lazy():
    """`import neuromoa` must not pull in the heavy engines (numba, libRoadRunner, matplotlib)."""
    code = ("import sys, neuromoa; heavy = [m for m in ('numba', 'roadrunner', 'matplotlib') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_docstring_example():
    failures, _ = doctest.testmod(neuromoa)
    assert failures == 0
