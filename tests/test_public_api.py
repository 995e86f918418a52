"""The one public door: neuromoa.__all__ is sorted, complete and importable."""

import doctest
import subprocess
import sys

import neuromoa


def test_all_is_sorted_and_unique():
    assert list(neuromoa.__all__) == sorted(set(neuromoa.__all__))


def test_every_exported_name_resolves_to_its_module():
    for name in neuromoa.__all__:
        obj = getattr(neuromoa, name)
        assert obj is not None, name
        owner = neuromoa._EXPORTS.get(name)
        if owner is not None and isinstance(obj, type | type(len) | type(lambda: 0)):
            assert obj.__module__.startswith(owner), (name, obj.__module__, owner)


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
