"""The report's computations: a registry of named steps, each one call into another module.

The report computes nothing itself. Each :class:`Step` names the library functions it needs
(``requires``), says in words and an equation what they compute (shown in Methods, where
``calc:<name>`` sources resolve), and calls them. A step whose module is not installed or not
built yet is *unavailable*; one that raises is *failed*; either way the report goes on and the
sections that need it print a note saying why.
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReportConfig", "Step", "StepOutcome", "StepUnavailable", "check_requirements",
           "run_steps"]


def _flagship() -> str:
    from neuromoa.data.compounds import flagship_compound

    return flagship_compound()


class StepUnavailable(Exception):  # noqa: N818 - a status, not an error
    """Raised by a step that does not apply to these inputs (e.g. a model of another compound).

    The step is recorded as *unavailable* with this message, not as failed.
    """


@dataclass(frozen=True)
class ReportConfig:
    """The inputs of one report (each is listed in Methods as ``input:<name>``).

    Attributes
    ----------
    compound : str
        Knowledge-base compound (default the flagship compound of the identity table).
    doses : tuple of str
        Daily doses as quantities ("10 mg"), HCl salt as usually prescribed.
    every : str
        Dosing interval ("24 h").
    days : float
        Length of the repeated-dosing simulation (days), long enough for steady state.
    quick : bool
        Smaller virtual experiments (fewer plates, concentrations, seeds): ``--quick``.
    seed : int
        Seed of every simulator the report calls.
    user_data : tuple of str
        User-data files (TOML or CSV) merged over the shipped data for every step
        (:func:`neuromoa.data.compounds.use_user_data`), e.g. for a compound of your own.
    """

    compound: str = field(default_factory=lambda: _flagship())
    doses: tuple[str, ...] = ("10 mg", "25 mg", "75 mg", "150 mg")
    every: str = "24 h"
    days: float = 14.0
    quick: bool = False
    seed: int = 0
    user_data: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from neuromoa.errors import InputError, check_number
        from neuromoa.units import as_grams, as_hours

        if not self.doses:
            raise InputError("the report needs at least one dose (e.g. --dose '10 mg')")
        for dose in self.doses:
            check_number(as_grams(dose, what=f"dose {dose!r}"), "dose", "ReportConfig", low=0,
                         low_open=True)
        check_number(as_hours(self.every, what=f"interval {self.every!r}"), "every",
                     "ReportConfig", low=0, low_open=True)
        check_number(self.days, "days", "ReportConfig", low=0, low_open=True)
        from neuromoa.exposure.regimen import Regimen

        for dose in self.doses:  # resource guards before any work (issue 17): doses, days
            Regimen.parse(dose, every=self.every, days=self.days)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"The 'seed' parameter of ReportConfig must be an integer >= 0. "
                             f"Got {self.seed!r}.")

    def size(self, quick: int, full: int) -> int:
        """``quick`` in quick mode, ``full`` otherwise (sizes of virtual experiments)."""
        return quick if self.quick else full

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe copy of the inputs."""
        return {"compound": self.compound, "doses": list(self.doses), "every": self.every,
                "days": self.days, "quick": self.quick, "seed": self.seed,
                "user_data": list(self.user_data)}


@dataclass(frozen=True)
class StepOutcome:
    """What one step produced: ``status`` "ok" | "unavailable" | "failed", its value or why not."""

    name: str
    status: str
    value: Any = None
    message: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the step ran and returned a value."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (the value itself is left out)."""
        return {"name": self.name, "status": self.status, "message": self.message,
                "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class Step:
    """One named computation of the report.

    Attributes
    ----------
    name : str
        Key of the outcome and of the ``calc:<name>`` source.
    title : str
        Short description (Methods).
    requires : tuple of str
        ``"module:attribute"`` items that must exist (e.g. ``"neuromoa.engagement:engage"``).
    method : str
        What the step computes, in words, naming the library functions (Methods).
    equations : tuple of str
        The equations behind it, as text (Methods).
    references : tuple of str
        Knowledge-base reference ids or citations for the equations.
    run : callable
        ``run(config, outcomes) -> value``; ``outcomes`` holds earlier steps' outcomes.
    after : tuple of str
        Steps whose values ``run`` uses; if one of them is not ok, this step is unavailable.
    """

    name: str
    title: str
    requires: tuple[str, ...]
    method: str
    run: Callable[[ReportConfig, Mapping[str, StepOutcome]], Any]
    equations: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    after: tuple[str, ...] = field(default_factory=tuple)


def check_requirements(requires: tuple[str, ...]) -> str:
    """Return "" when every ``module:attribute`` exists, else the reason it does not."""
    for item in requires:
        module_name, _, attr = item.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            missing = exc.name or module_name
            if module_name == missing or module_name.startswith(missing + "."):
                return f"not available: {module_name} is not installed/built yet"
            return f"not available: {module_name} cannot be imported ({exc})"
        except ImportError as exc:
            return f"not available: {module_name} cannot be imported ({exc})"
        if attr and not hasattr(module, attr):
            return f"not available: {module_name}.{attr} is not installed/built yet"
    return ""


def run_steps(steps: tuple[Step, ...] | list[Step], config: ReportConfig, *,
              progress: Callable[[str, int, int], None] | None = None,
              clock: Callable[[], float] = time.perf_counter) -> dict[str, StepOutcome]:
    """Run ``steps`` in order; never raises for one step's trouble.

    ``progress(description, done, total)`` is called before each step and once at the end.
    """
    outcomes: dict[str, StepOutcome] = {}
    total = len(steps)
    for i, step in enumerate(steps):
        if progress is not None:
            progress(step.title, i, total)
        reason = check_requirements(step.requires)
        if not reason:
            missing = [a for a in step.after if a not in outcomes or not outcomes[a].ok]
            if missing:
                reason = "not available: needs " + ", ".join(
                    f"{a} ({outcomes[a].message if a in outcomes else 'not run'})" for a in missing)
        if reason:
            outcomes[step.name] = StepOutcome(step.name, "unavailable", None, reason)
            continue
        start = clock()
        try:
            value = step.run(config, outcomes)
        except StepUnavailable as exc:
            outcomes[step.name] = StepOutcome(step.name, "unavailable", None,
                                              f"not available: {exc}", clock() - start)
            continue
        except Exception as exc:  # noqa: BLE001 - one step's failure must not stop the report
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
            outcomes[step.name] = StepOutcome(
                step.name, "failed", None, f"failed: {type(exc).__name__}: {exc} (at {where})",
                clock() - start)
            continue
        outcomes[step.name] = StepOutcome(step.name, "ok", value, "", clock() - start)
    if progress is not None:
        progress("done", total, total)
    return outcomes
