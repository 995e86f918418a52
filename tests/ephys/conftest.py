"""Shared fixtures for the ephys tests."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def abf_dir() -> Path | None:
    """The shared real recordings: ``../shared/data/abf`` beside the repository (CI's clone);
    a git worktree one level deeper also finds them at ``../../shared``."""
    for cand in (REPO.parent / "shared" / "data" / "abf", REPO.parent.parent / "shared" / "data" / "abf"):
        if (cand / "File_axon_7.abf").is_file():
            return cand
    return None


@pytest.fixture(scope="session")
def shared_abf() -> Path:
    d = abf_dir()
    if d is None:
        pytest.skip("real ABF recordings not found: expected ../shared/data/abf/ beside the repository")
    return d
