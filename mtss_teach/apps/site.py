"""What the server may show: the site folder of app notebooks, the allowlist, the kernels' start-up file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .registry import app_paths, apps_dir, repo_root

__all__ = ["allowed_notebook", "prelaunch_hook", "build_site", "kernel_profile"]


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
    starts and stops them from ever being executed or shown. (The room
    server checks the same list before Voila sees the request, so the
    list also holds with pre-heated kernels, where Voila runs no hook.)
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


def kernel_profile(dest: Path, root: Path | None = None) -> Path:
    """Make an IPython directory whose start-up file is ``apps/kernel_startup.py``.

    The server runs with ``IPYTHONDIR`` set to it (:func:`voila_env`), so the
    file runs first in every app kernel and nowhere else (the file says
    what it does and why).

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
