"""Electrophysiology recordings: Axon ABF (pyabf) and NWB intracellular electrophysiology (pynwb).

:func:`open_recording` sniffs the format from the file's first bytes (not its name) and returns a
:class:`RecordingFile`: :attr:`RecordingFile.info` says what the file holds (channels with their
units, sweeps, sampling rate, protocol and its epochs) and :meth:`RecordingFile.sweep` gives one
sweep as SI floats (s, A or V). :func:`read_recording` returns every sample as a long DataFrame
and :func:`read_concentration_map` reads the small CSV that says which concentration each
sweep (or file) was recorded at.

Every problem with a file is a :class:`~neuromoa.errors.DataFileError` naming the file (and the
sweep, channel or row); pynwb is an optional extra (``pip install 'neuromoa[nwb]'``).

References
----------
pyABF: Harden SW, https://swharden.com/pyabf (Axon Binary Format 1 and 2 reader).
NWB: Rübel O et al. The Neurodata Without Borders ecosystem. *eLife* 2022;11:e78362.
"""

from __future__ import annotations

import abc
import csv
import io
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, InputError, MissingExtraError
from neuromoa.units import as_molar, kind_of_unit, si_factors

__all__ = [
    "ChannelInfo",
    "RecordingFile",
    "RecordingInfo",
    "Sweep",
    "open_recording",
    "read_concentration_map",
    "read_recording",
    "recording_format",
    "recording_info",
]

#: Factor to SI of the units a recording declares (current and voltage spellings of
#: :data:`neuromoa.units.KINDS`, factors from pint), plus NWB's spelled-out SI units.
_UNIT_SI: dict[str, float] = {**si_factors(("current", "voltage")), "amperes": 1.0,
                              "ampere": 1.0, "volts": 1.0, "volt": 1.0}
#: First bytes of the formats: ABF1 "ABF ", ABF2 "ABF2" (Axon Binary File spec), HDF5 (NWB 2).
_ABF_MAGIC = (b"ABF ", b"ABF2")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_NWB_INSTALL = "pip install 'neuromoa[nwb]'"


def _text(value: object) -> str:
    """A header string without the NUL padding and blanks some writers leave."""
    text = "" if value is None else str(value)
    return text.replace("\x00", "").strip()


def _quantity(unit: str) -> str:
    if unit in ("amperes", "ampere"):
        return "current"
    if unit in ("volts", "volt"):
        return "voltage"
    return kind_of_unit(unit) or "other"


@dataclass(frozen=True)
class ChannelInfo:
    """One recorded (ADC) channel: its name, unit as stored, what it measures, and the command."""

    index: int
    name: str
    unit: str
    quantity: str  # "current", "voltage" or "other"
    si_factor: float | None
    command_name: str = ""
    command_unit: str = ""

    @property
    def si_unit(self) -> str:
        """``"A"`` for a current, ``"V"`` for a voltage, else the stored unit."""
        return {"current": "A", "voltage": "V"}.get(self.quantity, self.unit)

    @property
    def mode(self) -> str:
        """``voltage clamp`` (a current is recorded), ``current clamp`` (a voltage) or ``unknown``."""
        return {"current": "voltage clamp", "voltage": "current clamp"}.get(self.quantity, "unknown")


@dataclass(frozen=True)
class RecordingInfo:
    """What a recording holds, read from its header (no sample is analysed)."""

    file: str
    format: str
    protocol: str
    sweep_count: int
    sample_rate_Hz: float
    sweep_length_s: float
    channels: tuple[ChannelInfo, ...]
    epochs: tuple[dict, ...] = ()
    sweep_interval_s: float | None = None
    recorded: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def channels_frame(self) -> pd.DataFrame:
        """One row per channel: ``channel name unit quantity mode command command_unit``."""
        return pd.DataFrame([{"channel": c.index, "name": c.name, "unit": c.unit,
                              "quantity": c.quantity, "mode": c.mode, "command": c.command_name,
                              "command_unit": c.command_unit} for c in self.channels])

    def epochs_frame(self) -> pd.DataFrame:
        """One row per protocol epoch of the command waveform (SI: s, V or A)."""
        return pd.DataFrame(list(self.epochs), columns=[
            "epoch", "type", "start_s", "end_s", "level_SI", "level_unit", "level_step_SI"])

    def to_dict(self) -> dict:
        """JSON-safe, SI units (``sample_rate_Hz``, ``sweep_length_s``, epoch levels in V or A)."""
        return {"file": self.file, "format": self.format, "protocol": self.protocol,
                "sweep_count": self.sweep_count, "sample_rate_Hz": self.sample_rate_Hz,
                "sweep_length_s": self.sweep_length_s, "sweep_interval_s": self.sweep_interval_s,
                "recorded": self.recorded,
                "channels": self.channels_frame().to_dict(orient="records"),
                "epochs": [dict(e) for e in self.epochs], "notes": list(self.notes)}


@dataclass(frozen=True)
class Sweep:
    """One sweep of one channel in SI units; ``command`` is None when the file has none."""

    index: int
    channel: int
    t_s: np.ndarray
    y: np.ndarray
    unit: str
    command: np.ndarray | None = None
    command_unit: str = ""


def recording_format(path: str | Path) -> str:
    """``"abf"`` or ``"nwb"`` from the file's first bytes; :class:`DataFileError` otherwise."""
    file = str(path)
    p = Path(file)
    if not p.exists():
        raise FileNotFoundError(2, "No such file", file)
    if p.is_dir():
        raise DataFileError("is a folder, not a recording (give the files, or the folder to "
                            "`neuromoa ephys analyze`)", file=file)
    with open(p, "rb") as fh:
        head = fh.read(8)
    if head[:4] in _ABF_MAGIC:
        return "abf"
    if head == _HDF5_MAGIC:
        return "nwb"
    if not head:
        raise DataFileError("is empty (0 bytes); not an ABF or NWB recording", file=file)
    hint = " (an ABF file starts with 'ABF ' or 'ABF2')" if p.suffix.lower() == ".abf" else ""
    raise DataFileError(f"is not an ABF or NWB (HDF5) recording: it starts with {head[:8]!r}{hint}",
                        file=file)


class RecordingFile(abc.ABC):
    """An opened recording: :attr:`info` and :meth:`sweep`. Use :func:`open_recording`."""

    info: RecordingInfo

    @abc.abstractmethod
    def sweep(self, index: int, channel: int = 0) -> Sweep:
        """One sweep of one channel, in SI units (each file format implements it)."""

    def check_sweep(self, index: int, channel: int) -> None:
        """Raise :class:`InputError` naming the file if the sweep or channel is not in it."""
        n_ch = len(self.info.channels)
        if not 0 <= int(channel) < n_ch:
            raise InputError(f"{self.info.file}: channel {channel} is not in the file (it has "
                             f"{n_ch} channel(s): 0..{n_ch - 1}).")
        if not 0 <= int(index) < self.info.sweep_count:
            raise InputError(f"{self.info.file}: sweep {index} is not in the file (sweeps "
                             f"0..{self.info.sweep_count - 1}).")


class _AbfFile(RecordingFile):
    def __init__(self, file: str) -> None:
        import pyabf

        try:
            abf = pyabf.ABF(file)
            n_sweeps = int(abf.sweepCount)
            n_ch = int(abf.channelCount)
        except Exception as exc:  # pyabf raises many kinds on a damaged file
            raise DataFileError(f"not a readable ABF file ({type(exc).__name__}: {exc})",
                                file=file) from exc
        if n_sweeps < 1 or n_ch < 1:
            raise DataFileError(f"ABF header declares {n_sweeps} sweep(s) and {n_ch} channel(s); "
                                "nothing to read", file=file)
        self._abf = abf
        channels = []
        adc_units = list(getattr(abf, "adcUnits", None) or [])
        adc_names = list(getattr(abf, "adcNames", None) or [])
        dac_units = list(getattr(abf, "dacUnits", None) or [])
        dac_names = list(getattr(abf, "dacNames", None) or [])

        def item(seq: list, c: int) -> str:
            return _text(seq[c]) if c < len(seq) else ""

        for c in range(n_ch):
            unit = item(adc_units, c)
            channels.append(ChannelInfo(c, item(adc_names, c), unit, _quantity(unit),
                                        _UNIT_SI.get(unit), item(dac_names, c), item(dac_units, c)))
        rate, length = self._timing(file)
        interval = getattr(abf, "sweepIntervalSec", None)
        self._no_epochs = False
        with warnings.catch_warnings():
            epochs = tuple(self._epochs(channels))
        notes = [_text(t) for t in (getattr(abf, "tagComments", None) or [])]
        if self._no_epochs and epochs:
            volts = epochs[0]["level_unit"] == "V"
            level = epochs[0]["level_SI"] * (1e3 if volts else 1e12)
            notes.append("the protocol declares no command epochs: the command holds at "
                         f"{level:g} {'mV' if volts else 'pA'} throughout; a stimulus applied "
                         "outside the amplifier (e.g. a drug puff) is not in the file")
        self.info = RecordingInfo(
            file=file, format=f"ABF {_text(getattr(abf, 'abfVersionString', ''))}".strip(),
            protocol="" if _text(getattr(abf, "protocol", "")) == "None"
            else _text(getattr(abf, "protocol", "")),
            sweep_count=n_sweeps, sample_rate_Hz=rate, sweep_length_s=length,
            channels=tuple(channels),
            epochs=epochs,
            sweep_interval_s=float(interval) if interval else None,
            recorded=str(getattr(abf, "abfDateTimeString", "") or ""),
            notes=tuple(notes))

    def _timing(self, file: str) -> tuple[float, float]:
        """Sampling rate (Hz) and sweep length (s) from the header, else from sweep 0's times."""
        abf = self._abf
        rate = getattr(abf, "sampleRate", None)
        length = getattr(abf, "sweepLengthSec", None)
        if rate and length:
            return float(rate), float(length)
        try:
            abf.setSweep(0, channel=0)
            t = np.asarray(abf.sweepX, dtype=float)
        except Exception as exc:  # a header without timing and no readable first sweep
            raise DataFileError(f"no sampling rate in the header and sweep 0 cannot be read "
                                f"({type(exc).__name__}: {exc})", file=file) from exc
        dt = float(t[1] - t[0]) if t.size > 1 else float("nan")
        rate = float(rate) if rate else (1.0 / dt if dt > 0 else float("nan"))
        return rate, float(length) if length else float(t.size) / rate

    def _epochs(self, channels: Sequence[ChannelInfo]) -> list[dict]:
        """Epochs of the first command channel from sweep 0, with the level change per sweep."""
        abf = self._abf
        if not channels or channels[0].command_unit not in _UNIT_SI:
            return []  # no command waveform with a known unit (e.g. pyabf's own ABF1 writer)
        factor = _UNIT_SI[channels[0].command_unit]
        try:
            warnings.simplefilter("ignore")  # (inside catch_warnings below) pyabf on odd epochs
            abf.setSweep(0, channel=0)
            ep0 = abf.sweepEpochs
            levels0, p1s, p2s, types = list(ep0.levels), list(ep0.p1s), list(ep0.p2s), list(ep0.types)
            step = [None] * len(levels0)
            if abf.sweepCount > 1:
                abf.setSweep(1, channel=0)
                levels1 = list(abf.sweepEpochs.levels)
                if len(levels1) == len(levels0):
                    step = [b - a for a, b in zip(levels0, levels1, strict=True)]
            abf.setSweep(0, channel=0)
        except Exception:  # noqa: BLE001 - a protocol pyabf cannot decode: no epoch table
            return []
        rate = float(getattr(abf, "sampleRate", 0) or 0)
        if not rate or not getattr(abf, "sweepLengthSec", None):
            return []  # a header without timing: no epoch table
        n = int(round(float(abf.sweepLengthSec) * rate))
        sane = all(0 <= a <= b <= n for a, b in zip(p1s, p2s, strict=True)) and all(
            math.isfinite(float(v)) for v in levels0)
        if not sane:
            return []  # an epoch table pyabf could not decode: none rather than nonsense
        declared = getattr(getattr(abf, "_epochPerDacSection", None), "nEpochNum", None)
        self._no_epochs = declared is not None and len(declared) == 0
        out = []
        for k, (typ, lev, p1, p2, d) in enumerate(zip(types, levels0, p1s, p2s, step, strict=True)):
            name = "holding (pre-sweep)" if k == 0 and p1 == 0 else chr(ord("A") + k - 1)
            if self._no_epochs and k > 0:
                name = "holding"  # pyabf fills a sweep without epochs with the holding level
            out.append({"epoch": name, "type": str(typ), "start_s": p1 / rate, "end_s": p2 / rate,
                        "level_SI": float(lev) * factor,
                        "level_unit": "V" if _quantity(channels[0].command_unit) == "voltage" else "A",
                        "level_step_SI": None if d is None else float(d) * factor})
        return out

    def sweep(self, index: int, channel: int = 0) -> Sweep:
        self.check_sweep(index, channel)
        ch = self.info.channels[channel]
        file = self.info.file
        try:
            self._abf.setSweep(int(index), channel=int(channel))
            t = np.asarray(self._abf.sweepX, dtype=float)
            y = np.asarray(self._abf.sweepY, dtype=float)
        except Exception as exc:  # pyabf raises many kinds on a corrupt sweep
            raise DataFileError(f"sweep {index} cannot be read ({type(exc).__name__}: {exc})",
                                file=file) from exc
        try:  # the command waveform is rebuilt from the protocol, which may not decode
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cmd = np.asarray(self._abf.sweepC, dtype=float)
        except Exception:  # noqa: BLE001 - no usable command: the sweep itself is still good
            cmd = np.empty(0)
        if ch.si_factor is None:
            raise DataFileError(f"channel {channel} has units {ch.unit!r}, which neuromoa cannot "
                                "convert", file=file)
        cmd_factor = _UNIT_SI.get(ch.command_unit)
        command = cmd * cmd_factor if cmd_factor is not None and cmd.size == t.size else None
        cmd_unit = "" if command is None else (
            "V" if _quantity(ch.command_unit) == "voltage" else "A")
        return Sweep(int(index), int(channel), t, y * ch.si_factor, ch.si_unit, command, cmd_unit)


_NWB_RESPONSE_TYPES = ("VoltageClampSeries", "CurrentClampSeries", "IZeroClampSeries",
                       "PatchClampSeries")


class _NwbFile(RecordingFile):
    """NWB 2 icephys: each PatchClampSeries in ``acquisition`` is one sweep of its electrode
    (channel = electrode, in name order; sweep = ``sweep_number`` or the order in the file);
    the stimulus series of the same electrode and sweep is the command."""

    def __init__(self, file: str) -> None:
        try:
            import pynwb
        except ImportError as exc:
            raise MissingExtraError(f"{file}: reading NWB needs pynwb (optional extra); run: "
                                    f"{_NWB_INSTALL}") from exc
        try:
            self._io = pynwb.NWBHDF5IO(file, "r", load_namespaces=True)
            nwb = self._io.read()
        except Exception as exc:  # h5py / hdmf raise many kinds on a damaged file
            raise DataFileError(f"not a readable NWB file ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''})", file=file) from exc
        responses = [s for s in nwb.acquisition.values()
                     if type(s).__name__ in _NWB_RESPONSE_TYPES]
        if not responses:
            kinds = sorted({type(s).__name__ for s in nwb.acquisition.values()}) or ["nothing"]
            raise DataFileError("NWB file holds no intracellular (icephys) recording: acquisition "
                                f"has {', '.join(kinds)}; expected VoltageClampSeries or "
                                "CurrentClampSeries", file=file)
        stimuli = [s for s in nwb.stimulus.values() if hasattr(s, "electrode")]
        electrodes = sorted({s.electrode.name for s in responses})
        self._series: dict[tuple[int, int], object] = {}
        self._stim: dict[tuple[int, int], object] = {}
        for ci, ename in enumerate(electrodes):
            mine = [s for s in responses if s.electrode.name == ename]
            numbers = [s.sweep_number for s in mine]
            if any(n is None for n in numbers) or len(set(numbers)) != len(numbers):
                order = list(range(len(mine)))  # file order
            else:
                order = [sorted(numbers).index(n) for n in numbers]
            for k, s in zip(order, mine, strict=True):
                self._series[(k, ci)] = s
                st = [x for x in stimuli if x.electrode.name == ename
                      and x.sweep_number is not None and x.sweep_number == s.sweep_number]
                if st:
                    self._stim[(k, ci)] = st[0]
        counts = {ci: sum(1 for (_, c) in self._series if c == ci) for ci in range(len(electrodes))}
        n_sweeps = min(counts.values())
        first = self._series[(0, 0)]
        rate = first.rate
        if rate is None or not math.isfinite(rate) or rate <= 0:
            ts = np.asarray(first.timestamps[:2], dtype=float)
            rate = 1.0 / float(ts[1] - ts[0]) if ts.size == 2 and ts[1] > ts[0] else float("nan")
        channels = []
        for ci, ename in enumerate(electrodes):
            s = self._series[(0, ci)]
            unit = str(s.unit)
            st = self._stim.get((0, ci))
            channels.append(ChannelInfo(ci, f"{ename}: {s.name}", unit, _quantity(unit),
                                        _UNIT_SI.get(unit),
                                        st.name if st is not None else "",
                                        str(st.unit) if st is not None else ""))
        length = float(len(first.data)) / float(rate) if rate == rate else float("nan")
        notes = []
        if len(set(counts.values())) > 1:
            notes.append(f"electrodes have different sweep counts {counts}; the first "
                         f"{n_sweeps} sweeps are read")
        interval = None
        if n_sweeps > 1 and (1, 0) in self._series:
            t0, t1 = first.starting_time, self._series[(1, 0)].starting_time
            if t0 is not None and t1 is not None and t1 > t0:
                interval = float(t1 - t0)
        self.info = RecordingInfo(
            file=file, format=f"NWB {getattr(nwb, 'nwb_version', '') or ''}".strip(),
            protocol=str(getattr(first, "description", "") or ""), sweep_count=n_sweeps,
            sample_rate_Hz=float(rate), sweep_length_s=length, channels=tuple(channels),
            epochs=(), sweep_interval_s=interval, recorded=str(nwb.session_start_time or ""),
            notes=tuple(notes))

    @staticmethod
    def _si(series, file: str, what: str) -> np.ndarray:
        data = np.asarray(series.data[:], dtype=float).ravel()
        factor = _UNIT_SI.get(str(series.unit))
        if factor is None:
            raise DataFileError(f"{what} {series.name!r} has unit {series.unit!r}, which "
                                "neuromoa cannot convert (expected amperes or volts)", file=file)
        offset = float(getattr(series, "offset", 0.0) or 0.0)
        return (data * float(series.conversion) + offset) * factor

    def sweep(self, index: int, channel: int = 0) -> Sweep:
        self.check_sweep(index, channel)
        file = self.info.file
        s = self._series[(int(index), int(channel))]
        try:
            y = self._si(s, file, "series")
            if s.rate is not None:
                t = np.arange(y.size) / float(s.rate)
            else:
                t = np.asarray(s.timestamps[:], dtype=float)
                t = t - t[0]
        except DataFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - h5py raises many kinds on a corrupt dataset
            raise DataFileError(f"sweep {index} cannot be read ({type(exc).__name__}: {exc})",
                                file=file) from exc
        st = self._stim.get((int(index), int(channel)))
        command, cmd_unit = None, ""
        if st is not None:
            cmd = self._si(st, file, "stimulus")
            if cmd.size == y.size:
                command = cmd
                cmd_unit = "V" if _quantity(str(st.unit)) == "voltage" else "A"
        return Sweep(int(index), int(channel), t, y, self.info.channels[channel].si_unit,
                     command, cmd_unit)


def open_recording(path: str | Path) -> RecordingFile:
    """Open an ABF or NWB recording (format sniffed from the file's first bytes)."""
    file = str(path)
    fmt = recording_format(file)
    if fmt == "abf":
        return _AbfFile(file)
    return _NwbFile(file)


def recording_info(path: str | Path) -> RecordingInfo:
    """What a recording holds: channels (units), sweeps, sampling rate, protocol and epochs."""
    return open_recording(path).info


def read_recording(path: str | Path, *, channel: int | None = None,
                   sweeps: Sequence[int] | None = None) -> pd.DataFrame:
    """Every sample as a long table ``sweep channel time_s value unit command command_unit``.

    ``value`` and ``command`` are SI (A or V, the unit in ``unit``/``command_unit``).
    """
    rec = open_recording(path)
    chans = range(len(rec.info.channels)) if channel is None else [int(channel)]
    want = range(rec.info.sweep_count) if sweeps is None else [int(s) for s in sweeps]
    parts = []
    for c in chans:
        for s in want:
            sw = rec.sweep(s, c)
            parts.append(pd.DataFrame({
                "sweep": s, "channel": c, "time_s": sw.t_s, "value": sw.y, "unit": sw.unit,
                "command": sw.command if sw.command is not None else np.nan,
                "command_unit": sw.command_unit}))
    return pd.concat(parts, ignore_index=True)


#: Column spellings accepted in a concentration map (lower-cased, spaces to underscores).
_SWEEP_COLS = ("sweep", "sweeps")
_FILE_COLS = ("file", "filename", "recording")
_CONC_HEADER = re.compile(r"^\s*(concentration|conc)\s*[_\s(\[]*\s*([^)\]]*?)\s*[)\]]?\s*$",
                          re.IGNORECASE)


def read_concentration_map(path: str | Path) -> pd.DataFrame:
    """Read a concentration map: which concentration each sweep (or file) was recorded at.

    A CSV with a ``sweep`` column (0-based sweep numbers; ranges ``3-5`` allowed) and/or a
    ``file`` column (a file name), and the concentration as ``concentration`` with the unit in
    each value (``"1 uM"``, ``0``) or in the header (``concentration_uM``, ``conc (nM)``).

    Returns
    -------
    pandas.DataFrame
        ``file`` (name or ``""``), ``sweep`` (int, or -1 for every sweep of the file),
        ``concentration_M``, ``row`` (1-based line in the file, the header being line 1).
    """
    file = str(path)
    p = Path(file)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", file)
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError("concentration map is not UTF-8 text (is it a spreadsheet? save it "
                            "as CSV)", file=file) from exc
    if not text.strip():
        raise DataFileError("concentration map is empty; expected a header "
                            "'sweep,concentration' and one row per sweep", file=file)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    header = [h.strip() for h in rows[0]]
    norm = [h.lower().replace(" ", "_") for h in header]
    sweep_i = next((i for i, h in enumerate(norm) if h in _SWEEP_COLS), None)
    file_i = next((i for i, h in enumerate(norm) if h in _FILE_COLS), None)
    conc_i, header_unit = None, None
    for i, h in enumerate(header):
        m = _CONC_HEADER.match(h)
        if m is not None:
            conc_i, header_unit = i, (m.group(2).strip() or None)
            break
    if conc_i is None or (sweep_i is None and file_i is None):
        raise DataFileError(f"concentration map header {header!r} needs a 'sweep' or 'file' "
                            "column and a 'concentration' column (e.g. 'sweep,concentration_uM')",
                            file=file, row=1)
    out = []
    for lineno, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) < len(header):
            raise DataFileError(f"has {len(r)} field(s), the header has {len(header)}",
                                file=file, row=lineno)
        value = r[conc_i].strip().replace(",", ".") if delim != "," else r[conc_i].strip()
        text_q = value if header_unit is None else f"{value} {header_unit}"
        if header_unit is None and value not in ("0", "0.0") and _is_plain_number(value):
            raise DataFileError(f"concentration {value!r} has no unit; write '{value} uM' or "
                                "name the column 'concentration_uM'", file=file, row=lineno,
                                field=header[conc_i])
        try:
            conc = 0.0 if value in ("0", "0.0") else as_molar(text_q, what="concentration")
        except InputError as exc:
            raise DataFileError(str(exc), file=file, row=lineno, field=header[conc_i]) from exc
        fname = r[file_i].strip() if file_i is not None else ""
        sweeps: list[int] = [-1]
        if sweep_i is not None and r[sweep_i].strip():
            sweeps = _parse_sweeps(r[sweep_i].strip(), file, lineno, header[sweep_i])
        elif file_i is None or not fname:
            raise DataFileError("row names neither a sweep nor a file", file=file, row=lineno)
        for s in sweeps:
            out.append({"file": fname, "sweep": s, "concentration_M": conc, "row": lineno})
    if not out:
        raise DataFileError("concentration map has a header but no rows", file=file)
    frame = pd.DataFrame(out)
    dup = frame[frame.duplicated(["file", "sweep"], keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        where = f"sweep {first['sweep']}" if first["sweep"] >= 0 else f"file {first['file']!r}"
        raise DataFileError(f"{where} is mapped twice (rows {', '.join(map(str, dup['row']))})",
                            file=file)
    return frame


def _parse_sweeps(text: str, file: str, row: int, col: str) -> list[int]:
    out: list[int] = []
    for part in text.replace(";", " ").split():
        a, dash, b = part.partition("-")
        try:
            lo = int(a)
            hi = int(b) if dash else lo
        except ValueError as exc:
            raise DataFileError(f"sweep {text!r} is not a sweep number or range like '3-5'",
                                file=file, row=row, field=col) from exc
        if lo < 0 or hi < lo:
            raise DataFileError(f"sweep {text!r}: sweep numbers start at 0 and a range is "
                                "low-high", file=file, row=row, field=col)
        out.extend(range(lo, hi + 1))
    return out


def _is_plain_number(text: str) -> bool:
    """True when ``text`` is a bare number (so a unit is missing)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
