"""The report has every step ``ok``: nothing unavailable, nothing failed, every step ran.

The quick report runs every step of the full one (only experiment sizes differ), so a step whose
requirements no longer resolve (a renamed function) or that raises makes this test fail, even
where the page itself degrades gracefully into a note.
"""

from neuromoa.report.computations import STEPS


def test_every_step_is_ok(quick_report):
    result, _, _ = quick_report
    assert list(result.outcomes) == [step.name for step in STEPS]
    not_ok = {name: (o.status, o.message) for name, o in result.outcomes.items() if not o.ok}
    assert not_ok == {}
    assert all(o.value is not None for o in result.outcomes.values()), "a step returned nothing"
    assert all(status == "ok" for status in result.sections.values()), result.sections


def test_every_requirement_resolves():
    """Each step's declared ``module:attribute`` requirements import (a rename breaks this)."""
    from neuromoa.report.steps import check_requirements

    missing = {step.name: check_requirements(step.requires) for step in STEPS}
    assert {k: v for k, v in missing.items() if v} == {}
