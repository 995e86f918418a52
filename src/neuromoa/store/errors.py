"""The store's errors (each a :class:`~neuromoa.errors.NeuromoaError`: the CLI prints one line)."""

from neuromoa.errors import NeuromoaError

__all__ = ["StoreError", "UnknownRunError"]


class StoreError(NeuromoaError, RuntimeError):
    """The store cannot be reached, is at the wrong schema revision, or is inconsistent."""


class UnknownRunError(NeuromoaError, KeyError):
    """No run of that id in the store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
