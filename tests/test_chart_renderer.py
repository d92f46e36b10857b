"""App charts drawn by the room server's one chart process (issue #13: kernel memory).

In a kernel of the room server an app sends each chart as a call (builder
name and arguments) to ``python -m mtss_teach.apps.render``; the kernel then
never imports Altair. These tests start the real chart process, point a
fresh Python process at it the way the server points its kernels, build the
Screening explorer there and check: the SVG is the one the same builder
draws locally (vl-convert in both places), Altair was not imported, a chart
the data cannot make gives the same sentence as a local draw, and a process
that cannot be reached (wrong key) leaves the app drawing its own charts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, os, sys
from mtss_teach.widgets import ScreeningExplorer
from mtss_teach.widgets._charts import wait_for_charts, chart_call, ChartPane
app = ScreeningExplorer.from_dataset("healthy", draw="background")
wait_for_charts()
remote = {name: (p.svg, p.spec, p.error) for name, p in app.charts.items()}
altair_before = "altair" in sys.modules
# a chart the data cannot make: weeks and scores of different lengths
from mtss_teach import progress
line = progress.aimline([1, 2, 3], [30, 32, 31], goal=55, goal_week=14)
bad = app.charts["roc"]
bad.draw(chart_call("progress_chart", [1, 2, 3], [30, 31], line))
wait_for_charts()
bad_error = bad.error
# the same charts drawn here, with the same builders (this imports Altair)
os.environ.pop("MTSS_CHART_RENDERER", None)
app2 = ScreeningExplorer.from_dataset("healthy", draw="sync")
local = {name: (p.svg, p.spec, p.error) for name, p in app2.charts.items()}
bad.draw(chart_call("progress_chart", [1, 2, 3], [30, 31], line)); wait_for_charts()
print(json.dumps({"altair_before": altair_before, "same": {n: remote[n] == local[n] for n in local},
                  "svg": {n: remote[n][0][:4] for n in remote}, "bad_remote": bad_error, "bad_local": bad.error}))
"""


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    port_file = tmp_path_factory.mktemp("render") / "port"
    key = "k" * 32
    proc = subprocess.Popen([sys.executable, "-m", "mtss_teach.apps.render", str(port_file)], cwd=str(ROOT),
                            env={**os.environ, "MTSS_RENDER_KEY": key})
    try:
        deadline = time.monotonic() + 90
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the chart process did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{int(port_file.read_text())}", key
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _probe(url: str) -> dict:
    env = {**os.environ, "MTSS_CHART_RENDERER": url, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=str(ROOT), env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def test_the_chart_process_draws_the_same_charts_and_the_app_never_imports_altair(renderer):
    base, key = renderer
    got, log = _probe(f"{base}/{key}")
    assert got["altair_before"] is False
    assert got["same"] == {"confusion": True, "roc": True, "distribution": True}
    assert set(got["svg"].values()) == {"<svg"}
    # the data cannot make this chart: the same sentence as when drawn here, not a crash
    assert "length" in got["bad_remote"] and got["bad_remote"] == got["bad_local"]
    assert "drawing it here" not in log


def test_a_chart_process_that_refuses_leaves_the_app_drawing_its_own_charts(renderer):
    base, _ = renderer
    got, log = _probe(f"{base}/{'x' * 32}")  # wrong key: 403
    assert got["same"] == {"confusion": True, "roc": True, "distribution": True}
    assert got["altair_before"] is True  # drawn here, so Altair was needed
    assert "drawing it here" in log


def test_the_server_and_the_apps_agree_on_where_the_chart_process_is():
    from mtss_teach.apps.render import ENV
    from mtss_teach.widgets._charts import RENDERER_ENV

    assert ENV == RENDERER_ENV == "MTSS_CHART_RENDERER"
