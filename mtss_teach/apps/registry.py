"""The list of facilitator apps: one :class:`App` per notebook, in course order.

To add an app, append one :class:`App` to :data:`APPS` (or call
:func:`register` from the module that defines it): the landing page, the
server's allowlist, the site folder and the tests read this list and
nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


#: Every app, in course order (one notebook per app; 01, 03 and 06 share the data-meeting app), then
#: the one app that reads a leader's own file (no course).
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
