"""Assemble the report: run the steps, render the sections, write ``DIR/index.html`` and figures."""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from neuromoa.report.figures import FigureStore
from neuromoa.report.provenance import Provenance, source_anchor
from neuromoa.report.steps import ReportConfig, Step, StepOutcome, run_steps
from neuromoa.report.style import report_style

__all__ = ["ReportResult", "SectionContext", "SectionSpec", "TIMESTAMP_PREFIX", "build_report",
           "make_environment"]

#: The one line of the HTML that differs between two runs with the same seed starts with this.
TIMESTAMP_PREFIX = "Generated:"


@dataclass(frozen=True)
class SectionSpec:
    """One section of the report: ``render(ctx) -> Markup`` builds its body from step outcomes."""

    key: str
    number: int
    title: str
    steps: tuple[str, ...]
    render: Callable[[SectionContext], Markup]
    collapsible: bool = False  # long sections open in <details> (closed on the first screen)


@dataclass
class SectionContext:
    """What a section's ``render`` gets: inputs, step outcomes, provenance, figures, templates."""

    config: ReportConfig
    outcomes: Mapping[str, StepOutcome]
    prov: Provenance
    figures: FigureStore
    env: Environment
    steps: Mapping[str, Step]
    #: The raw result keys and values shown in the tables (``card → {key: value}``): report.json.
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        """The value of step ``name`` (only call after checking ``ok(name)``)."""
        return self.outcomes[name].value

    def ok(self, name: str) -> bool:
        """True when step ``name`` ran and produced a value."""
        return name in self.outcomes and self.outcomes[name].ok

    def note(self, *names: str) -> Markup:
        """A visible note for every step in ``names`` that is not ok ("" when all are)."""
        parts = []
        for name in names:
            out = self.outcomes.get(name)
            if out is None:
                msg, cls = f"not available: step {name} was not run", "note"
            elif out.ok:
                continue
            else:
                msg = out.message
                cls = "note failed" if out.status == "failed" else "note"
            title = self.steps[name].title if name in self.steps else name
            parts.append(Markup('<p class="{}"><strong>{}</strong> — {}</p>').format(
                cls, title, msg))
        return Markup("\n").join(parts)

    def render(self, template: str, **values: Any) -> Markup:
        """Render ``templates/<template>`` with the provenance helpers and ``values``."""
        return Markup(self.env.get_template(template).render(
            config=self.config, ctx=self, prov=self.prov, figures=self.figures, **values))


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote and how each step and section went."""

    path: str
    out_dir: str
    outcomes: dict[str, StepOutcome]
    sections: dict[str, str]
    figures: tuple[str, ...]
    seconds: float
    section_seconds: dict[str, float] = field(default_factory=dict)
    figure_checks: dict[str, list[str]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: path, per-step status and message, per-section status, figures."""
        return {"path": self.path, "out_dir": self.out_dir,
                "steps": [o.to_dict() for o in self.outcomes.values()],
                "sections": dict(self.sections), "figures": list(self.figures),
                "seconds": round(self.seconds, 2),
                "section_seconds": {k: round(v, 2) for k, v in self.section_seconds.items()},
                "figure_checks": {k: list(v) for k, v in self.figure_checks.items()},
                "results": self.results}

    def to_frame(self):  # noqa: ANN201 - pandas imported lazily
        """One row per step: name, status, message, seconds."""
        import pandas as pd

        return pd.DataFrame([o.to_dict() for o in self.outcomes.values()],
                            columns=["name", "status", "message", "seconds"])

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{escape(o.name)}</td><td>{escape(o.status)}</td>"
                       f"<td>{escape(o.message)}</td></tr>" for o in self.outcomes.values())
        return (f"<b>neuromoa report</b> {escape(self.path)} ({len(self.figures)} figures)"
                f"<table><tr><th>step</th><th>status</th><th>message</th></tr>{rows}</table>")

    @property
    def problems(self) -> list[StepOutcome]:
        """Steps that failed (not the unavailable ones): bugs to look at."""
        return [o for o in self.outcomes.values() if o.status == "failed"]


def make_environment() -> Environment:
    """The jinja2 environment of the report: package templates, autoescape, strict undefined."""
    env = Environment(loader=PackageLoader("neuromoa.report", "templates"),
                      autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["anchor"] = source_anchor
    return env


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("neuromoa")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _check_compound(name: str) -> None:
    """Fail early on an unknown compound (when the knowledge base is there to ask)."""
    from neuromoa.report.steps import check_requirements

    if check_requirements(("neuromoa.kb:load_kb",)):
        return
    from neuromoa.kb import load_kb

    load_kb().compound(name)


def build_report(out_dir: str | Path, config: ReportConfig | None = None, *,
                 progress: Callable[[str, int, int], None] | None = None,
                 steps: Sequence[Step] | None = None,
                 sections: Sequence[SectionSpec] | None = None,
                 now: _dt.datetime | None = None, force: bool = False) -> ReportResult:
    """Run every step, render every section and write ``out_dir/index.html`` plus figures.

    Parameters
    ----------
    out_dir : path
        Folder to write (created): ``index.html`` (self-contained: inline CSS and SVG, no
        scripts, no network), ``figures/*.svg`` (pathways also ``.png``) and ``report.json``
        (status of each step).
    config : ReportConfig
        Compound, doses, quick/full, seed.
    progress : callable, optional
        ``progress(description, done, total)``, called as the steps run and sections render.
    steps, sections : sequences, optional
        Replace the registries (tests use this to simulate missing modules).
    now : datetime, optional
        Time for the one timestamp line (default: now, UTC).
    force : bool
        Replace ``out_dir`` even when it holds files that are not an earlier neuromoa output.

    The folder is checked before any work (:func:`neuromoa.report.output.check_output_dir`),
    locked against a second writer, written into a temporary folder and renamed into place
    when complete: it is the previous complete output or the new one, never a mix.

    Returns
    -------
    ReportResult
    """
    from neuromoa.data.compounds import use_user_data
    from neuromoa.report.output import staged_output

    start = time.perf_counter()
    config = config or ReportConfig()
    with use_user_data(config.user_data):  # the user's compounds reach every step
        _check_compound(config.compound)
        final = Path(out_dir)
        with staged_output(final, kind="report", force=force,
                           meta={"version": _package_version()}) as tmp:
            result = _build(tmp, final, config, start, progress, steps, sections, now)
    return result


def _render_section(ctx: SectionContext, spec: SectionSpec, rendered: list[dict[str, Any]],
                    status: dict[str, str], section_seconds: dict[str, float],
                    progress: Callable[[str, int, int], None] | None, done: int,
                    total: int) -> None:
    if progress is not None:
        progress(f"section {spec.title}", done, total)
    t0 = time.perf_counter()
    try:
        html = spec.render(ctx)
        status[spec.key] = "ok"
    except Exception as exc:  # noqa: BLE001 - one section's bug must not lose the report
        html = Markup('<p class="note failed"><strong>This section failed</strong> — {}: {}</p>'
                      ).format(type(exc).__name__, escape(str(exc)))
        status[spec.key] = f"failed: {type(exc).__name__}: {exc}"
    rendered.append({"key": spec.key, "number": spec.number, "title": spec.title, "html": html,
                     "collapsible": spec.collapsible})
    section_seconds[spec.key] = time.perf_counter() - t0


def _build(out: Path, final: Path, config: ReportConfig, start: float,
           progress: Callable[[str, int, int], None] | None, steps: Sequence[Step] | None,
           sections: Sequence[SectionSpec] | None, now: _dt.datetime | None) -> ReportResult:
    from neuromoa.report.computations import STEPS
    from neuromoa.report.sections import SECTIONS

    step_list = tuple(steps if steps is not None else STEPS)
    section_list = tuple(sections if sections is not None else SECTIONS)
    n_total = len(step_list) + len(section_list)

    def step_progress(desc: str, done: int, total: int) -> None:
        if progress is not None:
            progress(desc, done, n_total)

    outcomes = run_steps(step_list, config, progress=step_progress)
    env = make_environment()
    ctx = SectionContext(config, outcomes, Provenance(), FigureStore(), env,
                         {s.name: s for s in step_list})
    rendered = []
    status: dict[str, str] = {}
    section_seconds: dict[str, float] = {}
    with report_style():  # one figure style for every module's plot()
        for i, spec in enumerate(section_list):
            _render_section(ctx, spec, rendered, status, section_seconds, progress,
                            len(step_list) + i, n_total)
    if progress is not None:
        progress("writing files", n_total, n_total)

    stamp = (now or _dt.datetime.now(_dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    css = env.loader.get_source(env, "style.css")[0]  # type: ignore[union-attr]
    page = env.get_template("report.html.j2").render(
        config=config, sections=rendered, css=Markup(css), version=_package_version(),
        timestamp_line=f"{TIMESTAMP_PREFIX} {stamp}")

    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    ctx.figures.write(out / "figures")
    seconds = time.perf_counter() - start
    result = ReportResult(str(final / "index.html"), str(final), outcomes, status,
                          tuple(f.name for f in ctx.figures), seconds, section_seconds,
                          ctx.figures.checks(), ctx.results)
    (out / "report.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n",
                                     encoding="utf-8")
    return result
