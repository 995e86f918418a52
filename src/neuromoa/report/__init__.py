"""The neuromoa report: everything known and computed about a compound in neurons, in one file.

:func:`build_report` runs the report's steps (each one call into another module: kb, exposure,
engagement, assays, ephys, systems, pathways), renders the sections with jinja2 and writes a
self-contained ``index.html`` (inline CSS and SVG, no scripts, no network) plus the figures as
files. Missing modules become visible notes, not failures. Same seed → same bytes, apart from
the one "Generated:" line.
"""

from neuromoa.report.assemble import (
    TIMESTAMP_PREFIX,
    ReportResult,
    SectionContext,
    SectionSpec,
    build_report,
)
from neuromoa.report.provenance import SOURCE_PREFIXES, Provenance, source_anchor
from neuromoa.report.steps import (
    ReportConfig,
    Step,
    StepOutcome,
    StepUnavailable,
    check_requirements,
    run_steps,
)

__all__ = [
    "SOURCE_PREFIXES",
    "TIMESTAMP_PREFIX",
    "Provenance",
    "ReportConfig",
    "ReportResult",
    "SectionContext",
    "SectionSpec",
    "Step",
    "StepOutcome",
    "StepUnavailable",
    "build_report",
    "check_requirements",
    "run_steps",
    "source_anchor",
]
