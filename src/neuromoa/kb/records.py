"""Frozen records of the knowledge base: compounds, targets, affinities and assay constants.

Every record carries its source (a reference id resolvable in ``references.csv``) and a
confidence (``H`` primary source or label, ``M`` abstract or several agreeing secondary
sources, ``U`` unverified), and converts to a JSON-safe dict with :meth:`to_dict`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from neuromoa.data.compounds import CompoundIdentity

__all__ = ["Affinity", "Compound", "Constant", "Target"]


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def _to_dict(record: object) -> dict[str, object]:
    return {k: _json_value(v) for k, v in asdict(record).items()}  # type: ignore[call-overload]


#: A compound of the knowledge base: the one identity record of :mod:`neuromoa.data.compounds`
#: (names, salt, identifiers, physicochemistry, parent; ``mw(salt)`` gives the weight).
Compound = CompoundIdentity


@dataclass(frozen=True)
class Target:
    """A molecular target and the functional consequence of engaging it.

    Attributes
    ----------
    id : str
        Contract id (``SERT NET DAT M1..M5 H1 H2 alpha1 Nav Nav1.5 NMDA hERG Kv1.1
        Kv7.2/7.3 TrkA TrkB`` plus ``muscarinic`` and ``Nav1.7``).
    genes, uniprot : tuple of str
        HGNC symbols and human UniProt accessions.
    family : str
        ``"transporter"``, ``"GPCR"``, ``"ion channel"`` or ``"receptor tyrosine kinase"``.
    consequence : str
        What engaging the target does (e.g. H1 → sedation, weight gain).
    effect_class : str
        ``"therapeutic"``, ``"adverse"`` or ``"mixed"``.
    reference : str
        Reference id(s) for the consequence (``;``-separated).
    """

    id: str
    name: str
    genes: tuple[str, ...]
    uniprot: tuple[str, ...]
    family: str
    consequence: str
    effect_class: str
    reference: str
    confidence: str = "U"
    synonyms: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-safe dict of every field."""
        return _to_dict(self)


@dataclass(frozen=True)
class Affinity:
    """One affinity or potency value of a compound at a target, in molar.

    ``value_M`` is the geometric mean of ``low_M`` and ``high_M`` (a single value has
    low = high = value). ``text`` is the value exactly as the source printed it; ``reference``
    the source's reference id(s) and ``corrected_reference`` the primary source where
    FACTS.md corrects the citation; ``source`` is the one to cite (corrected if any).
    """

    compound: str
    target: str
    value_M: float
    low_M: float
    high_M: float
    measure: str
    condition: str
    species: str
    reference: str
    text: str
    unit: str = ""
    state: str = ""
    mode: str = ""
    corrected_reference: str = ""
    correction: str = ""
    confidence: str = "U"
    origin: str = ""
    key: str = ""
    citation: str = ""
    user: bool = False

    @property
    def source(self) -> str:
        """The reference to cite: the corrected primary source if there is one."""
        return self.corrected_reference or self.reference

    def to_dict(self) -> dict[str, object]:
        """JSON-safe dict of every field plus ``source``."""
        out = _to_dict(self)
        out["source"] = self.source
        return out


@dataclass(frozen=True)
class Constant:
    """A sourced assay or model constant (e.g. the Km of 5-HT at SERT).

    ``value`` and ``unit`` are as stored; ``value_si`` is the value in the package's canonical
    unit (M, s, V; dimensionless stays as is); ``low_si``/``high_si`` a range when one is given
    (NaN otherwise).
    """

    name: str
    value: float
    unit: str
    value_si: float
    reference: str
    confidence: str
    note: str = ""
    low_si: float = math.nan
    high_si: float = math.nan

    def to_dict(self) -> dict[str, object]:
        """JSON-safe dict of every field."""
        return _to_dict(self)
