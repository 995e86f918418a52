"""Dose regimens: a single oral dose or a dose repeated every interval for a duration."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from neuromoa.errors import ProtocolError, ResourceError, check_number, format_bytes
from neuromoa.units import MAX_SECONDS, as_grams, as_hours

__all__ = ["Regimen"]

#: Hours per day (for ``days=``).
HOURS_PER_DAY = 24.0
#: Default length of a repeated regimen (days). Assumption: 14 days is > 9 nortriptyline
#: half-lives (25.5 h, Nortrilen SmPC), so the last interval is at steady state within 1 %.
DEFAULT_DAYS = 14.0
#: Default observation window after a single dose (h). Assumption: the 96 h sampling window of
#: single-dose studies (Nam et al. 2015, Clin Ther 37:302; Garland et al. 1978).
SINGLE_DOSE_WINDOW_H = 96.0
#: Most doses one regimen may have. Assumption: 4 doses a day for 10 years is 14,610; more is
#: a unit slip ("1 s" for "1 d"), and a course over it costs memory ∝ doses × time points.
MAX_DOSES = 20_000
#: Time points × doses × 8 B × sum-of-exponential terms that the superposition of one course
#: holds at once (bytes per dose per time point; exposure.polyexp.PolyExp.superpose, 3 terms
#: and ~4 temporaries): used to say what an over-large regimen would need.
_BYTES_PER_DOSE_POINT = 8 * 3 * 4
#: Time points of the default course grid (exposure.model.MAX_DEFAULT_POINTS).
_DEFAULT_POINTS = 1500


@dataclass(frozen=True)
class Regimen:
    """An oral dose regimen.

    Parameters
    ----------
    dose_g : float
        Each dose in grams, as the salt (``salt=True``, the default: doses are usually stated
        as the hydrochloride) or as the free base (``salt=False``).
    interval_h : float or None
        Dosing interval τ (h); ``None`` for a single dose.
    duration_h : float or None
        Length of the regimen (h). Repeated doses are given at 0, τ, 2τ, … while t < duration,
        so ``duration_h = 14 * 24`` with τ = 24 h gives 14 doses (the default, :data:`DEFAULT_DAYS`).
        For a single dose it is the observation window (default :data:`SINGLE_DOSE_WINDOW_H`).
    salt : bool
        Whether ``dose_g`` is the mass of the salt (True) or of the base (False).

    Examples
    --------
    >>> Regimen.parse("150 mg", every="24 h", days=14).n_doses
    14
    """

    dose_g: float
    interval_h: float | None = None
    duration_h: float | None = None
    salt: bool = True

    def __post_init__(self) -> None:
        check_number(self.dose_g, "dose_g", "Regimen", low=0, low_open=True)
        if self.interval_h is not None:
            check_number(self.interval_h, "interval_h", "Regimen", low=0, low_open=True)
        if self.duration_h is not None:
            check_number(self.duration_h, "duration_h", "Regimen", low=0, low_open=True)
        else:
            default = DEFAULT_DAYS * HOURS_PER_DAY if self.repeated else SINGLE_DOSE_WINDOW_H
            object.__setattr__(self, "duration_h", default)
        if self.repeated:
            _check_dose_count(self.duration_h, self.interval_h)
        if self.repeated and self.duration_h < self.interval_h:
            raise ProtocolError(f"Regimen: duration {self.duration_h:g} h is shorter than the "
                                f"dosing interval {self.interval_h:g} h; give at least one interval.")

    @classmethod
    def parse(cls, dose: object, every: object | None = None, days: object | None = None,
              base: bool = False) -> Regimen:
        """Build a regimen from user text: ``Regimen.parse("150 mg", every="24 h", days=14)``.

        ``dose`` and ``every`` need units ("150 mg", "24h"); ``days`` is a number of days or a
        duration with a unit ("2 weeks"), default 14 days (:data:`DEFAULT_DAYS`). ``every=None``
        means a single dose, and then ``days`` is the observation window (default
        :data:`SINGLE_DOSE_WINDOW_H`). ``base=True`` says the dose is the free base, not the salt.
        """
        dose_g = as_grams(dose, what="dose")
        interval = None if every is None else as_hours(every, what="dosing interval (--every)")
        if interval is not None and not (math.isfinite(interval) and interval > 0):
            raise ProtocolError(f"dosing interval (--every): {every!r} must be a positive duration.")
        if days is None:
            return cls(dose_g=dose_g, interval_h=interval, duration_h=None, salt=not base)
        if isinstance(days, str) and _is_number(days):
            days = float(days)  # a bare number means days ("14"); otherwise a duration with unit
        if isinstance(days, Real) and not isinstance(days, bool):
            duration = float(days) * HOURS_PER_DAY
            if math.isfinite(duration) and duration > MAX_SECONDS / 3600.0:
                raise ResourceError(f"regimen duration (--days): {days!r} days is longer than "
                                    f"{MAX_SECONDS / 3600.0 / HOURS_PER_DAY:g} days (100 years).")
        else:
            duration = as_hours(days, what="regimen duration (--days)")
        if not (math.isfinite(duration) and duration > 0):
            raise ProtocolError(f"regimen duration (--days): {days!r} must be a positive duration "
                                "(a zero-length regimen gives no dose).")
        if interval is not None:
            _check_dose_count(duration, interval)
        if interval is not None and duration < interval:
            raise ProtocolError(f"regimen duration {duration:g} h is shorter than the dosing "
                                f"interval {interval:g} h: give --days of at least one interval.")
        return cls(dose_g=dose_g, interval_h=interval, duration_h=duration, salt=not base)

    @property
    def repeated(self) -> bool:
        """True for repeated dosing."""
        return self.interval_h is not None

    @property
    def n_doses(self) -> int:
        """Number of doses (1 for a single dose)."""
        if self.interval_h is None or self.duration_h is None:
            return 1
        return max(1, math.ceil(self.duration_h / self.interval_h - 1e-9))

    @property
    def dose_times_h(self) -> tuple[float, ...]:
        """Times of the doses (h)."""
        if self.interval_h is None:
            return (0.0,)
        return tuple(i * self.interval_h for i in range(self.n_doses))

    def describe(self) -> str:
        """Human-readable summary, e.g. '150 mg (HCl salt) every 24 h for 14 days'."""
        form = "salt" if self.salt else "base"
        dose = f"{self.dose_g * 1e3:g} mg ({form})"
        if self.interval_h is None or self.duration_h is None:
            return f"{dose} single dose"
        return f"{dose} every {self.interval_h:g} h for {self.duration_h / HOURS_PER_DAY:g} days"

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"dose_mg": self.dose_g * 1e3, "salt": self.salt, "interval_h": self.interval_h,
                "duration_h": self.duration_h, "n_doses": self.n_doses}


def _check_dose_count(duration_h: float, interval_h: float) -> None:
    """Refuse, before anything is allocated, a regimen with more than :data:`MAX_DOSES` doses."""
    n = duration_h / interval_h
    if not math.isfinite(n) or n > MAX_DOSES:
        need = n * _DEFAULT_POINTS * _BYTES_PER_DOSE_POINT
        raise ResourceError(
            f"regimen: every {_duration_text(interval_h)} for {duration_h / HOURS_PER_DAY:g} days "
            f"is {n:.4g} "
            f"doses (limit {MAX_DOSES:,}); its exposure course would need {format_bytes(need)} of "
            "memory. Check --every and --days (e.g. --every '24 h' --days 14).")


def _duration_text(hours: float) -> str:
    """'24 h', '1 s', '1 ms' (for messages)."""
    seconds = hours * 3600.0
    if seconds >= 3600.0:
        return f"{hours:g} h"
    if seconds >= 1.0:
        return f"{seconds:g} s"
    return f"{seconds * 1e3:g} ms"


def _is_number(text: str) -> bool:
    """True when ``text`` is a plain number such as "14" or "3.5"."""
    try:
        float(text)
    except ValueError:
        return False
    return True
