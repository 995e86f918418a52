"""From the cell to the ECG: ΔQRS from conduction, ΔQTc from ΔAPD90 (mappings declared in
``data/cardiac/ecg.toml`` with their sources and stated as assumptions).

* QRS = QRS0 · W(b_INa)/W(0), W the QRS width of the pseudo-ECG of the 1D monodomain strand
  (:mod:`neuromoa.cardiac.strand`) with that INa block at the heart rate — conduction slowing,
  including its steepening towards conduction failure, comes out of the tissue simulation.
  Beyond the strand's last conducting block the QRS is ``inf`` (conduction failure).
* ΔQTc = ΔQRS + k · ΔAPD90 (the latest repolarisation = activation time + APD), k = 1.
"""

from __future__ import annotations

import functools
import tomllib

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, ParameterError

__all__ = ["delta_qtc_ms", "ecg_parameters", "qrs_ms"]

_FILE = "data/cardiac/ecg.toml"


@functools.cache
def ecg_parameters() -> dict[str, tuple[float, str, str]]:
    """``name → (value, unit, source)`` of the ECG mappings."""
    try:
        spec = tomllib.loads(read_text("cardiac", "ecg.toml"))
        return {"qrs_baseline_ms": tuple(spec["qrs"]["baseline"]),
                "apd_to_qt": tuple(spec["qt"]["apd_to_qt"])}
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise DataFileError(f"cannot read the ECG mappings: {exc}", file=_FILE) from exc


def qrs_ms(ina_block: float, *, bpm: float = 60.0) -> float:
    """QRS duration (ms) with a fraction ``ina_block`` of peak INa blocked, at ``bpm``
    (``inf`` when the strand does not conduct)."""
    from neuromoa.cardiac.strand import strand_qrs_ratio

    b = float(ina_block)
    if not (0.0 <= b < 1.0):
        raise ParameterError(f"INa block {b:g} must be in [0, 1) for a propagating beat.")
    return ecg_parameters()["qrs_baseline_ms"][0] * strand_qrs_ratio(b, bpm=bpm)


def delta_qtc_ms(delta_apd90_ms: float, delta_qrs_ms: float) -> float:
    """ΔQTc (ms) = ΔQRS + k·ΔAPD90."""
    return float(delta_qrs_ms) + ecg_parameters()["apd_to_qt"][0] * float(delta_apd90_ms)
