"""Patient options shared by ``exposure``, ``engage``, ``population``, ``dose`` and ``tdm``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from neuromoa.exposure import Patient

__all__ = ["AGE", "CYP2C19", "CYP2D6", "SEX", "WEIGHT", "patient_from_options"]

CYP2D6 = typer.Option(None, "--cyp2d6",
                      help='CYP2D6 diplotype ("*1/*4", "*1/*1x2"), activity score ("AS=1.5") '
                           "or phenotype (PM, IM, NM, UM).")
CYP2C19 = typer.Option(None, "--cyp2c19",
                       help='CYP2C19 diplotype ("*1/*2", "*1/*17") or phenotype (PM, IM, NM, '
                            "RM, UM).")
WEIGHT = typer.Option(None, "--weight", help='Body weight, e.g. "55 kg".')
AGE = typer.Option(None, "--age", help="Age in years.")
SEX = typer.Option(None, "--sex", help="female or male (no PK effect in the model: none published).")


def patient_from_options(cyp2d6: str | None, cyp2c19: str | None, weight: str | None,
                         age: str | None, sex: str | None) -> Patient:
    """The :class:`~neuromoa.exposure.Patient` the options describe (errors are one line).

    ``neuromoa.exposure`` is imported here, not with the options: a command that only declares
    them (``neuromoa engage --conc ...``) does not pay for the exposure models."""
    from neuromoa.exposure import Patient

    return Patient.from_options(cyp2d6=cyp2d6, cyp2c19=cyp2c19, weight=weight, age=age, sex=sex)
