"""Data access for the apps: the shipped datasets (read lazily), their neutral
names ("District A" ...), and the page's query string (links to a view).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any, Sequence
from urllib.parse import parse_qs, urlencode

import pandas as pd

from ..errors import DataError

__all__ = [
    "dataset_names", "DatasetTables", "load_dataset", "DATASET_LABELS", "dataset_label", "dataset_name",
    "dataset_options", "query_params", "dataset_from_query", "dataset_slug", "page_link", "table_of",
]


def dataset_names() -> list[str]:
    """Names of the shipped datasets, as :func:`mtss_teach.datasets.list_datasets` lists them.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_names
    >>> isinstance(dataset_names(), list)
    True
    """
    from .. import datasets

    table = datasets.list_datasets()
    if isinstance(table, pd.DataFrame):
        col = "name" if "name" in table.columns else table.columns[0]
        return [str(x) for x in table[col]]
    return [str(x) for x in table]


class DatasetTables:
    """A shipped dataset whose tables are read only when an app first asks for them.

    Behaves like a :class:`~mtss_teach.cohorts.Cohort` for the apps
    (``.students``, ``.screening``, ... ``.truth``; ``None`` for a table the
    dataset does not have) but reads each CSV with
    :func:`mtss_teach.datasets.load` ``(name, table)`` on first access, so an
    app that needs three tables does not read ten.

    Examples
    --------
    >>> from mtss_teach.widgets._base import DatasetTables, dataset_names
    >>> d = DatasetTables(dataset_names()[0])
    >>> "grade" in d.students.columns
    True
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tables: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, table: str) -> Any:
        if table.startswith("_") or table not in _TABLES:
            raise AttributeError(table)
        with self._lock:
            if table not in self._tables:
                from .. import datasets

                try:
                    self._tables[table] = datasets.load(self.name, table)
                except DataError as exc:
                    if "has no" not in str(exc):
                        raise
                    self._tables[table] = None
            return self._tables[table]

    def __repr__(self) -> str:
        return f"DatasetTables({self.name!r}, loaded={sorted(self._tables)})"


_TABLES = ("students", "screening", "outcomes", "tiers", "progress", "interventions", "fidelity", "behavior",
           "tfi", "truth")


@lru_cache(maxsize=8)
def load_dataset(name: str) -> DatasetTables:
    """A shipped dataset for the apps, its tables read on first use (cached: apps never change them).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_names, load_dataset
    >>> cohort = load_dataset(dataset_names()[0])
    >>> "student_id" in cohort.students.columns
    True
    """
    from .. import datasets

    if name not in dataset_names():
        datasets.load(name)  # raises the library's DataError listing the valid names
    return DatasetTables(name)


#: What the apps call each shipped dataset. The on-disk names (``weak_tier1``,
#: ``disproportionate``, ``low_fidelity`` ...) say what the data will show, and
#: the facilitator guides ask not to reveal that before the room finds it, so
#: the apps (and their links) show neutral district names; the guides say
#: which is which. A dataset not listed here is shown under its own name.
DATASET_LABELS: dict[str, str] = {
    "disproportionate": "District A",
    "healthy": "District B",
    "low_fidelity": "District C",
    "weak_tier1": "District D",
    "district_small": "District E (two schools)",
}


def dataset_label(name: str) -> str:
    """The neutral name an app shows for a shipped dataset.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_label
    >>> dataset_label("weak_tier1")
    'District D'
    >>> dataset_label("my_own")
    'my_own'
    """
    return DATASET_LABELS.get(name, name)


def dataset_name(label: str) -> str:
    """The shipped dataset an app's neutral label stands for (the inverse of :func:`dataset_label`).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_name
    >>> dataset_name("District D")
    'weak_tier1'
    >>> dataset_name("healthy")
    'healthy'
    """
    return {v: k for k, v in DATASET_LABELS.items()}.get(label, label)


def _slug(label: str) -> str:
    """The form of a label used in a link: "District D" -> "district-d"."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in label.split(" (")[0])
    return "-".join(part for part in out.split("-") if part)


def dataset_options(names: Sequence[str]) -> list[tuple[str, str]]:
    """Dropdown options ``(neutral label, dataset name)``, sorted by label.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_options
    >>> dataset_options(["weak_tier1", "healthy"])
    [('District B', 'healthy'), ('District D', 'weak_tier1')]
    """
    return sorted(((dataset_label(n), n) for n in names), key=lambda o: o[0])


def _query() -> str:
    """The page's query string: Voila passes it to the kernel as ``QUERY_STRING``."""
    return os.environ.get("QUERY_STRING", "") or ""


def query_params(query: str | None = None) -> dict[str, str]:
    """The page's query string as a dict (the last value of a repeated key wins).

    Examples
    --------
    >>> from mtss_teach.widgets._base import query_params
    >>> query_params("?dataset=district-d&week=8")
    {'dataset': 'district-d', 'week': '8'}
    """
    q = _query() if query is None else query
    return {k: v[-1] for k, v in parse_qs(q.lstrip("?"), keep_blank_values=True).items()}


def dataset_from_query(names: Sequence[str], query: str | None = None) -> str | None:
    """The ``dataset`` named in a Voila page's query string, when it is valid.

    Voila passes the page's query string to the kernel as ``QUERY_STRING``,
    so a facilitator can share a link such as ``.../app.ipynb?dataset=district-d``
    (the neutral name of :data:`DATASET_LABELS`; the on-disk name works too).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_from_query
    >>> dataset_from_query(["healthy", "weak_tier1"], "dataset=weak_tier1")
    'weak_tier1'
    >>> dataset_from_query(["healthy", "weak_tier1"], "dataset=district-d")
    'weak_tier1'
    >>> dataset_from_query(["healthy"], "dataset=nope") is None
    True
    """
    val = query_params(query).get("dataset")
    if not val:
        return None
    if val in names:
        return val
    by_slug = {_slug(dataset_label(n)): n for n in names}
    return by_slug.get(_slug(val))


def dataset_slug(name: str) -> str:
    """How a link names a dataset: the slug of its neutral label ("district-d")."""
    return _slug(dataset_label(name))


def page_link(params: dict[str, str]) -> str:
    """The address of this Voila page with ``params`` as its query string (``?...`` outside Voila).

    Voila passes the page's path and host to the kernel (``SCRIPT_NAME``,
    ``SERVER_NAME``, ``SERVER_PORT``).

    Examples
    --------
    >>> from mtss_teach.widgets._base import page_link
    >>> page_link({"dataset": "district-d", "week": "8"}).endswith("?dataset=district-d&week=8")
    True
    """
    query = "?" + urlencode(params)
    path = os.environ.get("SCRIPT_NAME", "")
    if not path:
        return query
    host = os.environ.get("SERVER_NAME", "")
    port = os.environ.get("SERVER_PORT", "")
    where = f"http://{host}{':' + port if port else ''}" if host else ""
    return f"{where}{path}{query}"


def _check_cohort(cohort: Any) -> None:
    students = getattr(cohort, "students", None)
    if not isinstance(students, pd.DataFrame):
        raise DataError(
            "cohort: expected a Cohort (from mtss_teach.cohorts.make_cohort or mtss_teach.datasets.load), "
            f"got {type(cohort).__name__}"
        )


def table_of(cohort: Any, name: str, what: str) -> pd.DataFrame:
    """A cohort's table, or a clear DataError when this cohort does not have it."""
    df = getattr(cohort, name, None)
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise DataError(f"cohort: this dataset has no {name} table, which {what} needs")
    return df
