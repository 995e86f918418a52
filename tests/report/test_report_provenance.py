"""Provenance helpers: every rendered number carries a resolvable source."""

import math

import pytest

from neuromoa.report import Provenance, source_anchor


def test_source_anchor_forms():
    assert source_anchor("ref:doc8") == "ref-doc8"
    assert source_anchor("calc:engagement") == "calc-engagement"
    assert source_anchor("input:doses") == "input-doses"
    assert source_anchor("ref:Wang 2004/a") == "ref-Wang_2004_a"
    for bad in ("engagement", "foo:bar", "ref:"):
        with pytest.raises(ValueError):
            source_anchor(bad)


def test_numbers_are_wrapped_and_recorded():
    p = Provenance()
    html = str(p.conc(3.45e-9, "ref:doc8"))
    assert html == '<span class="num" data-source="ref:doc8">3.45 nM</span>'
    assert str(p.frac(0.5049, "calc:engagement")).endswith(">0.50</span>")
    assert str(p.pct(0.123, "calc:x")).endswith(">12%</span>")
    assert str(p.frac(0.004, "calc:x")).endswith(">&lt;0.01</span>")
    assert str(p.frac(0.0, "calc:x")).endswith(">0.00</span>")
    assert ">11–24 nM<" in str(p.conc_range(11e-9, 24e-9, "ref:doc8"))
    assert ">500 pM–33 µM<" in str(p.conc_range(0.5e-9, 33e-6, "ref:doc8"))
    assert ">0.5–1.1 nM<" in str(p.conc_range(0.5e-9, 1.1e-9, "ref:doc8"))
    assert p.used == {"ref:doc8", "calc:engagement", "calc:x"}


def test_missing_values_render_as_dash_without_source():
    p = Provenance()
    for v in (None, math.nan, math.inf, "abc"):
        assert str(p.num(v, "calc:x")) == "—"
    assert p.used == set()


def test_text_is_escaped():
    p = Provenance()
    assert "&lt;b&gt;" in str(p.text("<b>1</b>", "ref:a"))


def test_refs_link_to_reference_anchors():
    p = Provenance()
    html = str(p.refs(["doc8", "", "wang2004"]))
    assert html.count('data-source="ref:') == 2
    assert 'href="#ref-doc8"' in html and html.startswith("[") and html.endswith("]")
    assert str(p.refs([])) == ""
