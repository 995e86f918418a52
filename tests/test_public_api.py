"""The one public door: neuromoa.__all__ is sorted, complete and importable."""

import neuromoa


def test_all_is_sorted_and_unique():
    assert list(neuromoa.__all__) == sorted(set(neuromoa.__all__))


def test_every_exported_name_resolves():
    for name in neuromoa.__all__:
        assert hasattr(neuromoa, name), name


def test_no_private_names_exported():
    assert not [n for n in neuromoa.__all__ if n.startswith("_") and n != "__version__"]
