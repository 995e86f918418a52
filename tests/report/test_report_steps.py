"""The step registry: missing modules are notes, failures are recorded, order is kept."""

from neuromoa.report import ReportConfig, Step, check_requirements, run_steps


def test_check_requirements():
    assert check_requirements(("neuromoa.errors:check_number",)) == ""
    assert check_requirements(("neuromoa.nosuchmodule:f",)) == (
        "not available: neuromoa.nosuchmodule is not installed/built yet")
    assert check_requirements(("neuromoa.errors:no_such_function",)) == (
        "not available: neuromoa.errors.no_such_function is not installed/built yet")


def test_run_steps_records_every_outcome():
    calls = []

    def ok(config, outcomes):
        calls.append("ok")
        return config.seed + 1

    def boom(config, outcomes):
        raise ValueError("bad thing")

    def uses(config, outcomes):
        return outcomes["a"].value * 10

    steps = (
        Step("a", "A", (), "a", ok),
        Step("b", "B", (), "b", boom),
        Step("c", "C", ("neuromoa.nosuchmodule:f",), "c", ok),
        Step("d", "D", (), "d", uses, after=("a",)),
        Step("e", "E", (), "e", uses, after=("b",)),
    )
    seen = []
    out = run_steps(steps, ReportConfig(seed=4), progress=lambda d, i, n: seen.append((i, n)))
    assert [o.status for o in out.values()] == ["ok", "failed", "unavailable", "ok", "unavailable"]
    assert out["a"].value == 5 and out["d"].value == 50
    assert "ValueError: bad thing" in out["b"].message and "test_report_steps.py" in out["b"].message
    assert out["c"].message.endswith("neuromoa.nosuchmodule is not installed/built yet")
    assert out["e"].message.startswith("not available: needs b (failed: ValueError")
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert calls == ["ok"]


def test_config_sizes_and_dict():
    assert ReportConfig(quick=True).size(3, 30) == 3
    assert ReportConfig().size(3, 30) == 30
    d = ReportConfig().to_dict()
    assert d["doses"] == ["10 mg", "25 mg", "75 mg", "150 mg"] and d["compound"] == "amitriptyline"


def test_figure_from_plot_accepts_the_plot_styles():
    from matplotlib.figure import Figure

    from neuromoa.report.figures import figure_from_plot

    class OwnFigure:
        def plot(self, fig=None):
            fig = fig or Figure(figsize=(3, 9))
            fig.add_subplot(1, 1, 1).plot([0, 1])
            return fig

    class ReturnsAxes:
        def plot(self, ax=None):
            if ax is None:
                ax = Figure(figsize=(5, 2)).add_subplot(1, 1, 1)
            ax.plot([0, 1])
            return ax

    class DrawsOnly:
        def plot(self, ax=None):
            if ax is not None:
                ax.plot([0, 1])

    assert tuple(figure_from_plot(OwnFigure()).get_size_inches()) == (3, 9)
    assert tuple(figure_from_plot(ReturnsAxes()).get_size_inches()) == (5, 2)
    fig = figure_from_plot(DrawsOnly())
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
