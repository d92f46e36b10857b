"""Drive the academy's JupyterHub (deploy/jupyterhub_config.py) the way learners do.

Used by tests/test_hub.py and benchmarks/bench_hub.py. Everything runs on
127.0.0.1 with free ports, under one temporary folder:

* :func:`start_hub` starts ``jupyterhub -f deploy/jupyterhub_config.py`` with
  the configuration's environment variables pointing into the folder;
* :class:`Learner` logs in through the hub's login form (a cookie session,
  as a browser has), starts its server, fetches and submits through the
  nbgrader Assignments endpoints of its own Jupyter server, and runs a
  notebook's cells in a kernel of that server over its websocket (what
  JupyterLab's "Run All" does), then saves it;
* :func:`stop_hub` stops the hub (which stops the proxy, the culler and
  every learner's server) and then checks that no process the hub started
  is left, killing and reporting any that is.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HUB_CONFIG = DEPLOY / "jupyterhub_config.py"
COURSE_ID = "mtss-academy"
PASSWORD = "learners-shared-secret"
ADMIN_PASSWORD = "instructor-secret-of-at-least-32-characters"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proxy_command() -> Path | None:
    """``node_modules/.bin/configurable-http-proxy`` (``npm ci``), if installed."""
    exe = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
    return exe if exe.exists() else None


@dataclass
class Hub:
    url: str
    proc: subprocess.Popen
    base: Path
    env: dict
    log: Path
    started: float
    pids: dict = field(default_factory=dict)  # pid -> create time, of every process seen under the hub

    @property
    def homes(self) -> Path:
        return self.base / "homes"

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def remember(self) -> None:
        """Note every process now under the hub, so :func:`stop_hub` checks it even if it is orphaned later."""
        import psutil

        for pid in self.descendants():
            try:
                self.pids.setdefault(pid, psutil.Process(pid).create_time())
            except psutil.NoSuchProcess:
                pass

    def descendants(self) -> set[int]:
        """Every live process under the hub process (proxy, culler, servers, kernels)."""
        import psutil

        try:
            return {p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            return set()


def hub_environment(base: Path, roster: Path, *, instructors=("instructor",), cull_timeout: int = 3600,
                    cull_every: int = 300, activity_interval: int = 300) -> tuple[dict, str]:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "MTSS_HUB_STATE": str(base / "state"),
        "MTSS_HUB_HOMES": str(base / "homes"),
        "MTSS_HUB_ROSTER": str(roster),
        "MTSS_HUB_INSTRUCTORS": ",".join(instructors),
        "MTSS_HUB_PASSWORD": PASSWORD,
        "MTSS_HUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "MTSS_EXCHANGE": str(base / "exchange"),
        "MTSS_HUB_IP": "127.0.0.1",
        "MTSS_HUB_PORT": str(port),
        "MTSS_HUB_API_PORT": str(free_port()),
        "MTSS_HUB_PROXY_API_PORT": str(free_port()),
        "MTSS_HUB_CULL_TIMEOUT": str(cull_timeout),
        "MTSS_HUB_CULL_EVERY": str(cull_every),
        "MTSS_HUB_ACTIVITY_INTERVAL": str(activity_interval),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    })
    return env, f"http://127.0.0.1:{port}"


def start_hub(base: Path, roster: Path, *, timeout: float = 90, **kw) -> Hub:
    """Start the hub with the shipped configuration; returns once its API answers."""
    base.mkdir(parents=True, exist_ok=True)
    env, url = hub_environment(base, roster, **kw)
    log = base / "jupyterhub.log"
    t0 = time.perf_counter()
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)], cwd=str(base),
                                env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(url, proc, base, env, log, t0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited with {proc.returncode}:\n{hub.log_tail()}")
        try:
            if requests.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                return hub
        except requests.RequestException:
            pass
        time.sleep(0.25)
    stop_hub(hub)
    raise RuntimeError(f"jupyterhub did not answer within {timeout} s:\n{hub.log_tail()}")


def stop_hub(hub: Hub, timeout: float = 30) -> list[str]:
    """Stop the hub and everything it started; returns the processes that had to be killed.

    The hub is sent SIGTERM (it then stops every learner's server and the
    proxy and the culler); any process that was under it and is still alive
    after ``timeout`` seconds is killed with its process group and listed.
    """
    import psutil

    hub.remember()
    watched = dict(hub.pids)

    def still_running(pid: int) -> bool:
        """The same process (not a reused pid), alive and not a zombie."""
        try:
            p = psutil.Process(pid)
            return p.create_time() == watched[pid] and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    if hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)
        try:
            hub.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait(timeout=10)
    deadline = time.monotonic() + timeout
    alive = []
    while time.monotonic() < deadline:
        alive = [p for p in watched if still_running(p)]
        if not alive:
            return []
        time.sleep(0.25)
    leftovers = []
    for pid in alive:
        try:
            p = psutil.Process(pid)
            leftovers.append(f"{pid} {' '.join(p.cmdline())[:160]}")
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except (psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            pass
    return leftovers


def memory_mb(pids) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS) memory of processes, in MB (PSS counts shared pages fairly)."""
    import psutil

    rss = pss = 0.0
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return {"rss": rss / 2**20, "pss": pss / 2**20}


# ---------------------------------------------------------------------------
# a learner
# ---------------------------------------------------------------------------


class HubError(RuntimeError):
    pass


class Learner:
    """One learner's browser-like session with the hub (cookies, XSRF tokens)."""

    def __init__(self, hub: Hub, name: str, password: str = PASSWORD):
        self.hub, self.name, self.password = hub, name, password
        self.s = requests.Session()
        self.server = f"{hub.url}/user/{quote(name)}"
        self.spawn_seconds: float | None = None

    # -- hub ----------------------------------------------------------------
    def login(self) -> requests.Response:
        self.s.get(f"{self.hub.url}/hub/login", timeout=30)
        data = {"username": self.name, "password": self.password, "_xsrf": self.s.cookies.get("_xsrf", "")}
        return self.s.post(f"{self.hub.url}/hub/login", data=data, allow_redirects=False, timeout=30)

    def user_model(self) -> dict:
        r = self.s.get(f"{self.hub.url}/hub/api/user", timeout=30)
        r.raise_for_status()
        return r.json()

    def spawn(self, timeout: float = 120) -> float:
        """Start the learner's server (the hub's spawn page); returns seconds until it is ready."""
        t0 = time.perf_counter()
        r = self.s.get(f"{self.hub.url}/hub/spawn/{quote(self.name)}", allow_redirects=False, timeout=60)
        if r.status_code not in (200, 302, 303):
            raise HubError(f"{self.name}: spawn answered HTTP {r.status_code}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.user_model().get("servers", {}).get("")
            if server and server.get("ready"):
                self.spawn_seconds = time.perf_counter() - t0
                self.hub.remember()
                return self.spawn_seconds
            time.sleep(0.2)
        raise HubError(f"{self.name}: server not ready after {timeout} s\n{self.hub.log_tail()}")

    def server_pid(self) -> int | None:
        """The pid of the learner's Jupyter server (a child of the hub, HOME in its home folder)."""
        import psutil

        home = str(self.hub.homes / self.name)
        for pid in self.hub.descendants():
            try:
                p = psutil.Process(pid)
                if p.environ().get("JUPYTERHUB_USER") == self.name and p.cwd() == home and \
                        "jupyterhub.singleuser" in " ".join(p.cmdline()):
                    return pid
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return None

    # -- the learner's own server ----------------------------------------------
    def open_lab(self) -> requests.Response:
        """GET /user/<name>/lab: the hub's OAuth hand-off sets the server's cookies."""
        r = self.s.get(f"{self.server}/lab", timeout=60)
        r.raise_for_status()
        return r

    def _headers(self) -> dict:
        return {"X-XSRFToken": self.s.cookies.get("_xsrf", path=f"/user/{quote(self.name)}/")
                or self.s.cookies.get("_xsrf") or ""}

    def api(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 120)
        return self.s.request(method, f"{self.server}{path}", headers=self._headers(), **kw)

    def assignments(self, course: str = COURSE_ID) -> list[dict]:
        r = self.api("GET", "/assignments", params={"course_id": course})
        r.raise_for_status()
        return r.json()["value"] if isinstance(r.json(), dict) and "value" in r.json() else r.json()

    def fetch(self, assignment: str, course: str = COURSE_ID):
        r = self.api("POST", "/assignments/fetch", data={"course_id": course, "assignment_id": assignment})
        r.raise_for_status()
        return r.json()

    def submit(self, assignment: str, course: str = COURSE_ID):
        r = self.api("POST", "/assignments/submit", data={"course_id": course, "assignment_id": assignment})
        r.raise_for_status()
        return r.json()

    def get_notebook(self, path: str) -> dict:
        r = self.api("GET", f"/api/contents/{quote(path)}", params={"content": 1})
        r.raise_for_status()
        return r.json()["content"]

    def save_notebook(self, path: str, nb: dict) -> None:
        r = self.api("PUT", f"/api/contents/{quote(path)}", json={"type": "notebook", "format": "json",
                                                                      "content": nb})
        r.raise_for_status()

    def run_notebook(self, path: str, nb: dict, timeout: float = 120) -> dict:
        """Run every code cell in a kernel of the learner's server (like JupyterLab's Run All), keep outputs."""
        import websocket

        r = self.api("POST", "/api/sessions", json={"path": path, "name": Path(path).name, "type": "notebook",
                                                    "kernel": {"name": "python3"}})
        r.raise_for_status()
        kernel_id = r.json()["kernel"]["id"]
        ws_url = self.server.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)
        ws = websocket.create_connection(ws_url, header=[f"Cookie: {cookie}"], timeout=timeout,
                                         origin=self.hub.url)
        session = uuid.uuid4().hex
        try:
            for cell in nb["cells"]:
                if cell["cell_type"] != "code":
                    continue
                src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                cell["outputs"], cell["execution_count"] = self._execute(ws, session, src, timeout)
        finally:
            ws.close()
        return nb

    def _execute(self, ws, session: str, code: str, timeout: float):
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": session, "msg_type": "execute_request",
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": False},
        }))
        outputs, count, idle, replied = [], None, False, False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise HubError(f"{self.name}: a cell did not finish within {timeout} s")
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "execute_reply":
                replied, count = True, content.get("execution_count")
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("display_data", "execute_result"):
                out = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = content.get("execution_count")
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                                "traceback": content["traceback"]})
        return outputs, count
