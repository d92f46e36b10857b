"""The list of facilitator apps: one :class:`App` per notebook, in course order.

A course's app is listed in the course manifest (``mtss_teach/data/courses.yml``,
read by :func:`mtss_teach._packagedata.courses`); an app outside the courses is
appended to :data:`APPS` here (or added with :func:`register` from the module
that defines it). The landing page, the server's allowlist, the site folder
and the tests read this list and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._packagedata import courses

__all__ = ["App", "APPS", "LANDING", "BASELINE", "repo_root", "apps_dir", "app_paths", "app_by_key",
           "app_by_path", "register"]


@dataclass(frozen=True)
class App:
    """One facilitator app: where its notebook is and what it is for."""

    key: str
    path: str
    title: str
    purpose: str
    widget: str
    course: str


def _course_apps() -> tuple[App, ...]:
    """One app per course, in course order, from the course manifest (``mtss_teach/data/courses.yml``)."""
    return tuple(App(c.app.key, c.app_path, c.app.title, c.app.purpose, c.app.widget, c.id) for c in courses())


#: Every app, in course order (one notebook per course, read from the course manifest
#: ``mtss_teach/data/courses.yml``; 01, 03 and 06 share the data-meeting widget), then the one app
#: that reads a leader's own file (no course).
APPS: tuple[App, ...] = (
    *_course_apps(),
    App("your_data", "apps/your_data.ipynb", "Your school's data",
        "Upload your own screening or progress export: columns suggested, every row set aside explained, then the "
        "course views on de-identified data, in memory only.",
        "YourData", ""),
)

#: The landing page that lists every app (served by the room server without a kernel).
LANDING = "apps/index.ipynb"
#: A one-cell hello-world notebook: the baseline of the first-render benchmark.
BASELINE = "apps/hello.ipynb"


def _apps() -> tuple[App, ...]:
    """The list as it is now (``mtss_teach.apps.APPS``, which :func:`register` keeps equal to this module's)."""
    import sys

    pkg = sys.modules.get(__package__ or "")
    return getattr(pkg, "APPS", APPS) if pkg is not None else APPS


def register(app: App) -> App:
    """Add an app to :data:`APPS` (a new key and a new notebook path); returns it.

    Examples
    --------
    >>> from mtss_teach.apps import registry
    >>> before = registry.APPS
    >>> a = registry.register(registry.App("demo", "modules/99-demo/app.ipynb", "Demo", "A demo.", "W", "99-demo"))
    >>> registry.app_by_key("demo").title
    'Demo'
    >>> import mtss_teach.apps as pkg
    >>> registry.APPS = pkg.APPS = before  # (the example leaves the list as it was)
    """
    global APPS
    if any(a.key == app.key for a in APPS):
        raise ValueError(f"register: an app with key {app.key!r} is already listed")
    if any(a.path == app.path for a in APPS):
        raise ValueError(f"register: the notebook {app.path!r} is already listed")
    APPS = (*APPS, app)
    import sys

    pkg = sys.modules.get(__package__ or "")
    if pkg is not None and hasattr(pkg, "APPS"):
        pkg.APPS = APPS  # ``mtss_teach.apps.APPS`` is the same list
    return app


def repo_root() -> Path:
    """The repository holding ``apps/`` and ``modules/`` (the package is installed editable from it).

    Examples
    --------
    >>> from mtss_teach.apps import repo_root
    >>> (repo_root() / "apps").is_dir()
    True
    """
    here = Path(__file__).resolve().parents[2]
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
    return [LANDING, BASELINE] + [a.path for a in _apps()]


def app_by_key(key: str) -> App:
    """The app with this key (``KeyError`` naming the valid keys otherwise).

    Examples
    --------
    >>> from mtss_teach.apps import app_by_key
    >>> app_by_key("screening").path
    'modules/02-screening/app.ipynb'
    """
    for a in _apps():
        if a.key == key:
            return a
    raise KeyError(f"no app {key!r}; the apps are: {', '.join(a.key for a in _apps())}")


def app_by_path(path: str) -> App | None:
    """The app whose notebook is ``path`` (relative to the repository), or None."""
    p = path.replace("\\", "/").lstrip("/")
    for a in _apps():
        if a.path == p:
            return a
    return None
