"""Starting and stopping the room server as a process: its command, its environment, :class:`VoilaServer`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Mapping, Sequence

from .registry import apps_dir, repo_root
from .site import build_site, kernel_profile

__all__ = ["voila_command", "voila_env", "free_port", "VoilaServer", "child_dies_with_parent", "stop_group"]


def voila_command(port: int, site: Path, root: Path | None = None, preheat: int = 0,
                  extra: Sequence[str] = (), ip: str = "127.0.0.1", token: str | None = None,
                  pool: Mapping[str, int] | None = None, max_kernels: int = 0,
                  address: str | None = None, ready_file: Path | None = None) -> list[str]:
    """The command line that starts the room server on ``ip:port`` (default: this machine only) serving ``site``.

    ``preheat`` keeps that many pre-heated kernels for every notebook;
    ``pool`` maps app notebooks to a number of pre-heated kernels (a room
    prepared for one app); ``max_kernels`` caps the kernels (0: sized to the
    free memory); ``token`` is the room token every request must carry.

    Examples
    --------
    >>> from pathlib import Path
    >>> from mtss_teach.apps import voila_command
    >>> cmd = voila_command(8899, Path("/tmp/site"))
    >>> cmd[1:3], "--port=8899" in cmd and "--Voila.ip=127.0.0.1" in cmd and cmd[-1] == "/tmp/site"
    (['-m', 'mtss_teach.apps.server'], True)
    """
    root = root or repo_root()
    opts = [f"--port={int(port)}", f"--Voila.ip={ip}", "--Voila.port_retries=0",
            f"--Voila.config_file_paths={apps_dir(root)}"]
    pools = {k: int(v) for k, v in (pool or {}).items() if int(v) > 0}
    if preheat > 0 or pools:
        opts += ["--preheat_kernel=True", f"--pool_size={max(int(preheat), 0)}"]
    if pools:
        opts.append(f"--RoomVoila.room_pool={json.dumps(pools)}")
    if token:
        opts.append(f"--RoomVoila.room_token={token}")
    if max_kernels:
        opts.append(f"--RoomVoila.max_kernels={int(max_kernels)}")
    if address:
        opts.append(f"--RoomVoila.room_address={address}")
    if ready_file:
        opts.append(f"--RoomVoila.ready_file={ready_file}")
    return [sys.executable, "-m", "mtss_teach.apps.server", "--no-browser", *opts, *extra, str(site)]


def voila_env(root: Path | None = None, preheat: int = 0, ipython_dir: Path | None = None) -> dict[str, str]:
    """Environment for the server: ``JUPYTER_PATH`` finds the "mtss" template first.

    ``MTSS_VOILA_PREHEAT=1`` tells ``apps/voila.py`` to leave out the
    pre-launch hook, which Voila cannot combine with pre-heated kernels
    (the room server checks the app list itself in every mode).
    ``ipython_dir`` (from :func:`kernel_profile`) becomes ``IPYTHONDIR``, which
    the kernels inherit.
    """
    env = dict(os.environ)
    tpl = str(apps_dir(root) / "jupyter")
    env["JUPYTER_PATH"] = tpl + (os.pathsep + env["JUPYTER_PATH"] if env.get("JUPYTER_PATH") else "")
    env["MTSS_VOILA_PREHEAT"] = "1" if preheat > 0 else "0"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if ipython_dir is not None:
        env["IPYTHONDIR"] = str(ipython_dir)
    return env


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_dies_with_parent() -> None:
    """``preexec_fn``: the child gets SIGTERM when the process that started it dies (Linux; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def stop_group(proc: subprocess.Popen, timeout: float = 20.0) -> int | None:
    """Stop a server started in its own session: SIGTERM (it shuts its kernels down), then SIGKILL to the group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
            proc.wait(timeout=10)
    try:  # anything left in its group (the server is gone, a helper may linger)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    return proc.returncode


class VoilaServer:
    """The room server on localhost for tests, benchmarks and ``serve``; a context manager.

    Parameters
    ----------
    port : int, optional
        Default: a free port.
    root : Path, optional
        The repository (default: found from the package).
    preheat : int
        Pre-heated kernels kept per notebook (0: none, the default).
    extra : sequence of str
        More Voila command-line options.
    log_path : Path, optional
        Where the server's output goes (default: a temporary file).
    token : str, optional
        Room token: every request must carry it (:meth:`url` adds it).
    pool : mapping, optional
        App notebook -> pre-heated kernels for it (a room prepared in advance).
    max_kernels : int
        Kernel cap (0: sized to the free memory).
    ip : str
        Address to listen on (the tests use 127.0.0.1).

    Examples
    --------
    >>> from mtss_teach.apps import VoilaServer
    >>> server = VoilaServer(port=8899)
    >>> server.url("modules/02-screening/app.ipynb")
    'http://127.0.0.1:8899/voila/render/modules/02-screening/app.ipynb'
    >>> VoilaServer(port=8899, token="abc").url("apps/index.ipynb?x=1")
    'http://127.0.0.1:8899/voila/render/apps/index.ipynb?x=1&token=abc'
    """

    def __init__(self, port: int | None = None, root: Path | None = None, preheat: int = 0,
                 extra: Sequence[str] = (), log_path: Path | None = None, token: str | None = None,
                 pool: Mapping[str, int] | None = None, max_kernels: int = 0, ip: str = "127.0.0.1") -> None:
        self.root = root or repo_root()
        self.port = int(port) if port else free_port()
        self.preheat = int(preheat)
        self.extra = list(extra)
        self.token = token
        self.pool = dict(pool or {})
        self.max_kernels = int(max_kernels)
        self.ip = ip
        self._tmp = Path(tempfile.mkdtemp(prefix="mtss-room-"))
        self.log_path = Path(log_path) if log_path else self._tmp / "voila.log"
        self.ready_file = self._tmp / "ready.json"
        self.site: Path | None = None
        self.ipython_dir: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, token: bool = True) -> str:
        """The address of a notebook on this server (with the room token, if the server has one)."""
        u = f"{self.base}/voila/render/{path}"
        if self.token and token:
            u += ("&" if "?" in u else "?") + f"token={self.token}"
        return u

    def start(self, timeout: float = 60.0, wait_ready: bool = False) -> "VoilaServer":
        """Build the site folder, start the server and wait until it answers (and, with ``wait_ready``, its pools)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.site = build_site(self._tmp / "site", self.root)
        self.ipython_dir = kernel_profile(self._tmp / "ipython", self.root)
        self._log = open(self.log_path, "w")
        cmd = voila_command(self.port, self.site, self.root, self.preheat, self.extra, ip=self.ip,
                            token=self.token, pool=self.pool, max_kernels=self.max_kernels,
                            ready_file=self.ready_file)
        self.proc = subprocess.Popen(cmd, cwd=str(self.site),
                                     env=voila_env(self.root, self.preheat or sum(self.pool.values()),
                                                   self.ipython_dir),
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=child_dies_with_parent)
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voila exited with code {self.proc.returncode}:\n{self.log()}")
            try:
                req = urllib.request.Request(f"{self.base}/voila/api/contents/", headers=headers)
                with urllib.request.urlopen(req, timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        else:
            self.stop()
            raise RuntimeError(f"Voila did not answer on port {self.port} within {timeout:g} s:\n{self.log()}")
        if wait_ready and self.pool:
            self.wait_ready(max(1.0, deadline - time.monotonic()))
        return self

    def wait_ready(self, timeout: float) -> dict:
        """Wait until the server says its pools are full ("Room ready"); returns what it wrote."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped while preparing the room:\n{self.log()}")
            if self.ready_file.exists():
                try:
                    return json.loads(self.ready_file.read_text())
                except ValueError:
                    pass
            time.sleep(0.25)
        raise RuntimeError(f"the room was not ready within {timeout:g} s:\n{self.log()}")

    def log(self) -> str:
        """What the server has written so far."""
        try:
            return self.log_path.read_text()[-6000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM: Voila shuts its kernels down), then make sure its whole group is gone."""
        if self.proc is not None:
            stop_group(self.proc, timeout)
            self.proc = None
        try:
            self._log.close()
        except Exception:  # noqa: BLE001
            pass
        for attr in ("site", "ipython_dir"):
            setattr(self, attr, None)
        if self.log_path.parent != self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
        else:  # keep the log (it is in the temporary folder); drop the rest
            for p in self._tmp.iterdir():
                if p != self.log_path:
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)

    def __enter__(self) -> "VoilaServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
