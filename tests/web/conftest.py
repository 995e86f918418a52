"""Web fixtures: the app in-process (httpx ASGITransport) and input files of each kind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the [web] extra is not installed")

import httpx  # noqa: E402

XSS = "<script>alert(1)</script>"


def call(app, method: str, url: str, **kwargs) -> httpx.Response:
    """One request to ``app`` in-process (no port, no server)."""

    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def write_curves_csv(path: Path, curve_names=("A", "B")) -> Path:
    rng = np.random.default_rng(1)
    conc = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000]
    lines = ["curve,concentration_nM,response"]
    for k, name in enumerate(curve_names):
        ic50 = 10.0 * (k + 1)
        for c in conc:
            y = 100 / (1 + c / ic50) + rng.normal(0, 2)
            q = '"' + name.replace('"', '""') + '"'
            lines.append(f"{q},{c},{y:.4f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_plate_csv(path: Path) -> Path:
    from typer.testing import CliRunner

    from neuromoa.cli.main import _register_all, app

    _register_all(["assay"])
    res = CliRunner().invoke(app, ["assay", "simulate", "uptake", "--target", "SERT", "--seed",
                                   "3", "--out", str(path)])
    assert res.exit_code == 0, res.output
    return path


@pytest.fixture(scope="session")
def inputs(tmp_path_factory, write_step_abf) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    return {"curves": write_curves_csv(d / "curves.csv"),
            "xss": write_curves_csv(d / "xss.csv", (XSS, "B")),
            "plate": write_plate_csv(d / "plate.csv"),
            "abf": write_step_abf(d / "rec.abf")}


@pytest.fixture
def make_app(tmp_path):
    from neuromoa.web.app import WebConfig, create_app

    def make(**cfg):
        data = tmp_path / "data"
        return create_app(None, config=WebConfig(data_dir=data, **cfg))

    return make
