"""Per-curve flags and statuses of the batch fitter (bits, names, explanations)."""

from __future__ import annotations

import numpy as np

__all__ = ["FAILED", "FAIL_FLAGS", "FLAGS", "FLAG_TEXT", "NO_EFFECT_FLAGS", "OK", "WARNING",
           "flag_names", "status_codes"]

#: Per-curve warning flags: bit → (name, explanation). Thresholds are in :mod:`.engine`.
FLAGS: dict[str, int] = {
    "too_few_points": 1 << 0,
    "ic50_outside_range": 1 << 1,
    "hill_implausible": 1 << 2,
    "plateau_undefined": 1 << 3,
    "unstable": 1 << 4,
    "not_converged": 1 << 5,
    "missing_values": 1 << 6,
    "outliers": 1 << 7,
    "ci_open": 1 << 8,
    "no_effect": 1 << 9,
    "flat": 1 << 10,
    "hill_at_limit": 1 << 11,
}

#: Flags that fail a fitted curve: no finite, well-determined optimum, so no estimates are
#: reported (the optimiser's stopping point stays available as ``raw``).
FAIL_FLAGS = FLAGS["unstable"] | FLAGS["not_converged"]
#: Flags of a curve with no concentration-dependent effect: status 'warning' (a result, not a
#: failure: it overrides FAIL_FLAGS, whose trouble is then expected), no estimates reported.
NO_EFFECT_FLAGS = FLAGS["no_effect"] | FLAGS["flat"]
#: Status codes (indices into :attr:`BatchFit.STATUS`).
OK, WARNING, FAILED = 0, 1, 2

FLAG_TEXT = {
    "too_few_points": "as many free parameters as points: no residual degrees of freedom, "
                      "so no standard errors or confidence intervals",
    "ic50_outside_range": "the IC50 lies outside the tested concentration range "
                          "(an extrapolation: test wider concentrations)",
    "hill_implausible": "the Hill slope is implausible for a one-site interaction "
                        "(check the curve shape, or fix hill)",
    "plateau_undefined": "a plateau is not reached by the data (fix it, e.g. bottom=0 / top=100 "
                         "for normalised data, or test wider concentrations)",
    "unstable": "no finite, well-determined optimum (parameters strongly correlated or running "
                "off; for a step between two tested concentrations the IC50 lies between them "
                "but its value is not determined), so no estimates are reported (the optimiser's "
                "stopping point is under 'raw'): test more concentrations across the transition "
                "or fix hill",
    "not_converged": "the optimiser stopped before reaching a stationary point, so no estimates "
                     "are reported (its last values are under 'raw')",
    "missing_values": "rows with a missing response were skipped",
    "outliers": "ROUT flagged outliers (listed in 'outliers'); they are kept in the fit unless "
                "outliers='exclude'",
    "ci_open": "the profile-likelihood interval of the location parameter is open on one side "
               "(the data do not bound it)",
    "no_effect": "IC50 > highest tested concentration (see 'ic50_gt'): the responses do not "
                 "differ from the vehicle (zero-concentration) level (extra-sum-of-squares F test "
                 "against a flat line, P >= 0.05), so no estimates are reported",
    "hill_at_limit": "the data jump between two tested concentrations with one point on the "
                     "transition: the least-squares slope is unbounded (|hill| -> inf), so hill "
                     "is held at the engine's slope limit (HILL_RUNAWAY, no SE) and bottom, "
                     "top and the "
                     "location are estimated given it; test more concentrations across the "
                     "transition",
    "flat": "no concentration-dependent effect (extra-sum-of-squares F test against a flat line, "
            "P >= 0.05) and no vehicle (zero-concentration) rows to tell an inactive compound "
            "from one fully active at every tested concentration, so no estimates are reported",
}


def status_codes(fitted: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Per-curve status code from whether the curve was fitted and its flags.

    Not fitted (bad input) → failed; ``no_effect``/``flat`` → warning (no estimates);
    ``unstable``/``not_converged`` → failed (no estimates); any other flag → warning; else ok.
    """
    bits = np.asarray(bits, dtype=np.int64)
    code = np.where(bits != 0, WARNING, OK)
    code = np.where(((bits & FAIL_FLAGS) != 0) & ((bits & NO_EFFECT_FLAGS) == 0), FAILED, code)
    return np.where(fitted, code, FAILED)


def flag_names(bits: int) -> list[str]:
    """Names of the flags set in ``bits``."""
    return [name for name, b in FLAGS.items() if bits & b]
