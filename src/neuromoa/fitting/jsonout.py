"""The fast JSON writer of a :class:`~neuromoa.fitting.results.BatchFit` (a million curves is
~0.6 GB of JSON): text built by column, numbers by the compiled formatter of
:mod:`neuromoa.fitting._jsontext` (shortest round-trip representation, NaN/inf → null).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from neuromoa.fitting import _kernels as K
from neuromoa.fitting._jsontext import format_records, format_rows_bytes
from neuromoa.fitting._text import jsonable as _jsonable
from neuromoa.fitting.flags import flag_names

if TYPE_CHECKING:
    from neuromoa.fitting.results import BatchFit

__all__ = ["batch_json_parts", "to_json", "write_json"]


def _id_texts(ids: np.ndarray) -> list[str]:
    """JSON texts of curve ids (integers as is, strings escaped by the C encoder)."""
    from json.encoder import encode_basestring

    if ids.dtype.kind in "iu":
        return ids.astype(np.int64).astype(str).tolist()
    out = []
    for v in ids.tolist():
        if isinstance(v, str):
            out.append(encode_basestring(v))
        else:
            out.append(json.dumps(_jsonable(v)))
    return out



def batch_json_parts(self: BatchFit) -> list[bytes]:
    """The JSON text of ``BatchFit.to_dict()`` in three byte parts (head, body, tail), the
    body formatted by column by the compiled formatter."""
    n = len(self)
    shift = self.shift
    loc = self.model.location
    names = self.model.names
    p, se, lo, hi = self._views()
    free_k = [k for k in range(self.params.shape[1]) if self.free[k]]
    cols: list[np.ndarray] = []
    pre: list[str] = []
    for k, nm in enumerate(names):
        cols.append(p[:, k])
        pre.append(f'"{nm}":')
    with np.errstate(over="ignore"):
        lic50 = self._log_ic50(p) if n else np.empty(0)
        if loc != "log_ic50":
            cols += [lic50, 10.0 ** p[:, K.LOGC]]
            pre += ['"log_ic50":', f'"{self.model.linear}":']
        cols.append(10.0 ** lic50)
        pre.append('"ic50":')
    cols.append(self.ic50_gt)
    pre.append('"ic50_gt":')
    for j, k in enumerate(free_k):
        cols.append(se[:, k])
        pre.append(('"se":{' if j == 0 else "") + f'"{names[k]}":')
    for j, k in enumerate(free_k):
        cols += [lo[:, k], hi[:, k]]
        pre += [("}," if j == 0 else "") + ('"ci95":{' if j == 0 else "") + f'"{names[k]}":[',
                ","]
        pre[-2] = pre[-2] if j == 0 else "]," + pre[-2]
    cols += [self.rss, self.r2, self.aicc, self.n, self.df]
    pre += ["]}," if free_k else '"se":{},"ci95":{},', '"r2":', '"aicc":', '"n":', '"df":']
    pre[-5] += '"rss":'
    pre = [pre[0]] + ["," + q if not q.startswith(("]", "}", ",")) else q for q in pre[1:]]
    is_int = [False] * (len(cols) - 2) + [True, True]
    # text columns: curve id, status, message (head); flags[, outliers] (tail)
    ids = _id_texts(self.curve_ids)
    table: list[str] = list(ids)
    st_base = len(table)
    table += [json.dumps(s) for s in self.STATUS]
    bits = self.flag_bits.astype(np.int64)
    ubits, inv = np.unique(bits, return_inverse=True)
    msg_base = len(table)
    table += [json.dumps(self.message_for_bits(int(b))) for b in ubits]
    msg_idx = msg_base + inv
    for i in sorted(set(self.reasons) | set(self.notes)):
        msg_idx[i] = len(table)
        table.append(json.dumps(self.message(i)))
    flag_base = len(table)
    table += [json.dumps(flag_names(int(b))) for b in ubits]
    cols_idx = [np.arange(n), st_base + self.status_code.astype(np.int64), msg_idx,
                flag_base + inv]
    tpre = ['{"curve":', ',"status":', ',"message":', ',"flags":']
    eff_base = len(table)
    eff_names = ["", "agonist", "inhibitor"]
    table += [json.dumps(e) for e in eff_names]
    eff = self.effect
    cols_idx.append(eff_base + np.where(eff == "agonist", 1, np.where(eff == "inhibitor", 2, 0))
                    .astype(np.int64).reshape(-1))
    tpre.append(',"effect":')
    if self.outliers:
        out_idx = np.full(n, len(table), dtype=np.int64)
        table.append("[]")
        for i, rows_ in self.outliers.items():
            out_idx[i] = len(table)
            table.append(json.dumps([_jsonable(v) for v in rows_]))
        cols_idx.append(out_idx)
        tpre.append(',"outliers":')
    raw_idx = np.full(n, len(table), dtype=np.int64)
    table.append("null")
    rows = np.flatnonzero(self.withheld & np.isfinite(self.params).any(axis=1))
    if rows.size:  # the optimiser's values of withheld curves, formatted by the kernel
        raw = self.params[rows].copy()
        raw[:, K.LOGC] -= shift
        keys = list(names)
        if loc != "log_ic50":
            raw = np.column_stack([raw, self._log_ic50(raw)])
            keys.append("log_ic50")
        texts = format_records(raw, ["{" * (j == 0) + ("," if j else "") + f'"{k}":'
                                     for j, k in enumerate(keys)])
        raw_idx[rows] = len(table) + np.arange(rows.size)
        table += [t + "}" for t in texts]
    cols_idx.append(raw_idx)
    tpre.append(',"raw":')
    body = format_rows_bytes(np.column_stack(cols), ["," + pre[0]] + pre[1:], is_int,
                             table, np.column_stack(cols_idx), tpre, 3, "}") if n else b""
    meta = {"model": self.model.name, "unit": self.unit, "se_method": self.se_method,
            "ci_method": self.ci_method, "shared": list(self.shared)}
    cmp = json.dumps(self.comparison.to_dict() if self.comparison else None,
                     allow_nan=False)
    head = json.dumps(meta)[:-1] + ',"fits":['
    return [head.encode("utf-8"), body, ('],"comparison":' + cmp + "}").encode("utf-8")]


def to_json(batch: BatchFit, indent: int | None = None) -> str:
    """The JSON text of ``batch.to_dict()``, built by column (fast for a million curves).

    Numbers with 16 significant digits; NaN/inf → null. With ``indent`` the (slower)
    standard encoder formats ``batch.to_dict()``."""
    if indent is not None:
        return json.dumps(batch.to_dict(), indent=indent, allow_nan=False)
    return b"".join(batch_json_parts(batch)).decode("utf-8")


def write_json(batch: BatchFit, fh) -> None:
    """Write :func:`to_json`'s text as UTF-8 to the binary file ``fh`` without building the
    whole string (a million curves is ~0.6 GB of JSON)."""
    for part in batch_json_parts(batch):
        fh.write(part)
