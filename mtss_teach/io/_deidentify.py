"""De-identification by allow-list, with a strong salt."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._validate import check_number
from ..errors import DataError
from .._cells import ids as _ids, looks_like_names
from ._mapping import norm_name

__all__ = ["deidentify", "Deidentified", "new_salt", "check_group_column", "ANALYSIS_COLUMNS", "MIN_SALT_LENGTH",
           "NAME_LIKE_PATTERNS", "MAX_GROUPS"]

#: Shortest salt accepted. A salt is what stops anyone from hashing every
#: possible id and matching: 16 random characters (about 96 bits from
#: :func:`new_salt`) make that search impossible; a word or a short phrase
#: does not. (A library safeguard, not a published standard.)
MIN_SALT_LENGTH = 16

#: Columns :func:`deidentify` keeps by default (besides the id): the
#: library's own analysis columns -- what the screening, tier, progress and
#: equity views need -- and nothing else. Names, birth dates, addresses,
#: notes, usernames, staff names and any column not listed here are dropped
#: unless the caller names them in ``keep=``.
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "grade", "season", "measure", "score", "date", "week", "source_row", "tier", "school",
    "race_ethnicity", "sex", "english_learner", "disability", "free_reduced_lunch",
)

#: Column-name patterns (after lower-casing and turning non-letters into
#: "_") that look like personal data. With the allow-list they are dropped
#: anyway; they are used to warn when a caller keeps one on purpose.
NAME_LIKE_PATTERNS: tuple[str, ...] = (
    r"name",
    r"(^|_)(fname|lname|mname|initials)$",
    r"dob|birth",
    r"address|street|(^|_)city($|_)|zip|postal|postcode",
    r"e_?mail|user",
    r"phone|mobile|(^|_)cell($|_)|telephone",
    r"ssn|social_security",
    r"(^|_)(sasid|lasid|ssid|state_id|local_id|medicaid|ncesid|student_number)($|_)",
    r"guardian|parent|mother|father|note|comment",
)


def new_salt() -> str:
    """A fresh random salt (32 characters, about 190 bits) from the operating system's secure generator.

    Keep it somewhere safe and private (a password manager, or the
    district's secrets store) -- never in the same folder or e-mail as the
    de-identified file. The same salt gives the same hashes next term, so
    tables stay joinable; anyone holding it can test guesses of an id.

    Examples
    --------
    >>> from mtss_teach.io import new_salt
    >>> s = new_salt()
    >>> len(s) >= 32 and s != new_salt()
    True
    """
    return secrets.token_urlsafe(24)


def _check_salt(salt: Any) -> str:
    if not isinstance(salt, str) or not salt:
        raise DataError("salt: give a secret text of at least "
                        f"{MIN_SALT_LENGTH} characters (an empty salt makes the hashes easy to reverse); "
                        f"for example this one, generated just now: {new_salt()}")
    if len(salt) < MIN_SALT_LENGTH or len(set(salt)) < 8:
        raise DataError(f"salt: too weak ({len(salt)} characters, {len(set(salt))} different): anyone could try "
                        f"every student id against it. Use at least {MIN_SALT_LENGTH} random characters, for "
                        f"example this one, generated just now: {new_salt()} (mtss_teach.io.new_salt() makes "
                        "another). Keep it private and out of shared files")
    return salt


def _personal(col: str) -> bool:
    n = norm_name(col)
    return any(re.search(p, n) for p in NAME_LIKE_PATTERNS)


#: Most values a column of student groups may have. A grouping such as English
#: learner, disability or race/ethnicity has a handful; a column with more is an
#: identifier (names, ids, birth dates) that would print one student per group.
#: (A library safeguard, not a published standard.)
MAX_GROUPS = 20


def check_group_column(values: Any, name: str, max_groups: int = MAX_GROUPS) -> None:
    """Refuse, in plain words, a column kept as "a student group" that would put identities on the page.

    The group labels of an equity table are printed even where the counts
    are hidden; a column of names, ids or notes used as the grouping would
    print them. Refused: a header that looks like personal data
    (:data:`NAME_LIKE_PATTERNS`), cells that look like people's names, or
    more than ``max_groups`` different values.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import check_group_column
    >>> check_group_column(pd.Series(["Y", "N", "N"]), "EL")          # fine: returns nothing
    >>> check_group_column(pd.Series(["Doe, Ana", "Lee, Ben"]), "Pupil")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: group: column 'Pupil' holds names; a student group is a characteristic such as English learner or disability, with a few values
    """
    col = pd.Series(values, dtype=object)
    if _personal(str(name)) or norm_name(name) in ("student", "pupil", "learner", "child") or looks_like_names(col):
        raise DataError(f"group: column {str(name)!r} holds names; a student group is a characteristic such as "
                        "English learner or disability, with a few values")
    k = int(col.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v).strip())
            .dropna().nunique())
    if k > max_groups:
        raise DataError(f"group: column {str(name)!r} has {k:,} different values (more than {max_groups}); a "
                        "student group has a few values, such as Yes/No or a handful of categories")


@dataclass(frozen=True, eq=False)
class Deidentified:
    """Result of :func:`deidentify`.

    Attributes
    ----------
    data : pandas.DataFrame
        The table with hashed ids and only the kept columns.
    dropped : tuple of str
        Columns removed (everything not on the allow-list nor in ``keep``).
    kept : tuple of str
        Columns kept besides the id.
    id_column : str
    n_ids : int
        Distinct ids hashed.
    kept_personal : tuple of str
        Kept columns whose names look like personal data (kept because the
        caller asked).
    """

    data: pd.DataFrame
    dropped: tuple[str, ...]
    id_column: str
    n_ids: int
    kept: tuple[str, ...] = ()
    kept_personal: tuple[str, ...] = ()

    def summary(self) -> str:
        """Plain-text report of what was done.

        Examples
        --------
        >>> import pandas as pd
        >>> from mtss_teach.io import deidentify
        >>> d = deidentify(pd.DataFrame({"id": [1], "Last Name": ["Doe"], "score": [40]}), "id",
        ...                salt="Kx7-pQ2v_Lm9RtZ4wY8n")
        >>> print(d.summary())
        deidentify: 1 distinct id(s) in 'id' replaced by salted SHA-256 hashes; kept 1 column(s): score; dropped 1 column(s): Last Name
        """
        kept = ", ".join(self.kept) if self.kept else "none"
        cols = ", ".join(self.dropped) if self.dropped else "none"
        text = (f"deidentify: {self.n_ids} distinct id(s) in {self.id_column!r} replaced by salted SHA-256 "
                f"hashes; kept {len(self.kept)} column(s): {kept}; dropped {len(self.dropped)} column(s): {cols}")
        if self.kept_personal:
            text += f"; WARNING kept at your request, may hold personal data: {', '.join(self.kept_personal)}"
        return text


def _is_column(c: Any, df: pd.DataFrame) -> bool:
    try:
        return c in df.columns
    except TypeError:  # unhashable (a dict, a list): not a column name
        return False


def deidentify(df: pd.DataFrame, id_column: str, salt: str, *, length: int = 16,
               keep: Sequence[str] = (), drop: Sequence[str] = ()) -> Deidentified:
    """Replace student ids with salted hashes and keep only the columns the analysis needs.

    Parameters
    ----------
    df : pandas.DataFrame
    id_column : str
        The student-id column; its values become the first ``length`` hex
        digits of SHA-256(salt + "\\x1f" + id). The same id and salt always
        give the same hash (so tables stay joinable); without the salt the
        hash cannot be reversed by trying likely ids. Ids that differ only
        as 12 vs 12.0 vs "12" hash the same.
    salt : str
        A secret of at least :data:`MIN_SALT_LENGTH` characters (8 or more
        different ones). Make one with :func:`new_salt` and keep it in a
        password manager, apart from the data; a weak salt is refused with
        a generated one offered.
    length : int
        Hex digits kept (8-64, default 16 = 64 bits).
    keep : sequence of str
        More columns to keep besides :data:`ANALYSIS_COLUMNS` (an
        allow-list: everything else is dropped).
    drop : sequence of str
        Columns to drop even if on the allow-list.

    Returns
    -------
    Deidentified
        ``data`` (a new DataFrame; the input is not changed), ``dropped``,
        ``kept``, ``id_column``, ``n_ids``, ``kept_personal``.

    Raises
    ------
    DataError
        Not a DataFrame, unknown column, weak salt, a missing id (the
        message names the row position, never the value), or a hash
        collision (use a larger ``length``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import deidentify, new_salt
    >>> df = pd.DataFrame({"student_id": ["0012", "0013"], "Student": ["Ruiz, Ana", "Lee, Ben"],
    ...                    "Notes": ["", "call home"], "grade": [3, 3], "score": [62, 71]})
    >>> salt = new_salt()          # keep it somewhere private, apart from the data
    >>> d = deidentify(df, "student_id", salt=salt)
    >>> d.dropped, d.data.columns.tolist()
    (('Student', 'Notes'), ['student_id', 'grade', 'score'])
    >>> len(d.data["student_id"].iloc[0])
    16
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
    cols = list(df.columns)
    dup = pd.Index(cols).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"df: column {cols[i]!r} (position {i}) appears twice (duplicate column name); "
                        "rename one of them")
    if not _is_column(id_column, df):
        raise DataError(f"id_column: {id_column!r} is not a column; columns are {cols}")
    salt = _check_salt(salt)
    length = int(check_number(length, "length", lo=8, hi=64, integer=True))
    for name, given in (("keep", keep), ("drop", drop)):
        if isinstance(given, str):
            raise DataError(f"{name}: expected a list of column names, got the text {given!r}")
        if not np.iterable(given):
            raise DataError(f"{name}: expected a list of column names, got {given!r}")
        unknown = [c for c in given if not _is_column(c, df)]
        if unknown:
            raise DataError(f"{name}: {unknown} are not columns; columns are {cols}")
    vals, miss, _, _ = _ids(df[id_column].astype(object))
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise DataError(f"{id_column}: student id at row {df.index[i]!r} (position {i}) is missing")
    codes, uniq = pd.factorize(pd.Series(vals, dtype=object), sort=False)
    prefix = salt.encode("utf-8") + b"\x1f"
    hashed = np.array([hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:length] for u in uniq],
                      dtype=object)
    if len(set(hashed.tolist())) != len(uniq):
        raise DataError(f"length: two ids share a {length}-digit hash; use a larger length")
    allowed = set(ANALYSIS_COLUMNS)
    kept = tuple(c for c in cols if c != id_column and c not in drop
                 and (c in keep or (isinstance(c, str) and c in allowed)))
    dropped = tuple(c for c in cols if c != id_column and c not in kept)
    out = df[[c for c in cols if c == id_column or c in kept]].copy()
    out[id_column] = pd.array(hashed[codes], dtype="str") if len(out) else out[id_column].astype(str)
    personal = tuple(c for c in kept if c in keep and _personal(str(c)))
    return Deidentified(data=out, dropped=dropped, id_column=str(id_column), n_ids=int(len(uniq)),
                        kept=kept, kept_personal=personal)
