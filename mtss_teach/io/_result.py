"""LoadResult (the clean rows and the rejection report) and the problem collector."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["LoadResult"]

_MAX_KINDS = 8
_MAX_FIRST = 5
_MAX_NAMES = 12
_MAX_NOTES = 6


def _short_list(names: Sequence[str], k: int = _MAX_NAMES) -> str:
    names = list(names)
    if len(names) <= k:
        return ", ".join(names)
    return ", ".join(names[:k]) + f" and {len(names) - k:,} more"


def reason_kind(reason: str) -> str:
    """A reason without its particular values, for grouping ('duplicate of row 5 (...)' -> 'duplicate of row N')."""
    r = re.sub(r"\s*\(.*\)$", "", str(reason))
    r = re.sub(r": .*$", "", r)
    r = re.sub(r"'[^']*'", "'…'", r)
    r = re.sub(r"\d[\d.,:/E+-]*", "N", r)
    return r


@dataclass(frozen=True, eq=False)
class LoadResult:
    """A validated load: the clean rows and a report of every rejected row.

    Attributes
    ----------
    data : pandas.DataFrame
        Accepted rows in file order, library column names and types, plus
        ``source_row`` (the line of the CSV file / Excel row each came from).
    rejected : pandas.DataFrame
        One line per problem: ``row`` (the line in the file or the Excel
        row: the header is usually row 1, so the first data row is 2),
        ``column`` (the library's name, with the school's own name in
        brackets when it was mapped), ``value`` (as read, as text) and
        ``reason``. A row with two problems has two lines.
    n_in, n_accepted, n_rejected : int
        Records after the header in the file itself (blank lines not
        counted), accepted and rejected; ``n_in == n_accepted + n_rejected``.
    ignored_columns : tuple of str
        Columns of the input that were not mapped (not carried over).
    source : str
        File name, or ``"DataFrame"``.
    n_blank : int
        Blank lines skipped (not records).
    notes : tuple of str
        What was detected or repaired (encoding, separator, sheet, Excel
        ``="..."`` ids read as text, date convention).
    mapping : dict
        ``{our column: their column}`` used.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    n_in: int
    n_accepted: int
    n_rejected: int
    ignored_columns: tuple[str, ...] = ()
    source: str = "DataFrame"
    kind: str = "screening"
    n_blank: int = 0
    notes: tuple[str, ...] = ()
    mapping: Mapping[str, str] | None = None

    def summary(self) -> str:
        """A short plain-text report of the load (at most about 25 lines, whatever the size).

        Examples
        --------
        >>> import pandas as pd
        >>> from mtss_teach.io import read_screening
        >>> df = pd.DataFrame({"student_id": ["a", "b"], "grade": [3, 3], "season": ["fall", "fall"],
        ...                    "measure": ["orf", "orf"], "score": [88, "abc"]})
        >>> print(read_screening(df).summary())
        read_screening from DataFrame: 2 rows in, 1 accepted, 1 rejected
          rejected rows by reason:
            1  score is not a number
          first problems:
            row 3, score: 'abc' -- score is not a number
        """
        lines = [f"read_{self.kind} from {self.source}: {self.n_in:,} rows in, "
                 f"{self.n_accepted:,} accepted, {self.n_rejected:,} rejected"]
        if self.n_blank:
            lines.append(f"  blank lines skipped: {self.n_blank:,}")
        for note in self.notes[:_MAX_NOTES]:
            lines.append(f"  {note}")
        if len(self.notes) > _MAX_NOTES:
            lines.append(f"  ({len(self.notes) - _MAX_NOTES} more note(s): see .notes)")
        if self.ignored_columns:
            lines.append(f"  columns not used: {_short_list(self.ignored_columns)}")
        if self.n_rejected:
            first = self.rejected.drop_duplicates("row")
            kinds = first["reason"].map(reason_kind).value_counts(sort=True)
            lines.append("  rejected rows by reason:")
            for reason, k in kinds.head(_MAX_KINDS).items():
                lines.append(f"    {k:,}  {reason}")
            if len(kinds) > _MAX_KINDS:
                rest = int(kinds.iloc[_MAX_KINDS:].sum())
                lines.append(f"    {rest:,}  other reasons ({len(kinds) - _MAX_KINDS} kinds; see .rejected)")
            lines.append("  first problems:")
            for r in self.rejected.head(_MAX_FIRST).itertuples():
                v = r.value if len(str(r.value)) <= 40 else str(r.value)[:37] + "..."
                lines.append(f"    row {r.row}, {r.column}: {v!r} -- {r.reason}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LoadResult({self.kind}, source={self.source!r}, n_in={self.n_in}, "
                f"n_accepted={self.n_accepted}, n_rejected={self.n_rejected})")


_WORD = re.compile(r"[^\W\d_]{2,}")
#: What a rejected value that holds part of a student's name shows instead.
NAME_HIDDEN = "[a name, not shown]"


def hide_names(values: list[str], reasons: list[str], is_name: Any) -> tuple[list[str], list[str]]:
    """Values (and the reasons quoting them) that hold a word of a name column are replaced by NAME_HIDDEN.

    A row shifted by a separator inside an unquoted name puts part of the
    name into another column (``Garcia, Maria`` -> a grade ``' Maria'``):
    the report names the row and the column, never the name.
    """
    vals, rs = list(values), list(reasons)
    for i, v in enumerate(vals):
        words = _WORD.findall(v)
        if not words or not is_name(words):
            continue
        shown = v.strip()
        rs[i] = rs[i].replace(repr(v), NAME_HIDDEN).replace(repr(shown), NAME_HIDDEN)
        if shown:
            rs[i] = rs[i].replace(shown, NAME_HIDDEN)
        vals[i] = NAME_HIDDEN
    return vals, rs


class Problems:
    """Collects (position, column, reason) per row in a vectorised way.

    ``skip`` rows (summary rows, already explained) get no further reasons.
    """

    def __init__(self, df: pd.DataFrame, rows: np.ndarray, mapping: Mapping[str, str], order: Sequence[str]):
        self.df, self.rows, self.mapping, self.order = df, rows, mapping, list(order)
        self.parts: list[tuple[np.ndarray, str, list[str]]] = []
        self.skip = np.zeros(len(df), dtype=bool)

    def add(self, mask: np.ndarray, col: str, reasons: Any) -> None:
        pos = np.flatnonzero(np.asarray(mask, dtype=bool) & ~self.skip)
        if pos.size == 0:
            return
        if isinstance(reasons, str):
            rs = [reasons] * pos.size
        else:
            rs = [reasons(i) for i in pos]
        self.parts.append((pos, col, rs))

    def bad_rows(self) -> np.ndarray:
        bad = self.skip.copy()
        for pos, _, _ in self.parts:
            bad[pos] = True
        return bad

    def frame(self, unreadable: Sequence[tuple[int, str]] = (), names: Any = None) -> pd.DataFrame:
        """The report; ``names(words)`` says which words are people's names (hidden in value and reason)."""
        rows, cols, vals, reasons, rank = [], [], [], [], []
        for pos, col, rs in self.parts:
            theirs = self.mapping.get(col, col)
            shown = col if theirs == col else f"{col} ({theirs})"
            raw = self.df[theirs].to_numpy(dtype=object)[pos] if theirs in self.df.columns else [None] * len(pos)
            rows += self.rows[pos].tolist()
            cols += [shown] * len(pos)
            vals += ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in raw]
            reasons += rs
            rank += [self.order.index(col) if col in self.order else len(self.order)] * len(pos)
        for line, why in unreadable:
            rows.append(int(line))
            cols.append("(whole line)")
            vals.append("")
            reasons.append(why)
            rank.append(-1)
        if names is not None and vals:
            vals, reasons = hide_names(vals, reasons, names)
        out = pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "column": cols, "value": vals,
                            "reason": reasons, "_rank": rank})
        out = out.sort_values(["row", "_rank"], kind="stable").drop(columns="_rank").reset_index(drop=True)
        out["column"] = out["column"].astype(str)
        return out
