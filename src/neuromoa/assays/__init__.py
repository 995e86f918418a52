"""Plate-based protocols as virtual experiments and real analyses: SERT/NET uptake, M1 binding."""
