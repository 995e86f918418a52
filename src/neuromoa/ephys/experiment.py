"""The virtual state-dependence experiment: noisy patch-clamp data → resting, inactivated and
open-state IC50s, compared with the model's own affinities.

What a lab does (Bean, Cohen & Tsien 1983; Wang et al. 2004; Nau et al. 2000), done on the
virtual rig of :mod:`neuromoa.ephys.voltage_clamp`:

1. drug-free steady-state inactivation → Boltzmann fit → availability ``h`` at the two holding
   potentials;
2. concentration–response from a hyperpolarised holding potential (mostly resting channels)
   and from a depolarised one (partly inactivated) → two apparent IC50s;
3. ``1/K_app = h/K_R + (1 − h)/K_I`` at both potentials → ``K_R`` and ``K_I``
   (:func:`~neuromoa.ephys.analysis.state_affinities_from_two_holdings`);
4. open-state IC50 from block of the late current of the inactivation-deficient mutant
   during a long depolarisation (as Wang et al. 2004 did with rNav1.4-WCW);
5. a use-dependence train (10 Hz) at the same concentrations, reported alongside.

Noise: recording noise and leak (the rig's :class:`~neuromoa.ephys.voltage_clamp.Recording`)
and a cell-to-cell factor on each drug measurement (run-down / expression drift between the
control and the drug period), all from ``seed``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuromoa.channels import ChannelModel, load_channel
from neuromoa.ephys.analysis import (
    boltzmann,
    boltzmann_fit,
    fit_ic50,
    state_affinities_from_two_holdings,
)
from neuromoa.ephys.protocols import build_protocol
from neuromoa.ephys.voltage_clamp import Recording, run_protocol
from neuromoa.errors import InputError

__all__ = ["EXPERIMENT_RECORDING", "StateDependenceResult", "state_dependence_experiment"]

#: Recording of the virtual experiment (assumption: a typical whole-cell rig, 30 pA rms noise,
#: 1 GΩ seal, 20 kHz).
EXPERIMENT_RECORDING = Recording(sample_rate_Hz=20e3, noise_A=30e-12, leak_S=1e-9)
#: Cell-to-cell / run-down variability of the current between control and drug periods:
#: log-normal factor with this SD (assumption: ~3 % drift within a recording).
CELL_FACTOR_SD = 0.03
#: Concentrations (M) per protocol: 7 half-log steps bracketing the expected range
#: (assumption: the ranges a lab would pick after a pilot).
CONCS_RESTING = tuple(float(x) for x in np.geomspace(1e-6, 1e-3, 7))
CONCS_DEPOLARISED = tuple(float(x) for x in np.geomspace(3e-8, 3e-5, 7))
CONCS_OPEN = tuple(float(x) for x in np.geomspace(1e-8, 1e-5, 7))
#: Use-dependence train of the experiment (assumption: 10 Hz, 30 pulses).
TRAIN_FREQ_HZ = 10.0
TRAIN_PULSES = 30
#: Availability range at the depolarised hold that still separates K_R from K_I (assumption:
#: outside 0.1–0.9 the two equations are nearly collinear and the inversion amplifies noise).
H_LEVERAGE = (0.1, 0.9)


@dataclass(frozen=True)
class StateDependenceResult:
    """Estimated and true state-specific IC50s, with the data behind them."""

    channel: str
    seed: int
    ic50_resting_M: float
    ic50_inactivated_M: float
    ic50_open_M: float
    truth: dict
    apparent: dict
    availability: dict
    inactivation_fit: dict
    use_dependence: dict
    data: pd.DataFrame
    flags: tuple[str, ...] = field(default=())
    compound: str = ""

    def to_dict(self) -> dict:
        """Contract keys plus the intermediate estimates (JSON-safe)."""
        return {"channel": self.channel, "seed": self.seed,
                "ic50_resting_M": self.ic50_resting_M,
                "ic50_inactivated_M": self.ic50_inactivated_M,
                "ic50_open_M": self.ic50_open_M, "truth": dict(self.truth),
                "apparent": dict(self.apparent), "availability": dict(self.availability),
                "inactivation_fit": dict(self.inactivation_fit),
                "use_dependence": dict(self.use_dependence), "flags": list(self.flags)}

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{k}</td><td>{getattr(self, f'ic50_{k}_M') * 1e6:.3g} µM</td>"
                       f"<td>{self.truth[f'ic50_{k}_M'] * 1e6:.3g} µM</td><td>{e * 100:+.1f} %</td></tr>"
                       for k, e in self.relative_errors().items())
        return (f"<b>{html.escape(str(self.channel))}: state-dependence experiment (seed {self.seed})</b><table>"
                f"<tr><th>state</th><th>estimate</th><th>model</th><th>error</th></tr>{rows}</table>")

    def to_frame(self) -> pd.DataFrame:
        """The concentration–response data: protocol conc_M fraction_remaining."""
        return self.data.copy()

    def relative_errors(self) -> dict:
        """(estimate − truth)/truth for resting, inactivated, open."""
        est = {"resting": self.ic50_resting_M, "inactivated": self.ic50_inactivated_M,
               "open": self.ic50_open_M}
        return {k: (est[k] - self.truth[f"ic50_{k}_M"]) / self.truth[f"ic50_{k}_M"] for k in est}

    def plot(self, ax=None):
        """Concentration–response points and fits for each protocol."""
        from matplotlib.figure import Figure

        if ax is None:
            fig = Figure(figsize=(6, 4))
            ax = fig.add_subplot(111)
        for i, (name, grp) in enumerate(self.data.groupby("protocol", sort=False)):
            ax.semilogx(grp["conc_M"] * 1e6, grp["fraction_remaining"], "o", color=f"C{i}",
                        label=f"{name} (IC50 {self.apparent[name] * 1e6:.3g} µM)")
            xs = np.geomspace(grp["conc_M"].min(), grp["conc_M"].max(), 100)
            ax.semilogx(xs * 1e6, 1 / (1 + xs / self.apparent[name]), "-", color=f"C{i}", lw=0.8)
        ax.set_xlabel(f"{self.compound or 'drug'} (µM)")
        ax.set_ylabel("fraction of control current")
        ax.set_title(f"{self.channel}: state-dependent block")
        ax.legend(fontsize=7)
        return ax.figure


def _fractions(res, rng) -> np.ndarray:
    frac = np.abs(res.peaks_A[:, 0, 0]) / np.abs(res.control_peaks_A[0, 0])
    return frac * np.exp(rng.normal(0.0, CELL_FACTOR_SD, frac.shape))


def state_dependence_experiment(channel: str | ChannelModel = "nav-drg", seed: int = 0, *,
                                recording: Recording | None = None) -> StateDependenceResult:
    """Run the noisy virtual experiment on ``channel`` and estimate K_R, K_I and K_O.

    Parameters
    ----------
    channel : str or ChannelModel
        A state-dependent channel: ``"nav-drg"`` or ``"nav1.5"``.
    seed : int
        Seed of all noise (same seed → same numbers).
    recording : Recording, optional
        Defaults to :data:`EXPERIMENT_RECORDING`.

    Returns
    -------
    StateDependenceResult
        ``ic50_resting_M``, ``ic50_inactivated_M``, ``ic50_open_M``; ``truth`` holds the
        model's own affinities; ``flags`` any problem met on the way.

    Examples
    --------
    >>> r = state_dependence_experiment("nav-drg", seed=1)
    >>> abs(r.relative_errors()["inactivated"]) < 0.2
    True
    """
    model = load_channel(channel) if isinstance(channel, str) else channel
    if model.binding != "state-dependent":
        raise InputError(f"channel {model.id!r} has {model.binding} block; the state-dependence "
                         "experiment needs resting/open/inactivated sites (nav-drg, nav1.5).")
    rec = recording if recording is not None else EXPERIMENT_RECORDING
    ss = np.random.SeedSequence(seed)
    seeds = [int(s.generate_state(1)[0]) for s in ss.spawn(6)]
    rng = np.random.default_rng(seeds[5])
    flags: list[str] = []
    aff = model.affinities_M
    truth = {"ic50_resting_M": aff["resting"], "ic50_inactivated_M": aff["inactivated"],
             "ic50_open_M": aff.get("open", float("nan"))}

    # 1. availability from the drug-free inactivation curve
    inact = run_protocol(model, build_protocol("inactivation", model), [], recording=rec,
                         seed=seeds[0])
    v = np.asarray(inact.protocol.sweep_values)
    bfit = boltzmann_fit(v, np.abs(inact.control_peaks_A[:, 0]))
    if bfit.status != "ok":
        flags.append(f"inactivation Boltzmann fit: {bfit.message}")
    hold_r, hold_d = model.default("resting_hold"), model.default("depolarised_hold")
    h_r = float(boltzmann(hold_r, bfit.v_half_V, bfit.slope_V))
    h_d = float(boltzmann(hold_d, bfit.v_half_V, bfit.slope_V))
    if not H_LEVERAGE[0] <= h_d <= H_LEVERAGE[1]:
        flags.append(f"availability at the depolarised hold is {h_d:.2f}: poor leverage on K_I")

    # 2. concentration–response at two holding potentials, and 4. the open state
    rows = []
    apparent = {}
    runs = (("resting_hold", "tonic", model, CONCS_RESTING, seeds[1]),
            ("depolarised_hold", "holding", model, CONCS_DEPOLARISED, seeds[2]),
            ("open", "open-block", model.inactivation_deficient(), CONCS_OPEN, seeds[3]))
    for label, proto_name, mdl, concs, sd in runs:
        res = run_protocol(mdl, build_protocol(proto_name, mdl), concs, recording=rec, seed=sd)
        frac = _fractions(res, rng)
        fit = fit_ic50(np.asarray(concs), frac)
        if fit.status != "ok":
            flags.append(f"{label} concentration-response fit: {fit.status} {fit.message}".strip())
        apparent[label] = fit.ic50_M
        rows += [{"protocol": label, "conc_M": c, "fraction_remaining": f}
                 for c, f in zip(concs, frac, strict=True)]

    # 3. two holding potentials → K_R, K_I
    k_r, k_i = state_affinities_from_two_holdings(h_r, apparent["resting_hold"], h_d,
                                                  apparent["depolarised_hold"])
    if not np.isfinite(k_r) or not np.isfinite(k_i):
        flags.append("two-holding-potential analysis gave a non-positive affinity")

    # 5. use dependence
    train = run_protocol(model, build_protocol("use-dependence", model, freq_Hz=TRAIN_FREQ_HZ,
                                               pulses=TRAIN_PULSES),
                         CONCS_DEPOLARISED, recording=rec, seed=seeds[4])
    last = 1.0 - np.asarray(train.measurement["block_last_pulse"])
    first = 1.0 - np.asarray(train.measurement["block_first_pulse"])
    use = {"freq_Hz": TRAIN_FREQ_HZ, "pulses": TRAIN_PULSES, "conc_M": list(CONCS_DEPOLARISED),
           "block_first_pulse": (1 - first).tolist(), "block_last_pulse": (1 - last).tolist(),
           "ic50_first_pulse_M": fit_ic50(np.asarray(CONCS_DEPOLARISED), first).ic50_M,
           "ic50_last_pulse_M": fit_ic50(np.asarray(CONCS_DEPOLARISED), last).ic50_M}
    return StateDependenceResult(
        compound=model.compound, channel=model.id, seed=seed, ic50_resting_M=k_r, ic50_inactivated_M=k_i,
        ic50_open_M=apparent["open"], truth=truth, apparent=apparent,
        availability={"resting_hold_V": hold_r, "h_resting": h_r,
                      "depolarised_hold_V": hold_d, "h_depolarised": h_d},
        inactivation_fit=bfit.to_dict(), use_dependence=use, data=pd.DataFrame(rows),
        flags=tuple(flags))
