"""TrkA/TrkB signalling by a Trk-binding drug (mass action, declared in ``data/systems/trk.ant``).

The model names no compound: the TrkA/TrkB affinities of the compound run (``compound=``,
default the flagship compound) come from :mod:`neuromoa.kb` at run time. Amitriptyline binds
the extracellular domains of TrkA (KD 3 uM) and TrkB (KD 14 uM) (source
document Table 1; agonism and heterodimerisation: Jang et al., *Chem Biol* 2009;16:644);
drug-bound monomers form TrkA-TrkA, TrkB-TrkB and TrkA-TrkB dimers that autophosphorylate and
activate Akt and ERK; slowly, glial BDNF expression rises and BDNF activates TrkB. Every rate
constant other than the two affinities is an assumption (marked in the model file): Akt/ERK
concentrations and time courses have not been published for amitriptyline (FACTS.md: U).

Which concentration drives Trk: the model is driven by the **free (unbound) concentration at
the receptor**. At therapeutic doses free brain levels are about 10-25 nM, which occupies
TrkA at <= 0.8 % and TrkB at <= 0.2 % (C/(C + KD)); the micromolar KD values are 100-1000
times higher. Effects reported at 0.5 uM in cultured neurons (O'Neill 2016) are above
therapeutic free levels too. :class:`TrkResult` reports these occupancies with every run.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data.compounds import flagship_compound, resolve_compound
from neuromoa.errors import InputError, check_number
from neuromoa.systems._html import summary_html
from neuromoa.systems._model import new_runner
from neuromoa.units import as_molar, as_seconds

__all__ = ["THERAPEUTIC_FREE_BRAIN_M", "TrkResult", "trk_parameters", "trk_response"]

#: Free brain level of the flagship compound (amitriptyline) at therapeutic doses, 10-25 nM
#: (issue 6 / FACTS.md: unbound fraction 0.036-0.05 of 80-200 ng/mL total with Kp,uu = 1);
#: quoted in the note of that compound's results only.
THERAPEUTIC_FREE_BRAIN_M = (10e-9, 25e-9)
#: CVODE tolerances (assumption: far below any reported difference).
_RTOL, _ATOL = 1e-10, 1e-24
#: Time to reach the drug-free steady state before the drug is applied: 1e8 s (> 3 years,
#: thousands of the slowest time constant, BDNF turnover 3.6 h).
_PRE_S = 1e8
#: Concentrations scanned for the EC50 (M).
_EC50_GRID = np.logspace(-9, -3, 49)


def trk_parameters(source: str | None = None, *,
                   compound: str | None = None) -> dict[str, tuple[float, str]]:
    """Run-time values from :mod:`neuromoa.kb`: the compound's TrkA and TrkB affinities.

    ``compound`` defaults to the flagship compound. A target without a value gets an infinite
    KD (no binding) and the source text "no data".
    """
    from neuromoa.kb import load_kb

    kb = load_kb()
    cid = resolve_compound(compound or flagship_compound()).id
    out = {}
    for target, name in (("TrkA", "Kd_A"), ("TrkB", "Kd_B")):
        try:
            aff = kb.affinity(cid, target, source=source)
        except InputError:
            out[name] = (math.inf, f"no data: {cid} has no value at {target} (no binding)")
            continue
        out[name] = (float(aff.value_M), f"neuromoa.kb: {cid} {aff.measure} {aff.text} "
                                         f"{aff.unit} ({aff.source}; confidence "
                                         f"{aff.confidence})")
    return out


@functools.cache
def _baseline(values_key: tuple[tuple[str, float], ...]):
    """A runner for these parameter values and its drug-free steady state (cached)."""
    rr = new_runner("trk", dict(values_key))
    rr.integrator.relative_tolerance = _RTOL
    rr.integrator.absolute_tolerance = _ATOL
    rr.setValue("drug", 0.0)
    rr.simulate(0.0, _PRE_S, 2)
    ids = tuple(rr.model.getFloatingSpeciesIds())
    return rr, ids, np.array([rr.getValue(f"[{s}]") for s in ids]), float(rr.getValue("bdnf_total"))


def _run(conc: float, times: np.ndarray, values: dict[str, float]) -> pd.DataFrame:
    rr, ids, state, bdnf0 = _baseline(tuple(sorted(values.items())))
    for s, v in zip(ids, state, strict=True):
        rr.setValue(f"[{s}]", float(v))
    rr.setValue("drug", conc)
    res = rr.simulate(float(times[0]), float(times[-1]), times.size,
                      ["time", "[pAkt]", "[pERK]", "bdnf_total", "pTrk"])
    frame = pd.DataFrame(np.asarray(res), columns=["time_s", "pAkt_M", "pERK_M", "bdnf_M",
                                                   "pTrk_M"])
    i = dict(zip(ids, state, strict=True))
    frame["pAkt_rel"] = frame["pAkt_M"] / i["pAkt"]
    frame["pERK_rel"] = frame["pERK_M"] / i["pERK"]
    frame["bdnf_rel"] = frame["bdnf_M"] / bdnf0
    return frame


@dataclass(frozen=True)
class TrkResult:
    """Trk signalling after applying the compound at t = 0 (from the drug-free steady state).

    ``course`` columns: ``time_s pAkt_M pERK_M bdnf_M pTrk_M pAkt_rel pERK_rel bdnf_rel``
    (``bdnf_M`` is total BDNF, free and receptor-bound).
    ``ec50_M`` is the EC50 of the pAkt rise at ``ec50_time_s``; ``ec50_perk_M`` that of pERK.
    """

    conc_M: float
    ec50_M: float
    ec50_perk_M: float
    ec50_time_s: float
    occupancy_trka: float
    occupancy_trkb: float
    kd_M: dict[str, float]
    course: pd.DataFrame = field(repr=False)
    compound: str = ""

    @property
    def note(self) -> str:
        """Which concentration drives Trk, stated plainly."""
        lo, hi = THERAPEUTIC_FREE_BRAIN_M
        head = f"Driven by the free concentration at the receptor ({self.conc_M:.3g} M here)."
        if self.compound and self.compound != flagship_compound():
            return head
        return (f"{head} "
                f"Free brain levels at therapeutic doses are {lo * 1e9:.0f}-{hi * 1e9:.0f} nM, "
                f"occupying TrkA at <= {hi / (hi + self.kd_M['TrkA']) * 100:.2g}% and TrkB at "
                f"<= {hi / (hi + self.kd_M['TrkB']) * 100:.2g}%, far below the "
                f"{self.kd_M['TrkA'] * 1e6:.3g} uM / {self.kd_M['TrkB'] * 1e6:.3g} uM affinities.")

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html("Trk signalling", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``times_s``, ``pAkt_rel``, ``pERK_rel``, ``ec50_M`` and the context."""
        return {"times_s": self.course["time_s"].tolist(),
                "pAkt_rel": self.course["pAkt_rel"].tolist(),
                "pERK_rel": self.course["pERK_rel"].tolist(),
                "bdnf_rel": self.course["bdnf_rel"].tolist(),
                "ec50_M": self.ec50_M, "ec50_pERK_M": self.ec50_perk_M,
                "ec50_time_s": self.ec50_time_s, "conc_M": self.conc_M,
                "occupancy_TrkA": self.occupancy_trka, "occupancy_TrkB": self.occupancy_trkb,
                "kd_M": dict(self.kd_M), "note": self.note, "compound": self.compound}

    def to_frame(self) -> pd.DataFrame:
        """The time course."""
        return self.course.copy()

    def plot(self, ax=None):
        """pAkt, pERK and BDNF (relative) against time in hours."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(5, 3.2)).subplots()
        h = self.course["time_s"] / 3600.0
        for col, lab in (("pAkt_rel", "pAkt"), ("pERK_rel", "pERK"), ("bdnf_rel", "BDNF")):
            ax.plot(h, self.course[col], label=lab)
        ax.set_xlabel("time (h)")
        ax.set_ylabel("level relative to drug-free (fold)")
        ax.set_title(f"{self.compound} {self.conc_M * 1e6:.3g} uM (free)", fontsize=9)
        ax.legend(frameon=False)
        return ax


def _ec50(grid: np.ndarray, response: np.ndarray) -> float:
    rise = response - 1.0
    top = float(np.max(rise))
    if top <= 0:
        return math.inf
    above = np.nonzero(rise >= 0.5 * top)[0]
    j = int(above[0])
    if j == 0:
        return float(grid[0])
    x0, x1 = math.log10(grid[j - 1]), math.log10(grid[j])
    y0, y1 = rise[j - 1], rise[j]
    return 10.0 ** (x0 + (0.5 * top - y0) * (x1 - x0) / (y1 - y0))


def trk_response(conc: object = "10 uM", *, duration: object = "24 h", n_points: int = 241,
                 ec50_time: object = "1 h", source: str | None = None,
                 overrides: dict[str, float] | None = None,
                 compound: str | None = None) -> TrkResult:
    """Time course of pAkt, pERK and BDNF after applying the free compound at ``conc``.

    Parameters
    ----------
    conc : str or Quantity
        Free compound at the receptor ("10 uM"; >= 0).
    compound : str, optional
        Whose TrkA/TrkB affinities the model uses (default the flagship compound). A compound
        with no value at either receptor raises :class:`InputError` ("no data").
    duration : str or Quantity
        Length of the course (default 24 h, long enough for the slow BDNF arm).
    ec50_time : str or Quantity
        Time at which the concentration-response (EC50) of pAkt and pERK is read (default 1 h:
        the acute receptor-driven response).
    source : str, optional
        kb source selector for the TrkA/TrkB affinities.
    overrides : dict, optional
        Model parameter values (SI floats).

    Returns
    -------
    TrkResult
    """
    c = as_molar(conc, what="trk: free concentration (--conc)")
    t_end = as_seconds(duration, what="trk: duration")
    check_number(t_end, "duration", "trk_response (s)", low=0, low_open=True)
    t_ec = as_seconds(ec50_time, what="trk: ec50_time")
    check_number(t_ec, "ec50_time", "trk_response (s)", low=0, low_open=True)
    cid = resolve_compound(compound or flagship_compound()).id
    params = trk_parameters(source, compound=cid)
    if all(not math.isfinite(v) for v, _ in params.values()) and not overrides:
        raise InputError(f"trk: no data: the knowledge base has no TrkA or TrkB value for {cid}.")
    values = {k: v for k, (v, _) in params.items()}
    values.update(overrides or {})
    times = np.linspace(0.0, t_end, int(n_points))
    course = _run(c, times, values)
    akt, erk = [], []
    for g in _EC50_GRID:
        fr = _run(float(g), np.array([0.0, t_ec]), values)
        akt.append(fr["pAkt_rel"].iloc[-1])
        erk.append(fr["pERK_rel"].iloc[-1])
    kd = {"TrkA": values["Kd_A"], "TrkB": values["Kd_B"]}
    return TrkResult(conc_M=c, ec50_M=_ec50(_EC50_GRID, np.array(akt)),
                     ec50_perk_M=_ec50(_EC50_GRID, np.array(erk)), ec50_time_s=t_ec,
                     occupancy_trka=c / (c + kd["TrkA"]), occupancy_trkb=c / (c + kd["TrkB"]),
                     kd_M=kd, course=course, compound=cid)
