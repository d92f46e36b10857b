"""The one reader of the files shipped in ``mtss_teach/data/`` (private module).

Every norm table, instrument and expectation the library ships is a CSV
file in ``mtss_teach/data/`` with ``source``, ``year`` and ``tag`` columns on
each row. :func:`read_table` reads one once per process; callers copy
before handing a table out, so the cached frame is never changed.
:func:`read_yaml` reads a YAML file (cohort parameters, dataset specs, the
course manifest) the same way, and :func:`courses` gives the course
manifest ``courses.yml``: the one list of micro-courses that the apps,
the exercises, nbgrader and the book's course map read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported on first use: the course manifest is read without it
    import pandas as pd

__all__ = ["read_table", "read_yaml", "data_bytes", "Course", "CourseApp", "courses", "course_ids", "course_by_id"]


@lru_cache(maxsize=None)
def read_table(name: str, text_columns: tuple[str, ...] = ("year", "tag"), all_text: bool = False) -> pd.DataFrame:
    """The package data table ``name`` (e.g. ``"orf_norms.csv"``), read once.

    ``text_columns`` are kept as text (a year such as ``"n.d."``, an item id
    such as ``"1.10"``). Only an empty cell is missing: text such as "NA"
    stays text. With ``all_text`` every column is text and an empty cell is
    ``""`` (a data dictionary, whose empty cells mean "none").

    Examples
    --------
    >>> from mtss_teach._packagedata import read_table
    >>> read_table("tier_share_expectation.csv")["expected_share"].tolist()
    [0.8, 0.15, 0.05]
    """
    import pandas as pd

    with resources.files("mtss_teach").joinpath("data", name).open("r", encoding="utf-8") as fh:
        if all_text:
            return pd.read_csv(fh, dtype=str, keep_default_na=False)
        return pd.read_csv(fh, dtype={c: str for c in text_columns}, keep_default_na=False, na_values=[""])


def data_bytes(name: str) -> bytes:
    """The raw bytes of the package data file ``name`` (to copy it as it is, e.g. into an export).

    Examples
    --------
    >>> from mtss_teach._packagedata import data_bytes
    >>> data_bytes("tier_share_expectation.csv").splitlines()[0].startswith(b"tier,")
    True
    """
    return resources.files("mtss_teach").joinpath("data", name).read_bytes()


@lru_cache(maxsize=None)
def _read_yaml_cached(name: str) -> Any:
    import yaml

    text = resources.files("mtss_teach").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def read_yaml(name: str) -> Any:
    """The package data YAML file ``name`` (e.g. ``"courses.yml"``), parsed once; a copy each call.

    Examples
    --------
    >>> from mtss_teach._packagedata import read_yaml
    >>> [c["id"] for c in read_yaml("courses.yml")["courses"]][:2]
    ['01-foundations', '02-screening']
    """
    return copy.deepcopy(_read_yaml_cached(name))


@dataclass(frozen=True)
class CourseApp:
    """A course's facilitator app (``modules/<course>/app.ipynb``)."""

    key: str
    title: str
    purpose: str
    widget: str


@dataclass(frozen=True)
class Course:
    """One micro-course of the manifest ``courses.yml``."""

    id: str
    title: str
    minutes: int
    exercise: str
    app: CourseApp
    templates: tuple[str, ...]

    @property
    def folder(self) -> str:
        """The course folder, relative to the repository (``modules/<id>``)."""
        return f"modules/{self.id}"

    @property
    def lesson(self) -> str:
        """The lesson's book page (docname, as in ``_toc.yml``)."""
        return f"{self.folder}/lesson"

    @property
    def facilitator(self) -> str:
        """The facilitator guide's book page (docname, as in ``_toc.yml``)."""
        return f"{self.folder}/facilitator"

    @property
    def app_path(self) -> str:
        """The app notebook, relative to the repository."""
        return f"{self.folder}/app.ipynb"

    @property
    def exercise_path(self) -> str:
        """The nbgrader exercise source, relative to the repository."""
        return f"{self.folder}/exercise.ipynb"


_COURSE_FIELDS = {"id", "title", "minutes", "exercise", "app", "templates"}
_APP_FIELDS = {"key", "title", "purpose", "widget"}


def _course(i: int, row: Any) -> Course:
    where = f"courses.yml: course {i + 1}"
    if not isinstance(row, dict) or set(row) != _COURSE_FIELDS:
        got = sorted(row) if isinstance(row, dict) else type(row).__name__
        raise ValueError(f"{where}: expected the fields {sorted(_COURSE_FIELDS)}, got {got}")
    app = row["app"]
    if not isinstance(app, dict) or set(app) != _APP_FIELDS:
        raise ValueError(f"{where} ({row['id']}): app needs the fields {sorted(_APP_FIELDS)}")
    minutes = row["minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(f"{where} ({row['id']}): minutes must be a positive whole number, got {minutes!r}")
    templates = row["templates"]
    if not isinstance(templates, list) or not all(isinstance(t, str) and t for t in templates):
        raise ValueError(f"{where} ({row['id']}): templates must be a list of file names")
    return Course(str(row["id"]), str(row["title"]), minutes, str(row["exercise"]),
                  CourseApp(**{k: str(v) for k, v in app.items()}), tuple(templates))


@lru_cache(maxsize=None)
def courses() -> tuple[Course, ...]:
    """Every micro-course, in order, from the manifest ``mtss_teach/data/courses.yml``.

    Examples
    --------
    >>> from mtss_teach._packagedata import courses
    >>> c = courses()[1]
    >>> c.id, c.app.key, c.app_path
    ('02-screening', 'screening', 'modules/02-screening/app.ipynb')
    """
    rows = read_yaml("courses.yml")["courses"]
    out = tuple(_course(i, r) for i, r in enumerate(rows))
    for field in ("id", "exercise"):
        values = [getattr(c, field) for c in out]
        dup = sorted({v for v in values if values.count(v) > 1})
        if dup:
            raise ValueError(f"courses.yml: {field} repeated: {', '.join(dup)}")
    keys = [c.app.key for c in out]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"courses.yml: app key repeated: {', '.join(dup)}")
    return out


def course_ids() -> tuple[str, ...]:
    """The course ids in order (the folders under ``modules/``, the nbgrader assignment ids).

    Examples
    --------
    >>> from mtss_teach._packagedata import course_ids
    >>> course_ids()[0], course_ids()[-1]
    ('01-foundations', '10-capstone')
    """
    return tuple(c.id for c in courses())


def course_by_id(course_id: str) -> Course:
    """The course with this id (``KeyError`` naming the ids otherwise)."""
    for c in courses():
        if c.id == course_id:
            return c
    raise KeyError(f"no course {course_id!r}; the courses are: {', '.join(course_ids())}")
