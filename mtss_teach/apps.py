"""Voila apps for facilitators: the list of apps, the server, and one command to start it.

Start every app on this machine with one command (from the repository)::

    python -m mtss_teach.apps serve            # http://127.0.0.1:8866/voila/render/apps/index.ipynb
    python -m mtss_teach.apps serve --port 9000
    python -m mtss_teach.apps serve --ip 0.0.0.0   # others in the room connect (trusted network only)
    python -m mtss_teach.apps list             # the apps and their purposes

    python -m mtss_teach.apps serve --preheat  # keep one warm kernel per app (faster first page)

The server is Voila (0.5) on localhost. It serves a *site* folder made at
start-up (:func:`build_site`) that holds only the app notebooks (links to
``modules/<course>/app.ipynb``, ``apps/index.ipynb``), so exercise
notebooks with their answer keys are not even in the tree it serves. The
configuration is ``apps/voila.py``: the "mtss" template in
``apps/jupyter/voila/templates/mtss`` (Voila's "lab" template without its
CDN links; the front page redirects to the landing page), sources
stripped, no tracebacks shown, only the widget manager loaded, idle
kernels culled, and -- without ``--preheat`` -- a pre-launch hook
(:func:`prelaunch_hook`) that refuses any notebook that is not an app, a
second lock on the same door. Every kernel the server starts runs
``apps/kernel_startup.py`` first (:func:`kernel_profile`), which trims its
start-up. The landing page ``apps/index.ipynb`` lists
every app with its purpose and a link.

With ``--preheat``, Voila keeps a pool of one pre-executed kernel per
notebook (about 150 MB each), so an app's page appears as fast as a
hello-world notebook's; Voila cannot combine that pool with a pre-launch
hook, so the site folder is then the only lock.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import unquote

__all__ = [
    "App",
    "APPS",
    "LANDING",
    "BASELINE",
    "repo_root",
    "apps_dir",
    "app_paths",
    "landing_html",
    "landing",
    "allowed_notebook",
    "build_site",
    "prelaunch_hook",
    "voila_command",
    "voila_env",
    "kernel_profile",
    "free_port",
    "VoilaServer",
    "main",
]


@dataclass(frozen=True)
class App:
    """One facilitator app: where its notebook is and what it is for."""

    key: str
    path: str
    title: str
    purpose: str
    widget: str
    course: str


#: Every app, in course order (one notebook per app; 01, 03 and 06 share the data-meeting app).
APPS: tuple[App, ...] = (
    App("foundations", "modules/01-foundations/app.ipynb", "MTSS at work in one grade",
        "The components in one screen: screening scores sorted into tiers by written criteria, against 80/15/5.",
        "DataMeeting", "01-foundations"),
    App("screening", "modules/02-screening/app.ipynb", "Screening explorer",
        "Move the cut score: who is flagged, who is missed, sensitivity, specificity, PPV and the ROC curve.",
        "ScreeningExplorer", "02-screening"),
    App("tier1", "modules/03-tier1-placement/app.ipynb", "Tier 1 health and placement",
        "Sort a grade into tiers by your criteria, against 80/15/5, with classwide math problems by classroom.",
        "DataMeeting", "03-tier1-placement"),
    App("aimline", "modules/04-progress-monitoring/app.ipynb", "Aimline coach",
        "Step through one student's progress week by week; commit to a decision, then see the rule and the truth.",
        "AimlineCoach", "04-progress-monitoring"),
    App("decision_lab", "modules/05-decision-rules/app.ipynb", "Decision-rule lab",
        "Set measurement error, weeks of data and the rule: see how often the decision is right.",
        "DecisionRuleLab", "05-decision-rules"),
    App("data_meeting", "modules/06-data-meetings/app.ipynb", "Data meeting",
        "A grade-level data meeting: entry and exit criteria against the rules and the school's records.",
        "DataMeeting", "06-data-meetings"),
    App("fidelity", "modules/07-fidelity/app.ipynb", "Fidelity scorer",
        "Enter TFI item scores or an observation checklist: scale scores against 70%, and the action plan.",
        "FidelityScorer", "07-fidelity"),
    App("equity", "modules/08-equity/app.ipynb", "Equity lens",
        "Tier placement, screening risk and referrals by subgroup: risk ratios, with small cells suppressed.",
        "EquityLens", "08-equity"),
    App("behavior", "modules/09-behavior-sel/app.ipynb", "Behaviour data view",
        "Referrals by month, location and student band, the rate against the national mean, and SRSS risk.",
        "BehaviorView", "09-behavior-sel"),
    App("year_review", "modules/10-capstone/app.ipynb", "Year-end data review",
        "The capstone: fall screening, tier placement, progress decisions, fidelity, equity and behaviour, one tab each.",
        "YearReview", "10-capstone"),
)

#: The landing page that lists every app.
LANDING = "apps/index.ipynb"
#: A one-cell hello-world notebook: the baseline of the first-render benchmark.
BASELINE = "apps/hello.ipynb"

_DEFAULT_PORT = 8866


def repo_root() -> Path:
    """The repository holding ``apps/`` and ``modules/`` (the package is installed editable from it).

    Examples
    --------
    >>> from mtss_teach.apps import repo_root
    >>> (repo_root() / "apps").is_dir()
    True
    """
    here = Path(__file__).resolve().parent.parent
    if (here / "apps" / "voila.py").is_file():
        return here
    cwd = Path.cwd()
    if (cwd / "apps" / "voila.py").is_file():
        return cwd
    raise FileNotFoundError(
        "the MTSS Academy repository (with apps/voila.py) was not found; run from the repository or pass --root")


def apps_dir(root: Path | None = None) -> Path:
    """The folder with the server configuration and the landing page."""
    return (root or repo_root()) / "apps"


def app_paths() -> list[str]:
    """Notebook paths (relative to the repository) the server may render.

    Examples
    --------
    >>> from mtss_teach.apps import app_paths
    >>> "apps/index.ipynb" in app_paths() and "modules/02-screening/app.ipynb" in app_paths()
    True
    """
    return [LANDING, BASELINE] + [a.path for a in APPS]


def landing_html(apps: Sequence[App] = APPS) -> str:
    """The landing page's list: each app's title (a link), course and one-line purpose.

    Links are relative to ``apps/index.ipynb`` as Voila renders it
    (``/voila/render/apps/index.ipynb``), so they work under any base URL.

    Examples
    --------
    >>> from mtss_teach.apps import landing_html
    >>> 'href="../modules/02-screening/app.ipynb"' in landing_html()
    True
    """
    rows = []
    for a in apps:
        rows.append(
            f'<li class="mtss-app-link" data-app="{html.escape(a.key)}">'
            f'<a href="../{html.escape(a.path)}"><b>{html.escape(a.title)}</b></a> '
            f'<span class="mtss-note">({html.escape(a.course)})</span><br>'
            f"{html.escape(a.purpose)}</li>"
        )
    return (
        '<div class="mtss-landing">'
        "<p>Each app opens in its own page and runs on the synthetic datasets shipped with the academy; "
        "choose a dataset in the app. Nothing here uses real student data.</p>"
        '<ul style="line-height:1.5">' + "".join(rows) + "</ul>"
        '<p class="mtss-note">Tip: add <code>?dataset=weak_tier1</code> (or another dataset name) to an '
        "app's address to open it on that dataset.</p></div>"
    )


def landing() -> Any:
    """The landing page as a widget (what ``apps/index.ipynb`` displays)."""
    import ipywidgets as W

    w = W.HTML(landing_html())
    w.add_class("mtss-landing-list")
    return w


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------


def allowed_notebook(path: str, notebook: Any = None) -> bool:
    """May the server render this notebook? Only the listed apps, never one with nbgrader cells.

    Examples
    --------
    >>> from mtss_teach.apps import allowed_notebook
    >>> allowed_notebook("modules/04-progress-monitoring/app.ipynb")
    True
    >>> allowed_notebook("modules/04-progress-monitoring/exercise.ipynb")
    False
    """
    p = unquote(path).replace("\\", "/").lstrip("/")
    if p not in app_paths():
        return False
    if notebook is not None:
        for cell in notebook.get("cells", []):
            if "nbgrader" in cell.get("metadata", {}):
                return False
    return True


def prelaunch_hook(req: Any, notebook: Any, cwd: str) -> None:
    """Voila pre-launch hook: refuse (HTTP 403) any notebook that is not an app.

    Voila serves a whole folder, which also holds the exercise notebooks
    with their solutions and hidden tests; this hook runs before a kernel
    starts and stops them from ever being executed or shown.
    """
    from tornado.web import HTTPError

    path = unquote(req.request.path)
    marker = "/voila/render/"
    rel = path.split(marker, 1)[1] if marker in path else path
    if not allowed_notebook(rel, notebook):
        raise HTTPError(403, "This server only runs the MTSS Academy apps listed on the landing page.")


def build_site(dest: Path, root: Path | None = None) -> Path:
    """Make the folder the server serves: only the app notebooks, at their usual paths.

    Each notebook is a symbolic link to the repository's file (a copy where
    links are not possible), so edits show on the next page load.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from mtss_teach.apps import build_site
    >>> with tempfile.TemporaryDirectory() as d:
    ...     site = build_site(Path(d))
    ...     names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.ipynb"))
    ...     exercises = any(site.rglob("exercise*.ipynb"))
    >>> names[:2], exercises
    (['apps/hello.ipynb', 'apps/index.ipynb'], False)
    """
    root = root or repo_root()
    dest = Path(dest)
    for rel in app_paths():
        src, out = root / rel, dest / rel
        if not src.is_file():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists() or out.is_symlink():
            out.unlink()
        try:
            out.symlink_to(src.resolve())
        except OSError:  # pragma: no cover - e.g. Windows without the right
            shutil.copyfile(src, out)
    return dest


def voila_command(port: int, site: Path, root: Path | None = None, preheat: int = 0,
                  extra: Sequence[str] = (), ip: str = "127.0.0.1") -> list[str]:
    """The command line that starts Voila on ``ip:port`` (default: this machine only) serving ``site``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from mtss_teach.apps import voila_command
    >>> cmd = voila_command(8899, Path("/tmp/site"))
    >>> "--port=8899" in cmd and "--Voila.ip=127.0.0.1" in cmd and cmd[-1] == "/tmp/site"
    True
    """
    root = root or repo_root()
    pool = ["--preheat_kernel=True", f"--pool_size={int(preheat)}"] if preheat > 0 else []
    return [
        sys.executable, "-m", "voila", "--no-browser", f"--port={int(port)}", f"--Voila.ip={ip}",
        f"--Voila.config_file_paths={apps_dir(root)}", *pool, *extra, str(site),
    ]


def kernel_profile(dest: Path, root: Path | None = None) -> Path:
    """Make an IPython directory whose start-up file is ``apps/kernel_startup.py``.

    The server runs with ``IPYTHONDIR`` set to it (:func:`voila_env`), so the
    file runs first in every app kernel and nowhere else. It spares each
    kernel about 1 s of jsonschema start-up that Altair never uses (the file
    says why).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from mtss_teach.apps import kernel_profile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     ipdir = kernel_profile(Path(d))
    ...     [p.name for p in (ipdir / "profile_default" / "startup").iterdir()]
    ['00-mtss-app-kernel.py']
    """
    startup = Path(dest) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(apps_dir(root) / "kernel_startup.py", startup / "00-mtss-app-kernel.py")
    return Path(dest)


def voila_env(root: Path | None = None, preheat: int = 0, ipython_dir: Path | None = None) -> dict[str, str]:
    """Environment for the server: ``JUPYTER_PATH`` finds the "mtss" template first.

    ``MTSS_VOILA_PREHEAT=1`` tells ``apps/voila.py`` to leave out the
    pre-launch hook, which Voila cannot combine with pre-heated kernels.
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


class VoilaServer:
    """A Voila server on localhost for tests, benchmarks and ``serve``; a context manager.

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

    Examples
    --------
    >>> from mtss_teach.apps import VoilaServer
    >>> server = VoilaServer(port=8899)
    >>> server.url("modules/02-screening/app.ipynb")
    'http://127.0.0.1:8899/voila/render/modules/02-screening/app.ipynb'
    """

    def __init__(self, port: int | None = None, root: Path | None = None, preheat: int = 0,
                 extra: Sequence[str] = (), log_path: Path | None = None) -> None:
        self.root = root or repo_root()
        self.port = int(port) if port else free_port()
        self.preheat = int(preheat)
        self.extra = list(extra)
        self.log_path = Path(log_path) if log_path else Path(tempfile.mkdtemp(prefix="mtss-voila-")) / "voila.log"
        self.site: Path | None = None
        self.ipython_dir: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The address of a notebook on this server."""
        return f"{self.base}/voila/render/{path}"

    def start(self, timeout: float = 60.0) -> "VoilaServer":
        """Build the site folder, start Voila and wait until it answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.site = build_site(Path(tempfile.mkdtemp(prefix="mtss-apps-site-")), self.root)
        self.ipython_dir = kernel_profile(Path(tempfile.mkdtemp(prefix="mtss-apps-ipython-")), self.root)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(voila_command(self.port, self.site, self.root, self.preheat, self.extra),
                                     cwd=str(self.site), env=voila_env(self.root, self.preheat, self.ipython_dir),
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voila exited with code {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/voila/api/contents/", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"Voila did not answer on port {self.port} within {timeout:g} s:\n{self.log()}")

    def log(self) -> str:
        """What the server has written so far."""
        try:
            return self.log_path.read_text()[-6000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server (SIGTERM: Voila shuts its kernels down), then make sure it is gone."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        try:
            self._log.close()
        except Exception:
            pass
        for attr in ("site", "ipython_dir"):
            if getattr(self, attr) is not None:
                shutil.rmtree(getattr(self, attr), ignore_errors=True)
                setattr(self, attr, None)

    def __enter__(self) -> "VoilaServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mtss_teach.apps serve [--port N] [--preheat] [--root DIR]`` or ``list``."""
    ap = argparse.ArgumentParser(prog="python -m mtss_teach.apps",
                                 description="Serve the MTSS Academy facilitator apps with Voila on localhost.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="start Voila on localhost with the landing page")
    s.add_argument("--port", type=int, default=_DEFAULT_PORT, help=f"port (default {_DEFAULT_PORT}; 0 = any free)")
    s.add_argument("--preheat", nargs="?", type=int, const=1, default=0, metavar="N",
                   help="keep N pre-executed kernels per app (default 1 when given): faster first page, "
                        "about 150 MB of memory per kernel")
    s.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network "
                        "interface, so people in the room can connect -- Voila has no login, use a trusted network)")
    s.add_argument("--root", type=Path, default=None, help="the repository (default: found automatically)")
    sub.add_parser("list", help="list the apps")
    args = ap.parse_args(argv)
    if args.cmd == "list":
        for a in APPS:
            print(f"{a.path:45s} {a.title}: {a.purpose}")
        return 0
    if importlib.util.find_spec("voila") is None:
        print("Voila is not installed: pip install 'mtss-teach[apps]'", file=sys.stderr)
        return 1
    root = args.root.resolve() if args.root else repo_root()
    port = args.port or free_port()
    site = build_site(Path(tempfile.mkdtemp(prefix="mtss-apps-site-")), root)
    ipython_dir = kernel_profile(Path(tempfile.mkdtemp(prefix="mtss-apps-ipython-")), root)
    print(f"MTSS Academy apps: http://127.0.0.1:{port}/voila/render/{LANDING}", flush=True)
    if args.ip != "127.0.0.1":
        print(f"Listening on {args.ip}: others use this machine's network address instead of 127.0.0.1.",
              flush=True)
    print("Press Ctrl-C to stop the server.", flush=True)
    proc = subprocess.Popen(voila_command(port, site, root, args.preheat, ip=args.ip), cwd=str(site),
                            env=voila_env(root, args.preheat, ipython_dir))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 1
    finally:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(ipython_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
