"""A patient: CYP2D6 and CYP2C19 genotype, weight, age, sex — the inputs exposure can use."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from neuromoa.errors import ParameterError, UnitError
from neuromoa.exposure.genotype import Genotype, parse_genotype
from neuromoa.units import as_body_kg

__all__ = ["Patient", "REFERENCE_AGE_Y", "REFERENCE_WEIGHT_KG", "resolve_dose"]

#: The reference patient of the shipped parameters: a 70 kg adult (the covariate models'
#: reference weight, data/exposure/covariates.csv) of 40 years, *1/*1 for both genes.
REFERENCE_WEIGHT_KG = 70.0
REFERENCE_AGE_Y = 40.0
#: Plausible adult ranges; outside them a value is an input error, not an extrapolation.
WEIGHT_RANGE_KG = (20.0, 300.0)
AGE_RANGE_Y = (0.0, 120.0)
SEXES = ("female", "male")
_PER_KG = re.compile(r"^\s*([-+0-9.eE]+)\s*([a-zA-Zµ]+)\s*/\s*kg\s*$")


@dataclass(frozen=True)
class Patient:
    """Who takes the drug. Every field is optional; None means the reference value.

    ``describe()`` says what is assumed: without any field the patient is "an average adult
    (70 kg, 40 y) normal metaboliser (CYP2D6 *1/*1, CYP2C19 *1/*1)".
    """

    cyp2d6: Genotype | None = None
    cyp2c19: Genotype | None = None
    weight_kg: float | None = None
    age_y: float | None = None
    sex: str | None = None

    @classmethod
    def from_options(cls, cyp2d6: object = None, cyp2c19: object = None, weight: object = None,
                     age: object = None, sex: object = None) -> Patient:
        """Build a patient from user text: ``Patient.from_options(cyp2d6="*1/*4", weight="55 kg",
        age=78, sex="female")``. Raises a clear error for an unknown allele, a weight ≤ 0 …"""
        g6 = None if cyp2d6 in (None, "") else parse_genotype("CYP2D6", cyp2d6)
        g19 = None if cyp2c19 in (None, "") else parse_genotype("CYP2C19", cyp2c19)
        w = None if weight in (None, "") else _weight_kg(weight)
        a = None
        if age not in (None, ""):
            try:
                a = float(age)  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise ParameterError(f"age {age!r} must be a number of years") from exc
            if not (AGE_RANGE_Y[0] <= a <= AGE_RANGE_Y[1]):
                raise ParameterError(f"age {age!r} must be in {AGE_RANGE_Y[0]:g}-{AGE_RANGE_Y[1]:g} y")
        s = None
        if sex not in (None, ""):
            s = str(sex).strip().lower()
            s = {"f": "female", "m": "male", "woman": "female", "man": "male"}.get(s, s)
            if s not in SEXES:
                raise ParameterError(f"sex {sex!r} must be female or male")
        return cls(g6, g19, w, a, s)

    @property
    def is_reference(self) -> bool:
        """True when nothing was given (the average adult normal metaboliser)."""
        return all(v is None for v in (self.cyp2d6, self.cyp2c19, self.weight_kg, self.age_y,
                                       self.sex))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe ``{"cyp2d6": {...}, "cyp2c19": {...}, "weight_kg", "age_y", "sex",
        "assumed", "description"}``; a field not given holds the reference value and is listed
        in ``assumed`` (sex stays None: it has no effect in the model)."""
        ref6 = self.cyp2d6 or parse_genotype("CYP2D6", "*1/*1")
        ref19 = self.cyp2c19 or parse_genotype("CYP2C19", "*1/*1")
        assumed = [name for name, v in (("cyp2d6", self.cyp2d6), ("cyp2c19", self.cyp2c19),
                                         ("weight_kg", self.weight_kg), ("age_y", self.age_y))
                   if v is None]
        return {"cyp2d6": ref6.to_dict(), "cyp2c19": ref19.to_dict(),
                "weight_kg": REFERENCE_WEIGHT_KG if self.weight_kg is None else self.weight_kg,
                "age_y": REFERENCE_AGE_Y if self.age_y is None else self.age_y,
                "sex": self.sex, "assumed": assumed, "description": self.describe()}

    def describe(self) -> str:
        """One line: the patient, with the reference values that stand in for missing fields."""
        g6 = (f"CYP2D6 {self.cyp2d6.diplotype or self.cyp2d6.given} ({self.cyp2d6.phenotype}, "
              f"AS {self.cyp2d6.activity:g})") if self.cyp2d6 else "CYP2D6 *1/*1 (NM, assumed)"
        g19 = (f"CYP2C19 {self.cyp2c19.diplotype or self.cyp2c19.given} ({self.cyp2c19.phenotype})"
               if self.cyp2c19 else "CYP2C19 *1/*1 (NM, assumed)")
        w = f"{self.weight_kg:g} kg" if self.weight_kg is not None else f"{REFERENCE_WEIGHT_KG:g} kg (assumed)"
        a = f"{self.age_y:g} y" if self.age_y is not None else f"{REFERENCE_AGE_Y:g} y (assumed)"
        head = "average adult extensive (normal) metaboliser: " if self.is_reference else ""
        sex = f", {self.sex}" if self.sex else ""
        return f"{head}{g6}, {g19}, {w}, {a}{sex}"


def _weight_kg(weight: object) -> float:
    if isinstance(weight, int | float) and not isinstance(weight, bool):
        w = float(weight)
    else:
        text = str(weight).strip()
        if text.startswith("-"):
            raise ParameterError(f"weight {weight!r} must be positive (kg)")
        try:
            w = float(text)
        except ValueError:
            try:
                w = as_body_kg(text, what="weight (--weight)")
            except UnitError as exc:
                raise ParameterError(f"weight {weight!r}: give a mass such as '55 kg'") from exc
    if not math.isfinite(w) or w <= 0:
        raise ParameterError(f"weight {weight!r} must be positive (kg)")
    if not (WEIGHT_RANGE_KG[0] <= w <= WEIGHT_RANGE_KG[1]):
        raise ParameterError(f"weight {weight!r} is outside the adult range "
                             f"{WEIGHT_RANGE_KG[0]:g}-{WEIGHT_RANGE_KG[1]:g} kg")
    return w


def resolve_dose(dose: object, patient: Patient | None = None) -> str | float:
    """A dose as a mass: ``"10 mg/kg"`` × the patient's weight → ``"550 mg"``; other doses unchanged.

    Raises :class:`ParameterError` for a per-kg dose without a weight.
    """
    if not isinstance(dose, str):
        return dose  # type: ignore[return-value]
    m = _PER_KG.match(dose)
    if not m:
        return dose
    if patient is None or patient.weight_kg is None:
        raise ParameterError(f"dose {dose!r} is per kg: give the patient's weight (--weight '55 kg')")
    try:
        amount = float(m.group(1))
    except ValueError as exc:
        raise UnitError(f"dose {dose!r}: {m.group(1)!r} is not a number") from exc
    return f"{amount * patient.weight_kg:.12g} {m.group(2)}"
