"""The Voila app server's pieces (mtss_teach.apps, apps/), without starting a server.

The browser tests (tests/test_voila_apps.py) start the real server; these
check the list of apps, the landing page, the notebooks themselves, the
server configuration and the rules that keep exercise notebooks out.
"""

from __future__ import annotations

import json
import os
import types
from html import escape
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from mtss_teach import apps as A
from mtss_teach import widgets

ROOT = Path(__file__).resolve().parents[1]


def test_every_app_has_a_notebook_building_its_widget_in_one_cell():
    assert len({a.key for a in A.APPS}) == len(A.APPS)
    for a in A.APPS:
        nb = nbformat.read(ROOT / a.path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert len(code) == 1, a.path
        assert code[0].source.strip().endswith(f"{a.widget}.app()"), a.path
        assert code[0].outputs == [] and not code[0].get("execution_count")
        assert all("nbgrader" not in c.metadata for c in nb.cells)
        text = json.dumps(nb).lower()
        assert "solution" not in text and "exercise.ipynb" not in text and "hidden" not in text
        assert nb.metadata["kernelspec"]["name"] == "python3"
        if a.key != "your_data":  # the upload app belongs to no course
            assert a.course in a.path and (ROOT / "modules" / a.course).is_dir()


@pytest.mark.parametrize("app", A.APPS, ids=lambda a: a.key)
def test_app_cell_runs_and_builds_the_widget(app):
    nb = nbformat.read(ROOT / app.path, as_version=4)
    src = next(c.source for c in nb.cells if c.cell_type == "code")
    *body, last = src.strip().splitlines()
    ns: dict = {}
    exec("\n".join(body), ns)
    built = eval(last, ns)
    assert type(built).__name__ == app.widget
    assert isinstance(built, getattr(widgets, app.widget))
    assert built.message == "" and built.metrics


def test_landing_page_lists_every_app_with_its_purpose():
    html = A.landing_html()
    for a in A.APPS:
        assert f'href="../{a.path}"' in html and escape(a.title) in html and escape(a.purpose) in html
    nb = nbformat.read(ROOT / A.LANDING, as_version=4)
    assert "landing()" in nb.cells[-1].source
    bad = A.landing_html([A.App("x", "a<b>.ipynb", "<script>", "p & q", "W", "c")])
    assert "<script>" not in bad and "&lt;script&gt;" in bad and "p &amp; q" in bad


def test_only_app_notebooks_are_allowed():
    for rel in A.app_paths():
        assert A.allowed_notebook(rel)
        assert A.allowed_notebook("/" + rel)
    for rel in ["modules/04-progress-monitoring/exercise.ipynb",
                "modules/02-screening/../04-progress-monitoring/exercise.ipynb",
                "modules/02-screening/app.ipynb/../exercise.ipynb", "release/02-screening/exercise.ipynb",
                "apps/other.ipynb", ""]:
        assert not A.allowed_notebook(rel), rel
    graded = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {}})])
    assert not A.allowed_notebook(A.APPS[0].path, graded)


def test_prelaunch_hook_refuses_with_403():
    from tornado.web import HTTPError

    def req(path):
        return types.SimpleNamespace(request=types.SimpleNamespace(path=path))

    ok = nbformat.v4.new_notebook()
    assert A.prelaunch_hook(req("/voila/render/modules/02-screening/app.ipynb"), ok, "modules/02-screening") is None
    with pytest.raises(HTTPError) as err:
        A.prelaunch_hook(req("/voila/render/modules/02-screening/exercise.ipynb"), ok, "modules/02-screening")
    assert err.value.status_code == 403
    with pytest.raises(HTTPError):
        A.prelaunch_hook(req("/voila/render/modules%2F02-screening%2Fexercise.ipynb"), ok, "")


def test_site_folder_holds_only_the_apps(tmp_path):
    site = A.build_site(tmp_path)
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink())
    assert found == sorted(A.app_paths())
    for rel in found:
        assert (site / rel).resolve() == (ROOT / rel).resolve()
    assert A.build_site(tmp_path) == site  # building again replaces the links


def test_server_command_and_environment(tmp_path):
    cmd = A.voila_command(8123, tmp_path)
    assert cmd[-1] == str(tmp_path) and "--port=8123" in cmd and "--Voila.ip=127.0.0.1" in cmd
    assert cmd[1:3] == ["-m", "mtss_teach.apps.server"]  # the room server, Voila behind its door
    assert f"--Voila.config_file_paths={ROOT / 'apps'}" in cmd and not any("preheat" in c for c in cmd)
    assert not any("room_token" in c for c in cmd)
    warm = A.voila_command(8123, tmp_path, preheat=2)
    assert "--preheat_kernel=True" in warm and "--pool_size=2" in warm
    room = A.voila_command(8123, tmp_path, token="t0k", pool={"modules/02-screening/app.ipynb": 40}, max_kernels=45)
    assert "--RoomVoila.room_token=t0k" in room and "--RoomVoila.max_kernels=45" in room
    assert '--RoomVoila.room_pool={"modules/02-screening/app.ipynb": 40}' in room
    assert "--preheat_kernel=True" in room and "--pool_size=0" in room  # only the room's app is pre-heated
    env = A.voila_env()
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(ROOT / "apps" / "jupyter")
    assert env["MTSS_VOILA_PREHEAT"] == "0" and A.voila_env(preheat=1)["MTSS_VOILA_PREHEAT"] == "1"
    port = A.free_port()
    assert 0 < port < 65536


def _config(preheat: str):
    old = os.environ.get("MTSS_VOILA_PREHEAT")
    os.environ["MTSS_VOILA_PREHEAT"] = preheat
    try:
        return PyFileConfigLoader("voila.py", path=str(ROOT / "apps")).load_config()
    finally:
        if old is None:
            del os.environ["MTSS_VOILA_PREHEAT"]
        else:
            os.environ["MTSS_VOILA_PREHEAT"] = old


def test_server_configuration():
    c = _config("0")
    vc = c.VoilaConfiguration
    assert vc.template == "mtss" and vc.strip_sources is True and vc.show_tracebacks is False
    assert vc.allow_template_override == "NO"
    assert vc.prelaunch_hook is A.prelaunch_hook
    assert "@voila-dashboards/widgets-manager8" in vc.extension_allowlist
    assert c.Voila.ip == "127.0.0.1"
    km = c.MappingKernelManager
    assert km.cull_idle_timeout > 0 and km.cull_interval > 0 and km.cull_connected is False
    assert "exercise*.ipynb" in c.ContentsManager.hide_globs
    assert "prelaunch_hook" not in _config("1").VoilaConfiguration  # incompatible with pre-heated kernels
    # kernels on IPC sockets: no TCP port to lose to another process when a room starts 40 at once
    assert c.KernelManager.transport == "ipc"


def test_template_loads_nothing_from_elsewhere():
    tpl = ROOT / "apps" / "jupyter" / "voila" / "templates" / "mtss"
    assert json.loads((tpl / "conf.json").read_text())["base_template"] == "lab"
    for f in tpl.iterdir():
        text = f.read_text()
        for remote in ("http://", "https://", "jsdelivr", "cdnjs", "unpkg"):
            assert remote not in text, (f.name, remote)
    assert "super.super()" in (tpl / "index.html.j2").read_text()  # skips the lab block with the CDN links
    assert "voila/render/apps/index.ipynb" in (tpl / "tree-lab.html").read_text()


def test_list_command(capsys):
    assert A.main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(a.path in out for a in A.APPS)


def test_kernel_profile_and_environment(tmp_path):
    ipdir = A.kernel_profile(tmp_path / "ipython")
    startup = ipdir / "profile_default" / "startup" / "00-mtss-app-kernel.py"
    assert startup.read_text() == (ROOT / "apps" / "kernel_startup.py").read_text()
    assert A.voila_env(ipython_dir=ipdir)["IPYTHONDIR"] == str(ipdir)
    assert "IPYTHONDIR" not in A.voila_env() or A.voila_env()["IPYTHONDIR"] == os.environ.get("IPYTHONDIR")


def _run_in_kernel(code: str, env: dict[str, str]) -> str:
    """Run ``code`` in a real IPython kernel started with ``env``; return what it printed."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        out: list[str] = []
        reply = kc.execute_interactive(code, timeout=120,
                                       output_hook=lambda m: out.append(m["content"].get("text", ""))
                                       if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


PROBE = """
import sys, altair as alt, pandas as pd
blocked = "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None
ok = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q").to_dict()["mark"]["type"]
try:
    alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x=alt.X("x:Q", bin="yes")).to_dict()
    caught = "no error"
except Exception as e:
    caught = type(e).__name__
print(blocked, ok, caught)
"""


@pytest.mark.slow
def test_app_kernels_skip_jsonschemas_iri_checker_and_altair_still_validates(tmp_path):
    """The start-up file runs in a kernel started with the server's environment, and only there."""
    ipdir = A.kernel_profile(tmp_path / "ipython")
    served = _run_in_kernel(PROBE, A.voila_env(ipython_dir=ipdir)).split()
    # the checker's module is marked absent; Altair builds and still rejects a bad spec
    assert served == ["True", "bar", "SchemaValidationError"]
    plain = _run_in_kernel(PROBE, {**os.environ, "IPYTHONDIR": str(tmp_path / "plain")}).split()
    assert plain[0] == "False" and plain[1:] == ["bar", "SchemaValidationError"]


def test_building_an_app_does_not_import_scipy_stats_or_the_chart_stack(tmp_path):
    """What an app kernel imports before its first numbers show (heavy modules come later, if at all)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from mtss_teach.widgets import ScreeningExplorer, AimlineCoach, DecisionRuleLab\n"
            "for cls in (ScreeningExplorer, AimlineCoach, DecisionRuleLab):\n"
            "    cls.app(draw='off')\n"
            "print(sorted(m for m in ('scipy.stats', 'altair', 'vl_convert', 'jsonschema') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        addr, p = local.split(":")
        if int(p, 16) == port and state == "0A":
            found.add(addr)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
@pytest.mark.parametrize("ip, expect", [(None, "0100007F"), ("0.0.0.0", "00000000")])
def test_serve_listens_on_this_machine_only_unless_told(ip, expect):
    """``serve`` binds 127.0.0.1 by default (0100007F); ``--ip 0.0.0.0`` opens it to the room (00000000)."""
    import subprocess
    import sys
    import time
    import urllib.request

    import urllib.error

    port = A.free_port()
    cmd = [sys.executable, "-m", "mtss_teach.apps", "serve", "--port", str(port)] + (["--ip", ip] if ip else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/api/contents/", timeout=2):
                    break
            except urllib.error.HTTPError:  # answering (403 without the room token)
                break
            except OSError:
                time.sleep(0.3)
        assert _listening(port) == {expect}
    finally:
        A.stop_group(proc)


def test_the_preheated_kernels_wait_speaks_voilas_protocol():
    """mtss_teach.widgets._voila.wait_for_request mirrors voila.utils.wait_for_request (voila 0.5)
    without importing the Voila server: same variable names, same query socket route."""
    import inspect
    import re

    from voila import app as voila_app
    from voila.utils import ENV_VARIABLE

    from mtss_teach.widgets import _voila

    src = inspect.getsource(_voila)
    used = set(re.findall(r'"(VOILA_[A-Z_]+)"', src)) | set(re.findall(r"'(VOILA_[A-Z_]+)'", src))
    assert used == {"VOILA_PREHEAT", "VOILA_WS_PROTOCOL", "VOILA_APP_IP", "VOILA_APP_PORT", "VOILA_WS_BASE_URL",
                    "VOILA_SERVER_URL", "VOILA_KERNEL_ID"}
    assert used <= {e.value for e in ENV_VARIABLE}
    assert "voila/query" in inspect.getsource(voila_app) and "voila/query/" in src
