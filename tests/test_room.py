"""Room mode (issue 13): the real ``serve`` command, a room opening an app at once, and the server's door.

* Pure pieces (no server): the room token, the address people type, the
  Host check, the kernel cap's default, the pages written without a kernel.
* The door (a real ``serve`` with a token, no browser): a request without
  the token gets 403 and starts no kernel; a wrong ``Host`` is refused;
  the landing page needs no kernel; an exercise notebook is refused; past
  the cap a page gets the retrying "room is full" page (503); SIGTERM to
  ``serve`` leaves no process behind. ``serve --ip 0.0.0.0`` makes up a
  token, prints the machine's address with it, and refuses requests
  without it.
* The room (a real ``serve --room N --app screening --token T``; N browser
  contexts in one headless Chromium open the app within a second or two):
  every page becomes a working app (no blank page; each moves its cut and
  shows numpy's count), one participant past capacity sees the retrying
  page and gets in when someone leaves, and after the pages close their
  kernels are shut down within 30 s. Time to usable (p50/p95), kernel
  memory and the rest are printed and written to
  ``test-artifacts/room.json``; speed targets live in the benchmark
  (``benchmarks/bench_load.py``), not here.

Room size in the suite: :data:`ROOM_N` participants (``MTSS_ROOM_N`` to
change it) plus one past capacity. The issue's room is 40. Measured here,
each participant costs about 4 CPU-seconds in the test's own Chromium
(94 requests, 5 MB of JavaScript per page, per browser context), 2 in its
kernel and 0.5 in the server: 40 participants need about 270 CPU-seconds,
over two minutes of both cores with nothing else running, which does not
fit the suite's time budget (a real room's browsers run on the
participants' devices, not on the server). So the suite runs a room of 6
with everything the room of 40 checks, and ``benchmarks/bench_load.py``
runs the full 40 with the same driver (:mod:`room_helpers`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import room_helpers as R  # noqa: E402

from mtss_teach.apps import default_max_kernels, host_allowed, new_token, pages, room  # noqa: E402
from mtss_teach.apps import room_address, room_full_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ROOM_N = int(os.environ.get("MTSS_ROOM_N", "6"))
APP = "modules/02-screening/app.ipynb"


def _need_voila():
    if importlib.util.find_spec("voila") is None:
        if os.environ.get("CI"):
            pytest.fail("voila is not installed (pip install 'mtss-teach[apps]')")
        pytest.skip("voila is not installed")


# ---------------------------------------------------------------------------
# pure pieces
# ---------------------------------------------------------------------------


def test_token_is_fresh_readable_and_compared_exactly():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) == 8 and re.fullmatch(r"[a-hjkmnp-z2-9]+", t) for t in tokens)  # no 0/O/1/l/i
    t = new_token()
    assert room.token_matches(t, t)
    assert not room.token_matches(t[:-1], t) and not room.token_matches(t.upper() + "x", t)
    assert not room.token_matches("", t) and not room.token_matches(None, t)


def test_room_address_is_the_lan_address_with_the_token():
    assert room_address("0.0.0.0", 8866, "abc", lan=["192.168.4.17", "10.0.0.2"]) == \
        "http://192.168.4.17:8866/?token=abc"
    assert room_address("10.1.2.3", 9000, "k") == "http://10.1.2.3:9000/?token=k"
    assert room_address("127.0.0.1", 8866, None) == "http://127.0.0.1:8866/"
    assert room_address("0.0.0.0", 8866, "t", lan=[]) == "http://127.0.0.1:8866/?token=t"  # no network: say so


@pytest.mark.parametrize("host, ok", [
    ("127.0.0.1:8866", True), ("localhost:8866", True), ("LOCALHOST", True), ("[::1]:8866", True),
    ("192.168.4.17:8866", True),  # the room's address
    ("evil.example:8866", False),  # DNS rebinding: another site's name pointed at this machine
    ("192.168.4.18:8866", False), ("127.0.0.1.evil.example", False), ("", False), (None, False),
])
def test_host_header_check(host, ok):
    allowed = room.allowed_hosts("0.0.0.0", lan=["192.168.4.17"])
    assert host_allowed(host, allowed) is ok


def test_a_server_on_this_machine_only_answers_to_this_machine():
    allowed = room.allowed_hosts("127.0.0.1", lan=["192.168.4.17"])
    assert allowed == {"127.0.0.1", "localhost", "::1"}
    assert not host_allowed("192.168.4.17:8866", allowed)


def test_kernel_cap_is_sized_to_free_memory():
    # (available - 1024 MB reserve) // 260 MB per kernel, by hand
    assert default_max_kernels(available_mb=8192) == (8192 - 1024) // 260 == 27
    assert default_max_kernels(available_mb=500) == 2  # never fewer than two
    assert default_max_kernels(available_mb=10**7) == 200
    assert default_max_kernels() >= 2


def test_room_full_page_says_so_and_retries_by_itself():
    html = room_full_page(8, running=40, cap=40)
    assert "The room is full — retrying" in html and "40 of 40 places in use" in html
    assert "location.reload()" in html and "setInterval" in html
    assert "<script src" not in html and "http" not in html.replace("http-equiv", "")  # nothing from elsewhere


def test_landing_page_shows_the_room_address_large_with_a_local_qr_code():
    address = "http://192.168.4.17:8866/?token=abcd2345"
    html = pages.landing_page(address, "abcd2345", room.qr_svg(address))
    assert f'data-room-address="{address}"' in html and "abcd2345" in html
    assert "<svg" in html and "<img" not in html and "src=" not in html  # drawn inline, nothing fetched
    assert "mtss-landing-list" in html and html.count('class="mtss-app-link"') == len(room_helpers_apps())
    # the page carries the QR code of exactly this address (segno's symbol for it, drawn here)
    assert room.qr_svg(address) in html and room.qr_svg(address) != room.qr_svg(address + "x")
    assert "viewBox=" in room.qr_svg(address)  # scales to the size the page gives it, never cropped
    assert "data-room-address" not in pages.landing_page(None)  # on this machine only: no banner


def room_helpers_apps():
    from mtss_teach.apps import APPS

    return APPS


def test_serve_names_what_is_wrong_with_a_room_request(capsys):
    from mtss_teach.apps import main

    assert main(["serve", "--room", "40"]) == 2
    assert "--app" in capsys.readouterr().err  # which app to prepare
    assert main(["serve", "--room", "4", "--app", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "screening" in err  # the bad key, and the valid ones
    assert main(["serve", "--max-kernels", "-1"]) == 2


def test_refused_pages_say_what_to_do():
    assert "room code" in pages.refused_page("token")
    assert "address" in pages.refused_page("host").lower()
    for reason in ("token", "host", "notebook"):
        assert "<h1>" in pages.refused_page(reason)  # never a blank page


# ---------------------------------------------------------------------------
# the door: a real serve, no browser
# ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    try:
        with _OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=60) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def door(tmp_path_factory):
    """``serve --token T --max-kernels 1`` on a free localhost port (no room pool)."""
    _need_voila()
    pytest.importorskip("psutil")
    token = new_token()
    serve = R.Serve(["--token", token, "--max-kernels", "1"], tmp_path_factory.mktemp("door") / "serve.log").start()
    try:
        serve.wait_for(r"Voil. is running at", 120)
        yield serve, token, f"http://127.0.0.1:{serve.port}"
    finally:
        serve.stop()


def _kernels(serve) -> int:
    return len(R.kernel_pids(serve.server_pid()))


@pytest.mark.slow
def test_no_token_403_and_no_kernel_started(door):
    serve, token, base = door
    for path in (f"/voila/render/{APP}", f"/voila/render/{APP}?dataset=healthy", "/voila/render/apps/index.ipynb",
                 "/", "/api/kernels", "/voila/api/contents/", f"/voila/render/{APP}?token=wrong"):
        status, _, body = fetch(base + path)
        assert status == 403, path
        assert "room code" in body, path  # a page that says what to do
    status, _, _ = fetch(base + f"/voila/render/{APP}", {"Cookie": "mtss_room=forged"})
    assert status == 403
    assert _kernels(serve) == 0
    assert R.room_status(base, token)["kernels"] == 0


@pytest.mark.slow
def test_wrong_host_is_refused_even_with_the_token(door):
    serve, token, base = door
    for host in ("evil.example", f"evil.example:{serve.port}", "192.0.2.99"):
        status, _, body = fetch(base + f"/voila/render/{APP}?token={token}", {"Host": host})
        assert status == 403 and "Address not recognised" in body, host
    assert _kernels(serve) == 0


@pytest.mark.slow
def test_token_gives_a_cookie_the_landing_page_needs_no_kernel_exercises_are_refused(door):
    serve, token, base = door
    status, headers, _ = fetch(base + f"/?token={token}")
    assert status == 302 and "token=" not in headers["Location"]
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("mtss_room=") and token not in cookie and "HttpOnly" in headers["Set-Cookie"]
    status, headers, _ = fetch(base + "/", {"Cookie": cookie})
    assert status == 302 and headers["Location"].endswith("/voila/render/apps/index.ipynb")
    status, _, body = fetch(base + "/voila/render/apps/index.ipynb", {"Cookie": cookie})
    assert status == 200 and body.count('class="mtss-app-link"') == len(room_helpers_apps())
    status, _, _ = fetch(base + "/voila/render/modules/04-progress-monitoring/exercise.ipynb", {"Cookie": cookie})
    assert status == 403
    assert _kernels(serve) == 0  # none of this started a kernel


@pytest.mark.slow
def test_past_the_cap_the_room_is_full_page_with_retry(door):
    serve, token, base = door
    auth = {"Authorization": f"token {token}"}
    status, _, body = fetch(base + f"/voila/render/{APP}", auth)  # the one place
    assert status == 200 and "jupyter-config-data" in body
    assert R.room_status(base, token)["kernels"] == 1
    status, headers, body = fetch(base + f"/voila/render/{APP}", auth)
    assert status == 503 and headers.get("Retry-After") and "The room is full — retrying" in body
    assert "location.reload()" in body
    assert R.room_status(base, token)["kernels"] == 1  # the refused page started none


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_serve_on_the_network_makes_a_token_prints_the_room_address_and_stops_cleanly(tmp_path):
    """``serve --ip 0.0.0.0`` (as the guide says): a made-up room code, the LAN address, 403 without the code;
    SIGTERM (a service manager, or Ctrl-C) stops the server, the chart renderer and every kernel."""
    _need_voila()
    psutil = pytest.importorskip("psutil")
    serve = R.Serve(["--ip", "0.0.0.0"], tmp_path / "serve.log").start()
    pids: list[int] = []
    try:
        m = serve.wait_for(r"MTSS Academy apps: (http://(\S+?):(\d+)/\?token=([a-z0-9]+))", 60)
        _, host, port, token = m.groups()
        assert int(port) == serve.port and len(token) == 8
        lan = room.lan_addresses()
        assert host == (lan[0] if lan else "127.0.0.1")
        serve.wait_for(r"Voil. is running at", 120)
        base = f"http://127.0.0.1:{serve.port}"
        assert fetch(base + f"/voila/render/{APP}")[0] == 403
        assert fetch(base + f"/voila/render/{APP}?token={token}")[0] == 302
        assert len(R.kernel_pids(serve.server_pid())) == 0
        # a participant opens the app: one kernel; then the facilitator stops the server
        status, _, _ = fetch(base + "/voila/render/apps/hello.ipynb", {"Authorization": f"token {token}"})
        assert status == 200 and len(R.kernel_pids(serve.server_pid())) == 1
        pids = [serve.proc.pid] + [p.pid for p in psutil.Process(serve.proc.pid).children(recursive=True)]
        assert len(pids) >= 4  # serve, the server, the chart renderer, the kernel
    finally:
        out = serve.stop()
    assert out["left_after_sigterm"] == [], (out, serve.log()[-3000:])
    assert out["stop_seconds"] < 30
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]


# ---------------------------------------------------------------------------
# the room: N participants in one Chromium
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def room_report(browser):
    _need_voila()
    pytest.importorskip("psutil")
    ARTIFACTS.mkdir(exist_ok=True)
    t0 = time.monotonic()
    report = R.room_run(browser, ROOM_N, ARTIFACTS / "room-serve.log", usable_budget_s=120, close_wait_s=45,
                        overflow=True)
    report["seconds"] = time.monotonic() - t0
    (ARTIFACTS / "room.json").write_text(json.dumps(report, indent=1, default=float))
    R.print_report(report)
    return report


@pytest.mark.browser
@pytest.mark.slow
def test_every_participant_gets_a_working_app(room_report):
    r = room_report
    assert r["failures"] == [], json.dumps(r["failures"], indent=1)
    assert r["blank_pages"] == 0
    assert r["time_to_usable_s"]["n"] == ROOM_N
    assert r["moved_and_checked"] == ROOM_N  # each page moved its cut and showed numpy's count
    assert r["kernels_with_pages"] == ROOM_N  # one kernel per participant, all from the prepared pool


@pytest.mark.browser
@pytest.mark.slow
def test_past_capacity_the_room_is_full_page_retries_and_gets_in(room_report):
    o = room_report["overflow"]
    assert o.get("first_status") == 503 and o.get("full_page"), o
    assert "error" not in o and o["got_in_after_s"] is not None, o


@pytest.mark.browser
@pytest.mark.slow
def test_closed_pages_give_their_kernels_back_within_30_s(room_report):
    r = room_report
    assert r["kernels_left_after_close"] == 0, r["status_after_close"]
    assert r["seconds_until_kernels_gone"] <= 30
    assert r["stop"]["left_after_sigterm"] == []  # and serve left nothing running


# ---------------------------------------------------------------------------
# one chart engine for every kernel
# ---------------------------------------------------------------------------

STARTUP_PROBE = r"""
import runpy, sys, json
runpy.run_path(sys.argv[1], run_name="__startup__")   # what IPython runs first in an app kernel
print(json.dumps({m: m in sys.modules for m in ("altair", "vl_convert", "voila", "jupyter_server")}))
"""


@pytest.mark.slow
def test_one_chart_process_for_every_kernel_and_the_kernel_start_imports_nothing_heavy(tmp_path):
    """Kernels send chart calls to the one chart process (tests/test_chart_renderer.py); it also converts
    a plain spec to vl_convert's own SVG, refuses a wrong key, and a kernel's start-up loads no chart stack."""
    import secrets
    import subprocess

    from mtss_teach.apps.render import convert

    vl_convert = pytest.importorskip("vl_convert")
    out = subprocess.run([sys.executable, "-c", STARTUP_PROBE, str(ROOT / "apps" / "kernel_startup.py")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "altair": False, "vl_convert": False, "voila": False, "jupyter_server": False}
    spec = {"mark": "bar", "data": {"values": [{"x": 1}, {"x": 3}]},
            "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    expected = vl_convert.vegalite_to_svg(spec)  # converted here, directly
    key = secrets.token_hex(8)
    port_file = tmp_path / "port"
    proc = subprocess.Popen([sys.executable, "-m", "mtss_teach.apps.render", str(port_file)],
                            env={**os.environ, "MTSS_RENDER_KEY": key}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists() and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.1)
        url = f"http://127.0.0.1:{int(port_file.read_text())}/{key}"
        assert convert(spec, url) == expected
        # a wrong key is refused (nothing else on the machine can use the process)
        for path in ("", "/build"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(urllib.request.Request(url[:-1] + "x" + path, data=b"{}", method="POST"),
                                       timeout=30)
            assert err.value.code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)
