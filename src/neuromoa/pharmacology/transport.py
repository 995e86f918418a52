"""Carrier-mediated transport (reuptake) with competitive inhibition."""

from __future__ import annotations

from neuromoa.errors import ParameterError
from neuromoa.pharmacology._checks import finite, nonneg, positive, scalar_or_array

__all__ = ["michaelis_menten_rate"]


def michaelis_menten_rate(substrate, vmax, km, inhibitors=(), kis=()):
    r"""Transport rate with competitive inhibitors (Michaelis–Menten).

    .. math:: J = \frac{V_{max} S}{K_m\left(1 + \sum_j I_j/K_{i,j}\right) + S}

    Parameters
    ----------
    substrate : substrate concentration S, mol/L (≥ 0).
    vmax : maximal rate (any unit; J has the same unit).
    km : Michaelis constant, mol/L (> 0).
    inhibitors, kis : sequences of inhibitor concentrations (≥ 0) and their Ki (> 0), mol/L;
        each inhibitor may be an array that broadcasts with ``substrate``.

    References
    ----------
    Michaelis L, Menten ML (1913) Biochem Z 49:333; competitive inhibition: Cheng & Prusoff 1973.
    """
    s = nonneg(substrate, "substrate", "michaelis_menten_rate")
    k = positive(km, "km", "michaelis_menten_rate")
    if len(inhibitors) != len(kis):
        raise ParameterError(f"michaelis_menten_rate: {len(inhibitors)} inhibitors but {len(kis)} Ki values.")
    factor = 1.0
    for j, (ij, kij) in enumerate(zip(inhibitors, kis, strict=True)):
        factor = factor + nonneg(ij, f"inhibitors[{j}]", "michaelis_menten_rate") / positive(
            kij, f"kis[{j}]", "michaelis_menten_rate")
    vm = finite(vmax, "vmax", "michaelis_menten_rate", low=0.0)
    return scalar_or_array(vm * s / (k * factor + s))
