r"""Parent → metabolite disposition of many patients at once, in closed form (numpy, no ODE).

The model (parameters, sources and confidence in ``data/exposure/``):

**Hepatic compounds** (those with rows in ``routes.csv``; amitriptyline, nortriptyline):

* oral absorption, first order (ka), fraction absorbed :math:`F_a`;
* a well-stirred liver with plasma flow :math:`Q_H` and intrinsic clearance
  :math:`CL_{int} = CL_{int,ref}\,\sum_r f_r\,g_r\cdot c(\text{weight})\,e^{\eta}`, where
  :math:`f_r` is route *r*'s share in a \*1/\*1 adult and :math:`g_r` the patient's activity of
  the route's enzyme relative to \*1/\*1 (CYP2D6: activity score / 2; CYP2C19: summed allele
  activity / 2; other enzymes 1). So the declared activity → clearance model is *intrinsic
  clearance linear in activity* with a non-polymorphic residual. Then
  :math:`F_H = Q_H/(Q_H + CL_{int})`, :math:`CL = Q_H CL_{int}/(Q_H + CL_{int})`, :math:`F = F_a F_H`.
  The reference :math:`CL_{int,ref}` and :math:`F_a` follow from the sourced CL, F and Q_H:
  :math:`F_{H,ref} = 1 - CL/Q_H`, :math:`F_a = F/F_{H,ref}`, :math:`CL_{int,ref} = CL/F_{H,ref}`.
* distribution: two compartments when ``vc vp q`` are given (amitriptyline), else one with
  :math:`V = CL\,t_{1/2}/\ln 2` (nortriptyline).
* metabolite formation: of the parent extracted by the liver (first pass and systemic), the
  routes whose product is the metabolite take the share
  :math:`\phi = \sum_{r\to m} f_r g_r/\sum_r f_r g_r`; metabolite formed in the liver escapes it
  with its own :math:`F_{H,m}` (sequential first pass), so the metabolite input rate is

  .. math:: r_m(t) = \phi F_{H,m}\,[F_a (1 - F_H) D k_a e^{-k_a t} + CL\,C_p(t)].

**Simple compounds** (no routes: a user's compound with CL/F, V/F, ka, or CL, t½, F): one
compartment, and a metabolite formed with the fixed fraction ``fm``, the first-pass
share (1 − F) arriving with absorption (Burch & Hullin 1981); the metabolite is the identity
table's (``neuromoa.data.compounds.metabolites_of``). Genotype options raise an error.

Every response is a sum of exponentials per mole dosed (coefficients ``(N, m)`` and rates
``(N, m)`` arrays); steady state is the geometric series
:math:`\sum_i c_i e^{-\lambda_i t}/(1 - e^{-\lambda_i\tau})`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from neuromoa.data.compounds import metabolites_of
from neuromoa.errors import DataFileError
from neuromoa.exposure.genotype import GenotypeError
from neuromoa.exposure.params import PKCompound, pk_compound

__all__ = ["Terms", "compound_terms", "enzymes_of", "steady_state_arrays"]

#: Two rates closer than this (relative) are separated by this factor before a convolution
#: (the closed form divides by their difference); error ~1e-6 relative, far below PK
#: uncertainty (assumption, as in :mod:`.polyexp`).
RATE_SEPARATION = 1e-6
#: Points per dosing interval on which Cmin/Cmax are located before a parabolic refinement.
SS_GRID_POINTS = 33


@dataclass(frozen=True)
class Terms:
    """Sums of exponentials for N patients: C(t) = Σ_j coefs[:, j] exp(-rates[:, j] t)."""

    coefs: np.ndarray
    rates: np.ndarray

    def row(self, i: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """Patient ``i`` as (coefs, rates) without zero terms."""
        keep = self.coefs[i] != 0.0
        return tuple(map(float, self.coefs[i][keep])), tuple(map(float, self.rates[i][keep]))


def _conv_exp(c: np.ndarray, lam: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Σ_j c_j e^{-λ_j t}) ∗ e^{-k t}, per row; k is (N,)."""
    kk = k[:, None]
    close = np.abs(kk - lam) <= RATE_SEPARATION * np.maximum(kk, lam)
    kk = np.where(close.any(axis=1, keepdims=True), kk * (1.0 + 10 * RATE_SEPARATION), kk)
    w = c / (kk - lam)
    return (np.concatenate([w, -w.sum(axis=1, keepdims=True)], axis=1),
            np.concatenate([lam, kk], axis=1))


def enzymes_of(compound: PKCompound) -> set[str]:
    """Enzymes with a route in the compound or in any metabolite it forms."""
    out = set(compound.enzymes)
    for r in compound.routes:
        if r.product:
            out |= set(pk_compound(r.product).enzymes)
    if not compound.routes and compound.has("fm"):
        for met in metabolites_of(compound.name):
            out |= set(pk_compound(met).enzymes)
    return out


@dataclass
class _Hepatic:
    cl: np.ndarray
    f_h: np.ndarray
    fa: np.ndarray
    clint: np.ndarray
    share_to: dict[str, np.ndarray]


def _hepatic(comp: PKCompound, n: int, activity: Mapping[str, np.ndarray],
             weight: np.ndarray, age: np.ndarray, eta: Mapping[str, np.ndarray]) -> _Hepatic:
    q_h = comp.value("q_h")
    cl_ref = comp.value("cl") if comp.has("cl") else comp.value("cl_f") * comp.value("f_oral")
    if cl_ref >= q_h:
        raise DataFileError(f"{comp.name}: clearance {cl_ref:g} L/h is not below the hepatic "
                            f"flow q_h {q_h:g} L/h", file="exposure/parameters.csv")
    f_h_ref = 1.0 - cl_ref / q_h
    fa = comp.value("f_oral") / f_h_ref
    if fa > 1.0 + 1e-9:
        raise DataFileError(f"{comp.name}: f_oral {comp.value('f_oral'):g} exceeds the hepatic "
                            f"availability {f_h_ref:.3g} (fraction absorbed {fa:.3g} > 1)",
                            file="exposure/parameters.csv")
    clint_ref = cl_ref / f_h_ref
    total = np.zeros(n)
    share: dict[str, np.ndarray] = {}
    for r in comp.routes:
        g = activity.get(r.enzyme.upper(), np.ones(n))
        part = r.fraction * g
        total = total + part
        if r.product:
            share[r.product] = share.get(r.product, np.zeros(n)) + part
    scale = _covariate_factor(comp, "clint", weight, age) * np.exp(eta.get("clint", 0.0))
    clint = clint_ref * total * scale
    safe_total = np.where(total > 0, total, 1.0)
    share = {m: s / safe_total for m, s in share.items()}
    f_h = q_h / (q_h + clint)
    return _Hepatic(cl=q_h * clint / (q_h + clint), f_h=f_h, fa=np.full(n, fa), clint=clint,
                    share_to=share)


def _covariate_factor(comp: PKCompound, parameter: str, weight: np.ndarray,
                      age: np.ndarray) -> np.ndarray:
    out = np.ones_like(weight, dtype=float)
    for cov in comp.covariates:
        if cov.parameter != parameter:
            continue
        x = weight if cov.covariate == "weight_kg" else age
        out = out * cov.factor(x)
    return out


def _check_genotypes(comp: PKCompound, genes: set[str]) -> None:
    have = enzymes_of(comp)
    for gene in sorted(genes):
        if gene not in have:
            raise GenotypeError(
                f"no route for that enzyme for compound {comp.name}: {gene} "
                + (f"(its routes use {', '.join(sorted(have))})" if have else
                   "(it has simple PK only: no enzyme routes in data/exposure/routes.csv)"))


def compound_terms(compound: str | PKCompound, n: int = 1, *,
                   activity: Mapping[str, np.ndarray] | None = None,
                   weight_kg: np.ndarray | float | None = None,
                   age_y: np.ndarray | float | None = None,
                   eta: Mapping[tuple[str, str], np.ndarray] | None = None,
                   ) -> tuple[dict[str, Terms], dict[str, np.ndarray]]:
    """Plasma concentration (mol/L) per mole dosed orally, per analyte, for ``n`` patients.

    Parameters
    ----------
    compound : str or PKCompound
    n : int
        Number of patients (rows).
    activity : mapping gene → (n,) array, optional
        Enzyme activity relative to \\*1/\\*1 (1 = reference). A gene for which neither the
        compound nor its metabolite has a route raises :class:`GenotypeError`.
    weight_kg, age_y : array or float, optional
        Covariates; default the reference patient (70 kg, 40 y).
    eta : mapping (compound, parameter) → (n,) array, optional
        Log-scale random effects on ``clint``, ``volume`` and ``ka``.

    Returns
    -------
    (terms, parameters)
        ``terms[analyte]`` (:class:`Terms`); ``parameters`` the per-patient values used
        (``<compound>_cl_L_h``, ``_ka_1_h``, ``_v_L``, ``_f_oral``, ``_t_half_h``).
    """
    from neuromoa.exposure.patient import REFERENCE_AGE_Y, REFERENCE_WEIGHT_KG

    comp = compound if isinstance(compound, PKCompound) else pk_compound(compound)
    activity = {k.upper(): np.broadcast_to(np.asarray(v, float), (n,)) for k, v in
                (activity or {}).items()}
    _check_genotypes(comp, set(activity))
    weight = np.broadcast_to(np.asarray(REFERENCE_WEIGHT_KG if weight_kg is None else weight_kg,
                                        float), (n,))
    age = np.broadcast_to(np.asarray(REFERENCE_AGE_Y if age_y is None else age_y, float), (n,))
    eta = eta or {}

    def e(c: str, p: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(eta.get((c, p), 0.0), float), (n,))

    out_params: dict[str, np.ndarray] = {}
    name = comp.name
    ka = comp.value("ka") * np.exp(e(name, "ka"))
    vol_scale = _covariate_factor(comp, "volume", weight, age) * np.exp(e(name, "volume"))
    if comp.routes:
        hep = _hepatic(comp, n, activity, weight, age, {"clint": e(name, "clint")})
        cl, f_sys = hep.cl, hep.fa * hep.f_h
        first_pass = hep.fa * (1.0 - hep.f_h)  # extracted in the first pass, per mol dosed
        shares = hep.share_to
    else:
        if comp.has("cl_f") and comp.has("v_f"):  # apparent oral values: F folded in
            f_true = comp.value("f_oral") if comp.has("f_oral") else 1.0
            cl = np.full(n, comp.value("cl_f")) * np.exp(e(name, "clint"))
            f_sys = np.ones(n)
            first_pass = np.full(n, 1.0 - f_true)
            systemic_share = f_true
        else:
            cl = np.full(n, comp.value("cl")) * np.exp(e(name, "clint"))
            f_sys = np.full(n, comp.value("f_oral"))
            first_pass = 1.0 - f_sys
            systemic_share = 1.0
        shares = {}
        if comp.has("fm"):
            for met in metabolites_of(name):
                shares[pk_compound(met).name] = np.full(n, comp.value("fm"))
    if comp.has("vc"):
        vc = comp.value("vc") * vol_scale
        vp = comp.value("vp") * vol_scale
        q = np.full(n, comp.value("q"))
    else:
        v = (comp.value("v_f") if (not comp.routes and comp.has("v_f"))
             else comp.value("cl") * comp.value("t_half") / math.log(2.0))
        vc, vp, q = v * vol_scale, np.zeros(n), np.zeros(n)
    k10, k12 = cl / vc, q / vc
    k21 = np.divide(q, vp, out=np.zeros(n), where=vp > 0)
    s = k10 + k12 + k21
    root = np.sqrt(np.maximum(s * s - 4.0 * k10 * k21, 0.0))
    alpha, beta = 0.5 * (s + root), 0.5 * (s - root)
    two = vp > 0
    beta_safe = np.where(two, beta, 0.5 * alpha)  # dummy rate with zero coefficient (1 cmt)
    a_coef = np.where(two, (alpha - k21) / (vc * (alpha - beta_safe)), 1.0 / vc)
    b_coef = np.where(two, (k21 - beta_safe) / (vc * (alpha - beta_safe)), 0.0)
    pc, pr = _conv_exp(np.stack([a_coef, b_coef], 1), np.stack([alpha, beta_safe], 1), ka)
    pc = pc * (f_sys * ka)[:, None]
    terms = {name: Terms(pc, pr)}
    out_params.update({f"{name}_cl_L_h": cl, f"{name}_ka_1_h": ka, f"{name}_v_L": vc + vp,
                       f"{name}_f_oral": f_sys,
                       f"{name}_t_half_h": math.log(2.0) / np.where(two, beta_safe, alpha)})
    for met, share in shares.items():
        mcomp = pk_compound(met)
        m_vol = (_covariate_factor(mcomp, "volume", weight, age) * np.exp(e(met, "volume"))
                 * mcomp.value("cl") * mcomp.value("t_half") / math.log(2.0))
        if mcomp.routes:
            mh = _hepatic(mcomp, n, activity, weight, age, {"clint": e(met, "clint")})
            # Escape of metabolite formed in the liver: the reference patient's F_H of the
            # metabolite, not this patient's (assumption A: a genotype-dependent sequential first
            # pass over-predicts nortriptyline in CYP2D6 poor metabolisers, single-dose NT AUC48
            # 2.5x vs 1.77x observed at activity 0 vs 2, PMC8175851).
            m_cl, escape = mh.cl, np.full(n, 1.0 - mcomp.value("cl") / mcomp.value("q_h"))
        else:
            m_cl, escape = mcomp.value("cl") * np.exp(e(met, "clint")), np.ones(n)
        if comp.routes:
            y = share * escape
            rc = pc * (y * cl)[:, None]
        else:  # simple: ∫ formation = fm (first pass (1-F) + systemic F)
            y = share
            rc = pc * (y * systemic_share * cl)[:, None]
        rc = rc.copy()
        rc[:, -1] += y * first_pass * ka  # the first-pass part arrives with absorption (rate ka)
        mc, mr = _conv_exp(rc, pr, m_cl / m_vol)
        terms[met] = Terms(mc / m_vol[:, None], mr)
        out_params.update({f"{met}_cl_L_h": m_cl, f"{met}_v_L": m_vol,
                           f"{met}_formed_fraction": y * (first_pass + cl * np.sum(
                               pc / pr, axis=1)),
                           f"{met}_t_half_h": math.log(2.0) / (m_cl / m_vol)})
    return terms, out_params


def steady_state_arrays(terms: Terms, dose_mol: np.ndarray | float, tau_h: float
                        ) -> dict[str, np.ndarray]:
    """Steady-state Cmin, Cavg, Cmax (mol/L), tmax (h after a dose) and terminal half-life (h).

    Cavg is exact (:math:`\\sum_i c_i/\\lambda_i/\\tau`); Cmin and Cmax are located on
    :data:`SS_GRID_POINTS` points of the interval and refined by a parabola through the best
    point and its neighbours (the profile is smooth; error ≪ 0.1 %).
    """
    c, lam = terms.coefs, terms.rates
    dose = np.broadcast_to(np.asarray(dose_mol, float), (c.shape[0],))
    acc = c / -np.expm1(-lam * tau_h)
    t = np.linspace(0.0, tau_h, SS_GRID_POINTS)
    conc = np.einsum("nm,ngm->ng", acc, np.exp(-lam[:, None, :] * t[None, :, None]))
    conc *= dose[:, None]
    i = np.argmax(conc, axis=1)
    rows = np.arange(conc.shape[0])
    cmax, tmax = conc[rows, i], t[i]
    inner = (i > 0) & (i < SS_GRID_POINTS - 1)
    if np.any(inner):
        y0 = conc[rows, np.clip(i - 1, 0, None)]
        y1 = cmax
        y2 = conc[rows, np.clip(i + 1, None, SS_GRID_POINTS - 1)]
        den = y0 - 2 * y1 + y2
        h = t[1] - t[0]
        off = np.where(inner & (den < 0), 0.5 * (y0 - y2) / np.where(den < 0, den, -1.0), 0.0)
        cmax = np.where(inner & (den < 0), y1 - 0.25 * (y0 - y2) * off, y1)
        tmax = tmax + off * h
    cavg = dose * np.sum(c / lam, axis=1) / tau_h
    nonzero = c != 0.0
    lam_z = np.min(np.where(nonzero, lam, np.inf), axis=1)
    return {"cmin_M": conc.min(axis=1), "cavg_M": cavg, "cmax_M": cmax, "tmax_h": tmax,
            "t_half_h": math.log(2.0) / lam_z}
