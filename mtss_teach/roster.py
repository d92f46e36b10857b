"""The course roster: which learner each LMS account and submission folder is.

An instructor keeps one small CSV file, the roster, that says for every
learner in the course:

``learner_id`` (required)
    The learner's course login: the nbgrader student id, the JupyterHub user
    name, and what the learner types as ``LEARNER_ID`` in an exercise.
``lms_user_id`` (optional)
    The learner's id in the LMS gradebook (Canvas's user "ID" or Moodle's
    "ID number"), used when grades are exported to the LMS.
``lms_login`` (optional)
    The name an LMS download gives the learner's submission (Canvas's login
    id, Moodle's username), when it is not the learner id itself.
``section`` (optional)
    A section or group label, carried to exports.

Other columns are kept but never read. The roster holds no names: none is
needed to grade or to export, and error messages never echo one.

Examples
--------
>>> import io
>>> from mtss_teach.roster import read_roster
>>> r = read_roster(io.StringIO("learner_id,lms_user_id,lms_login\\n"
...                             "ada,1001,alovelace\\nbob,1002,\\n"))
>>> r.learner_for("alovelace"), r.learner_for("bob"), r.learner_for("eve")
('ada', 'bob', None)
>>> r.lms_user_id("ada")
'1001'
"""

from __future__ import annotations

import csv
import io as _io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError
from .formatting import counted

__all__ = ["ROSTER_COLUMNS", "Roster", "read_roster"]

#: The columns the roster may have; only ``learner_id`` is required.
ROSTER_COLUMNS: tuple[str, ...] = ("learner_id", "lms_user_id", "lms_login", "section")


def _key(name: str) -> str:
    """How names are compared: LMS logins are not case-sensitive."""
    return name.strip().casefold()


@dataclass(frozen=True)
class Roster:
    """A checked roster (see :func:`read_roster`).

    ``table`` has one row per learner and the columns of
    :data:`ROSTER_COLUMNS` (empty text where a value was not given).
    """

    table: pd.DataFrame

    @property
    def learner_ids(self) -> tuple[str, ...]:
        """Every learner id, in the file's order."""
        return tuple(self.table["learner_id"])

    def learner_for(self, name: str) -> str | None:
        """The learner id a submission folder or LMS login belongs to.

        ``name`` matches a learner id or an ``lms_login`` (ignoring case and
        surrounding spaces); ``None`` when it matches neither.
        """
        key = _key(str(name))
        for column in ("learner_id", "lms_login"):
            hit = self.table.loc[self.table[column].map(_key) == key, "learner_id"]
            if len(hit) and key:
                return str(hit.iloc[0])
        return None

    def lms_user_id(self, learner_id: str) -> str | None:
        """The learner's LMS gradebook id, or ``None`` when the roster has none."""
        hit = self.table.loc[self.table["learner_id"] == learner_id, "lms_user_id"]
        if not len(hit) or not hit.iloc[0]:
            return None
        return str(hit.iloc[0])


def read_roster(source: str | os.PathLike | Any) -> Roster:
    """Read and check a roster CSV file.

    Parameters
    ----------
    source : path or file-like
        A CSV file (UTF-8, with or without a byte-order mark) whose header
        has at least ``learner_id``.

    Returns
    -------
    Roster

    Raises
    ------
    DataError
        The file is missing or has no ``learner_id`` column; a line has
        more or fewer fields than the header, or an empty learner id; a learner id, LMS user id or LMS login appears
        twice; or an LMS login is another learner's id. The message names
        the line of the file (the header is line 1) and never the value.

    Examples
    --------
    >>> import io
    >>> from mtss_teach.roster import read_roster
    >>> read_roster(io.StringIO("learner_id\\nada\\nada\\n"))
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: roster line 3: this learner_id is already on line 2
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"roster: no file at {str(path)!r}")
        text = path.read_bytes().decode("utf-8-sig", errors="strict")
        source = _io.StringIO(text)
    try:
        lines = list(csv.reader(source))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataError(f"roster: not a readable CSV file ({exc.__class__.__name__})") from None
    if not lines:
        raise DataError("roster: the file is empty")
    header = [str(c).strip().lstrip("\ufeff") for c in lines[0]]
    for number, fields in enumerate(lines[1:], start=2):
        if fields and len(fields) != len(header):
            n = len(fields)
            raise DataError(f"roster line {number}: {counted(n, 'field')} where the header has {len(header)}")
    raw = pd.DataFrame([f if f else [""] * len(header) for f in lines[1:]], columns=header, dtype=str)
    if "learner_id" not in raw.columns:
        raise DataError("roster: no 'learner_id' column in the header "
                        f"(columns: {', '.join(map(repr, raw.columns))})")
    table = raw.copy()
    for column in ROSTER_COLUMNS:
        table[column] = table[column].str.strip() if column in table else ""
    # blank lines (every cell empty) are allowed and skipped; line = index + 2
    blank = (table[list(raw.columns)].apply(lambda s: s.str.strip()) == "").all(axis=1)
    table["_line"] = table.index + 2
    table = table.loc[~blank]
    empty = table.loc[table["learner_id"] == "", "_line"]
    if len(empty):
        raise DataError(f"roster line {int(empty.iloc[0])}: learner_id is empty")
    for column in ("learner_id", "lms_user_id", "lms_login"):
        values = table[column].map(_key) if column != "lms_user_id" else table[column]
        seen: dict[str, int] = {}
        for value, line in zip(values, table["_line"]):
            if not value:
                continue
            if value in seen:
                raise DataError(f"roster line {int(line)}: this {column} is already on line {seen[value]}")
            seen[value] = int(line)
    ids = dict(zip(table["learner_id"].map(_key), table["_line"]))
    for login, learner, line in zip(table["lms_login"].map(_key), table["learner_id"].map(_key), table["_line"]):
        if login and login in ids and login != learner:
            raise DataError(f"roster line {int(line)}: this lms_login is the learner_id on line {int(ids[login])}")
    table = table.drop(columns="_line").reset_index(drop=True)
    return Roster(table[list(ROSTER_COLUMNS) + [c for c in table.columns if c not in ROSTER_COLUMNS]])
