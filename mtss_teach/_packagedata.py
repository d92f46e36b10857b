"""The one reader of the tables shipped in ``mtss_teach/data/`` (private module).

Every norm table, instrument and expectation the library ships is a CSV
file in ``mtss_teach/data/`` with ``source``, ``year`` and ``tag`` columns on
each row. :func:`read_table` reads one once per process; callers copy
before handing a table out, so the cached frame is never changed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

__all__ = ["read_table"]


@lru_cache(maxsize=None)
def read_table(name: str, text_columns: tuple[str, ...] = ("year", "tag")) -> pd.DataFrame:
    """The package data table ``name`` (e.g. ``"orf_norms.csv"``), read once.

    ``text_columns`` are kept as text (a year such as ``"n.d."``, an item id
    such as ``"1.10"``). Only an empty cell is missing: text such as "NA"
    stays text.

    Examples
    --------
    >>> from mtss_teach._packagedata import read_table
    >>> read_table("tier_share_expectation.csv")["expected_share"].tolist()
    [0.8, 0.15, 0.05]
    """
    with resources.files("mtss_teach").joinpath("data", name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={c: str for c in text_columns}, keep_default_na=False, na_values=[""])
