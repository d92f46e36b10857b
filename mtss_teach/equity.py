"""Equity: significant-disproportionality figures and small-cell suppression.

Definitions follow IDEA's 34 CFR §300.647 (risk, risk ratio, alternate
risk ratio, minimum cell and n-sizes), the E-formula of Bollmer et al.
(2014, IDEA Data Center), and the weighted risk ratio with State
enrolment shares. States choose the minimum cell size (numerator) and
n-size (denominator); 10 and 30 or less are presumptively reasonable,
hence the defaults.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from collections.abc import Hashable

from ._validate import check_choice, check_number, not_a_number as _not_a_number, plain as _plain
from .errors import DataError

__all__ = ["disproportionality", "suppress_small_cells", "protect_counts", "protect_distribution", "protect_rollup", "protected_bin_width", "check_min_cell",
           "MIN_CELL_FLOOR", "RESULT_COLUMNS", "EXAMPLE_RISK_RATIO_THRESHOLD",
           "composition_difference", "COUNT_KINDS"]

#: What ``count`` can count: children with the outcome, or disciplinary removals
#: (incidences; IDEA's "total disciplinary removals", 34 CFR 300.647(b)(4)).
COUNT_KINDS = ("children", "removals")

#: An illustrative risk-ratio threshold for teaching (2.0). Not a norm: under
#: 34 CFR 300.647 each State sets its own threshold; lessons and apps that
#: use this value say so.
EXAMPLE_RISK_RATIO_THRESHOLD = 2.0

#: Columns of :func:`disproportionality`'s result, in order.
RESULT_COLUMNS = [
    "count",
    "total",
    "risk",
    "comparison_risk",
    "risk_ratio",
    "risk_difference",
    "composition",
    "e_formula_upper",
    "above_e_formula",
    "alternate_risk_ratio",
    "weighted_risk_ratio",
    "note",
]



def _row(df: pd.DataFrame, i: int) -> str:
    return f"row {_plain(df.index[i])!r} (position {i})"


#: Largest count accepted: every whole number up to 2**53 is exact in a float.
_MAX_COUNT = 2.0**53


def _column(df: pd.DataFrame, name: str, col: Any) -> pd.Series:
    """``df[col]`` as one Series; a column name given twice is an error."""
    if list(df.columns).count(col) > 1:
        raise DataError(f"{name}: column {col!r} appears more than once; give it once")
    return df[col]


def _counts(df: pd.DataFrame, name: str, col: str) -> np.ndarray:
    """A count column: numbers, no NaN, whole, >= 0."""
    s = _column(df, name, col)
    if s.dtype.kind in "mMc":  # dates, durations, complex numbers: not counts
        raise DataError(f"{name}: {col!r} at {_row(df, 0)} is {s.iloc[0]!r}, not a count")
    if s.dtype == bool or s.dtype == object:
        is_bad = np.fromiter((_not_a_number(v) and not isinstance(v, str) or isinstance(v, complex)
                              for v in s), bool, len(s))
        if is_bad.any():
            i = int(np.flatnonzero(is_bad)[0])
            raise DataError(f"{name}: {col!r} at {_row(df, i)} is {s.iloc[i]!r}, not a count")
    try:
        x = pd.to_numeric(s, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError, OverflowError):
        for i, v in enumerate(s):
            try:
                float(v)
            except (TypeError, ValueError, OverflowError):
                raise DataError(f"{name}: {col!r} at {_row(df, i)} is {str(v)[:40]!r}, not a number") from None
        raise DataError(f"{name}: column {col!r} is not numeric") from None
    for mask, problem in (
        (np.isnan(x), "is missing (NaN)"),
        (np.isinf(x), "is infinite"),
        (x < 0, "is negative"),
        (x != np.round(x), "is not a whole number"),
        (x > _MAX_COUNT, "is too large to be a count"),
    ):
        with np.errstate(invalid="ignore"):
            m = mask & ~np.isnan(x) if problem != "is missing (NaN)" else mask
        if m.any():
            i = int(np.flatnonzero(m)[0])
            shown = "" if np.isnan(x[i]) else f" ({x[i]:g})"
            raise DataError(f"{name}: {col!r} at {_row(df, i)}{shown} {problem}")
    return x


def _read_table(table: Any, name: str, allow_lea: bool,
                counts: str = "children") -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"{name}: expected a pandas DataFrame with columns group, count, total")
    missing = [c for c in ("group", "count", "total") if c not in table.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {', '.join(missing)} (needs group, count, total)")
    if "lea" in table.columns and not allow_lea:
        raise DataError(f"{name}: the State table has one row per group and no 'lea' column")
    if len(table) == 0:
        raise DataError(f"{name}: no rows given (empty input)")
    keys = ["lea", "group"] if "lea" in table.columns else ["group"]
    for k in keys:
        col = _column(table, name, k)
        na = col.isna().to_numpy()
        if na.any():
            i = int(np.flatnonzero(na)[0])
            raise DataError(f"{name}: {k!r} at {_row(table, i)} is missing")
        if col.dtype == object:
            unusable = np.fromiter((not isinstance(v, Hashable) for v in col), bool, len(col))
            if unusable.any():
                i = int(np.flatnonzero(unusable)[0])
                raise DataError(
                    f"{name}: {k!r} at {_row(table, i)} is {col.iloc[i]!r}; a label must be text or a number"
                )
    dup = table.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        first, *others = np.flatnonzero(dup)
        key = tuple(table[k].iloc[first] for k in keys)
        j = next(int(o) for o in others if tuple(table[k].iloc[o] for k in keys) == key)
        what = " and ".join(f"{k} {_plain(table[k].iloc[first])!r}" for k in keys)
        raise DataError(
            f"{name}: duplicate {what} at {_row(table, int(first))} and {_row(table, j)}; "
            "give one row per group"
        )
    count = _counts(table, name, "count")
    total = _counts(table, name, "total")
    over = count > total
    if counts == "children" and over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataError(
            f"{name}: count {count[i]:g} at {_row(table, i)} is above its total {total[i]:g}"
        )
    return table, count, total


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _text(mask: np.ndarray, parts: list[Any]) -> np.ndarray:
    """Vectorised note fragment: concatenation of ``parts`` where ``mask``, else ''.

    ``parts`` are literal strings or per-row arrays (numbers or text); only
    the masked rows are formatted.
    """
    out = np.full(len(mask), "", dtype=object)
    idx = np.flatnonzero(mask)
    if idx.size:
        acc = np.full(idx.size, "", dtype=object)
        for part in parts:
            if isinstance(part, str):
                acc = acc + part
            else:
                acc = acc + np.asarray(part)[idx].astype(str).astype(object)
        out[idx] = acc
    return out


def disproportionality(
    table: pd.DataFrame,
    state: pd.DataFrame | None = None,
    min_cell: int = 10,
    min_n: int = 30,
    counts: str = "children",
) -> pd.DataFrame:
    """Risk, risk ratios, composition and the E-formula for each group.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``group, count, total``, one row per group of one LEA:
        ``count`` = children in the group with the outcome (identified,
        placed, disciplined), ``total`` = the group's denominator (all
        enrolled children for identification; children with disabilities
        for placement and discipline). The rows must cover all children of
        the LEA (every group), because "all other children" is the sum of
        the other rows.

        **Many LEAs at once (vectorised):** add an ``lea`` column and give
        one row per (lea, group) in a single long table; every figure is
        computed within its LEA in one pass and the result is indexed by
        (lea, group).
    state : pandas.DataFrame, optional
        The same kind of table (``group, count, total``) for the whole
        State; needed for ``alternate_risk_ratio`` and
        ``weighted_risk_ratio`` (NaN without it). Every group of ``table``
        must appear in it.
    min_cell : int, default 10
        Minimum cell size: a ratio needs ``count >= min_cell``. 0 turns
        the check off.
    min_n : int, default 30
        Minimum n-size: a ratio needs ``total >= min_n``. 0 turns it off.
    counts : {"children", "removals"}, default "children"
        What ``count`` counts. ``"children"``: children with the outcome
        (a count above ``total`` is an error). ``"removals"``: disciplinary
        removals (incidences), as in IDEA's "total disciplinary removals"
        category (34 CFR 300.647(b)(4); EDFacts counts incidences, not
        children): one child can be removed many times, so a count above
        ``total`` is valid and ``risk`` is removals per child (it can
        exceed 1).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` (or ``lea, group``), columns:

        - ``count``, ``total`` -- as given.
        - ``risk`` = count / total.
        - ``comparison_risk`` = risk of all other children in the LEA
          (other rows' counts / other rows' totals).
        - ``risk_ratio`` = risk / comparison_risk.
        - ``risk_difference`` = risk - comparison_risk.
        - ``composition`` = count / all children with the outcome in the
          LEA (a proportion, 0-1).
        - ``e_formula_upper`` = A + sqrt(A (100 - A) / N), **in percent**,
          with A = the group's percentage of the LEA's base population
          (100 total / LEA total) and N = children with the outcome in the
          LEA (Bollmer et al. 2014).
        - ``above_e_formula`` -- whether 100 x composition exceeds
          ``e_formula_upper`` (nullable boolean; NA when undefined).
        - ``alternate_risk_ratio`` = LEA group risk / risk of all other
          children in the State. Regulation: used when the LEA comparison
          group fails the minimum cell or n-size; computed here whenever
          the group itself passes, and the note says which ratio applies.
        - ``weighted_risk_ratio`` = (1 - p_i) R_i / sum_{j != i} p_j R_j,
          R = LEA group risks, p = State enrolment shares (state ``total`` /
          State sum of ``total``). Needs a risk (total > 0) for every
          other State group in the LEA, else NaN with a note.
        - ``note`` -- empty when all is computed; otherwise which minimum
          failed (with the numbers) or why a figure is missing.

        The three ratios are computed only when the group's ``count >=
        min_cell`` and ``total >= min_n``; ``risk_ratio`` also needs the
        LEA comparison group (the other children) to meet both minimums.
        Risk, comparison risk, difference, composition and the E-formula
        are descriptive and always given where defined (0/0 is NaN).
        Counts here are not suppressed: pass tables meant for people
        through :func:`suppress_small_cells`.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (``cfr300647``).

    Bollmer, J., Bethel, J., Munk, T., & Bitterman, A. (2014). *Methods
    for assessing racial/ethnic disproportionality in special education: A
    technical assistance guide (revised)*. IDEA Data Center, Westat
    (``bollmer2014``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.equity import disproportionality
    >>> lea = pd.DataFrame({"group": ["A", "B", "C"],
    ...                     "count": [30, 20, 5], "total": [200, 400, 100]})
    >>> r = disproportionality(lea)
    >>> r.loc["A", ["risk", "comparison_risk", "risk_ratio"]].round(4).tolist()   # .15 / (25/500)
    [0.15, 0.05, 3.0]
    >>> r.loc["C", "note"]
    'ratios not computed: count 5 < min_cell 10'
    """
    mc = check_number(min_cell, "min_cell", lo=0, integer=True)
    mn = check_number(min_n, "min_n", lo=0, integer=True)
    kind = check_choice(counts, "counts", COUNT_KINDS)
    t, count, total = _read_table(table, "table", allow_lea=True, counts=kind)
    n = len(t)
    has_lea = "lea" in t.columns
    if has_lea:
        codes, leas = pd.factorize(t["lea"], sort=False)
    else:
        codes, leas = np.zeros(n, dtype=np.intp), None
    k = int(codes.max()) + 1
    lea_c = np.bincount(codes, weights=count, minlength=k)[codes]
    lea_t = np.bincount(codes, weights=total, minlength=k)[codes]
    oth_c, oth_t = lea_c - count, lea_t - total

    risk = _div(count, total)
    comp_risk = _div(oth_c, oth_t)
    risk_diff = risk - comp_risk
    composition = _div(count, lea_c)
    a_pct = 100.0 * _div(total, lea_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        e_upper = np.where(lea_c > 0, a_pct + np.sqrt(a_pct * (100.0 - a_pct) / np.where(lea_c > 0, lea_c, 1)), np.nan)
    e_defined = ~np.isnan(e_upper) & ~np.isnan(composition)
    above = pd.array(np.where(e_defined, 100.0 * composition > e_upper, False), dtype="boolean")
    above[~e_defined] = pd.NA

    fail_cell = count < mc
    fail_n = total < mn
    g_ok = ~fail_cell & ~fail_n & (total > 0)
    c_fail_cell = oth_c < mc
    c_fail_n = oth_t < mn
    c_ok = ~c_fail_cell & ~c_fail_n
    rr_ok = g_ok & c_ok & (comp_risk > 0)
    risk_ratio = np.where(rr_ok, _div(risk, comp_risk), np.nan)

    alt = np.full(n, np.nan)
    wrr = np.full(n, np.nan)
    wrr_incomplete = np.zeros(n, dtype=bool)
    if state is not None:
        s, s_count, s_total = _read_table(state, "state", allow_lea=False, counts=kind)
        s_groups = pd.Index(s["group"])
        pos = s_groups.get_indexer(t["group"])
        if (pos < 0).any():
            i = int(np.flatnonzero(pos < 0)[0])
            raise DataError(
                f"state: group {_plain(t['group'].iloc[i])!r} (table {_row(t, i)}) is not in the State table"
            )
        S_c, S_t = s_count.sum(), s_total.sum()
        s_oth_risk = _div(S_c - s_count, S_t - s_total)[pos]
        alt = np.where(g_ok & (s_oth_risk > 0), _div(risk, s_oth_risk), np.nan)
        p = (s_total / S_t)[pos] if S_t > 0 else np.full(n, np.nan)
        defined = ~np.isnan(risk)
        pr = np.where(defined, p * np.where(defined, risk, 0.0), 0.0)
        lea_sum = np.bincount(codes, weights=pr, minlength=k)[codes]
        lea_ndef = np.bincount(codes, weights=defined.astype(float), minlength=k)[codes]
        complete = (lea_ndef - defined) == (len(s) - 1)
        denom = lea_sum - pr
        # "all minus self" loses its digits when this group's term dominates the LEA's sum
        # (cancellation): add the other groups' terms directly for those rows (rare)
        with np.errstate(invalid="ignore"):
            shaky = np.flatnonzero(g_ok & complete & (denom <= 1e-6 * lea_sum))
        for i in shaky:
            members = np.flatnonzero(codes == codes[i])
            denom[i] = math.fsum(pr[members[members != i]])
        wrr_incomplete = g_ok & ~complete
        wrr = np.where(g_ok & complete & (denom > 0), (1.0 - p) * risk / np.where(denom > 0, denom, 1.0), np.nan)

    ci = count.astype(np.int64)
    ti = total.astype(np.int64)
    pieces = [
        _text(fail_cell, ["count ", ci, f" < min_cell {mc}"]),
        _text(fail_n, ["total ", ti, f" < min_n {mn}"]),
    ]
    group_note = _join(pieces)
    notes = _text(~g_ok & (group_note != ""), ["ratios not computed: ", group_note])
    zero_total = (total == 0) & ~fail_cell & ~fail_n
    notes = _join([notes, _text(zero_total, ["ratios not computed: total is 0"])])
    oci = oth_c.astype(np.int64)
    oti = oth_t.astype(np.int64)
    comp_parts = _join([
        _text(c_fail_cell, ["count ", oci, f" < min_cell {mc}"]),
        _text(c_fail_n, ["total ", oti, f" < min_n {mn}"]),
    ])
    use_alt = "; use alternate_risk_ratio" if state is not None else "; pass state= for the alternate risk ratio"
    notes = _join([
        notes,
        _text(g_ok & ~c_ok, ["risk_ratio not computed: comparison group (all other children) ", comp_parts, use_alt]),
        _text(g_ok & c_ok & ~(comp_risk > 0), ["risk_ratio not computed: comparison risk is 0"]),
        _text(wrr_incomplete, ["weighted_risk_ratio not computed: the LEA lacks a risk for some State group"]),
    ])

    if has_lea:
        index = pd.MultiIndex.from_arrays([t["lea"].to_numpy(), t["group"].to_numpy()], names=["lea", "group"])
    else:
        index = pd.Index(t["group"].to_numpy(), name="group")
    out = pd.DataFrame(
        {
            "count": count.astype(np.int64),
            "total": total.astype(np.int64),
            "risk": risk,
            "comparison_risk": comp_risk,
            "risk_ratio": risk_ratio,
            "risk_difference": risk_diff,
            "composition": composition,
            "e_formula_upper": e_upper,
            "above_e_formula": above,
            "alternate_risk_ratio": alt,
            "weighted_risk_ratio": wrr,
            "note": notes,
        },
        index=index,
    )
    out.attrs.update({"min_cell": mc, "min_n": mn, "counts": kind})
    return out


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """Join note fragments with '; ', skipping empty ones (vectorised)."""
    acc = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        p = np.asarray(p, dtype=object)
        both = (acc != "") & (p != "")
        acc = acc + np.where(both, "; ", "").astype(object) + p
    return acc


def suppress_small_cells(
    df: pd.DataFrame,
    columns: str | Iterable[str],
    min_cell: int = 10,
    marker: str = "na",
) -> pd.DataFrame:
    """Mask small counts in a table meant for people, and say so.

    Every value under ``min_cell`` (0 included: a published zero also
    discloses something) in the named columns is suppressed (FERPA-style
    small-cell protection; IDEA's presumptively reasonable minimum cell
    size is 10 or less).

    Parameters
    ----------
    df : pandas.DataFrame
    columns : str or list of str
        The count columns to protect. Values must be whole non-negative
        numbers without NaN.
    min_cell : int, default 10
        Counts ``< min_cell`` are suppressed; 0 suppresses nothing.
    marker : {"na", "text"}, default "na"
        ``"na"``: suppressed cells become ``pd.NA`` in a nullable integer
        (``Int64``) column, so the column stays numeric for charts. ``"text"``: the column becomes text with
        ``"<10"`` (``"<{min_cell}"``) in suppressed cells and the other
        counts as written numbers -- for printed tables.

    Returns
    -------
    pandas.DataFrame
        A new frame (``df`` is not changed) with, for each protected
        column ``c``, an added boolean column ``c + "_suppressed"`` (True
        where masked -- a chart can draw these cells as "suppressed").
        ``out.attrs`` holds ``"min_cell"``, ``"suppressed"`` ({column:
        list of index labels masked}) and ``"suppression_note"`` (a
        sentence to print under the table).

    Notes
    -----
    Only primary suppression is done: for teaching the idea on synthetic
    data. If row or column totals are published beside the table (or
    another grouping of the same students is), a single suppressed cell can
    be recovered by subtraction. For real students' data use
    :func:`protect_counts`, which adds complementary suppression and
    refuses a minimum under :data:`MIN_CELL_FLOOR`.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (``cfr300647``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.equity import suppress_small_cells
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [25, 4, 0]})
    >>> out = suppress_small_cells(t, "count")
    >>> out
      group  count  count_suppressed
    0     A     25             False
    1     B   <NA>              True
    2     C   <NA>              True
    >>> out.attrs["suppression_note"]
    'Counts under 10 are suppressed (shown as <NA>) to protect privacy.'
    >>> suppress_small_cells(t, "count", marker="text")["count"].tolist()
    ['25', '<10', '<10']
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError("df: expected a pandas DataFrame")
    if isinstance(columns, (list, tuple, pd.Index, np.ndarray)):
        cols = list(columns)
    elif isinstance(columns, Hashable) and columns is not None:
        cols = [columns]
    else:
        raise DataError(f"columns: expected a column name or a list of column names, got {columns!r}")
    if not cols:
        raise DataError("columns: name at least one count column to protect")
    for c in cols:
        if not isinstance(c, Hashable) or c not in df.columns:
            raise DataError(f"columns: {c!r} is not a column of df")
    m = check_number(min_cell, "min_cell", lo=0, integer=True)
    mode = check_choice(marker, "marker", ("na", "text"))
    out = df.copy()
    masked: dict[str, list[Any]] = {}
    for c in cols:
        x = _counts(df, "df", c)
        mask = x < m
        masked[c] = list(df.index[mask])
        if mode == "na":
            arr = pd.array(x.astype(np.int64), dtype="Int64")
            arr[mask] = pd.NA
            out[c] = arr
        else:
            shown = x.astype(np.int64).astype(str).astype(object)
            shown[mask] = f"<{m}"
            out[c] = shown
        out[f"{c}_suppressed"] = mask
    shown_as = "<NA>" if mode == "na" else f"'<{m}'"
    out.attrs.update(
        {
            "min_cell": m,
            "suppressed": masked,
            "suppression_note": f"Counts under {m} are suppressed (shown as {shown_as}) to protect privacy.",
        }
    )
    return out


# ---------------------------------------------------------------------------
# Complementary (secondary) suppression and the library's floor
# ---------------------------------------------------------------------------

#: The smallest minimum cell size any table, chart or app showing a leader's
#: own data accepts. A library safeguard, not a regulation or a published
#: standard: each State sets its own minimum (34 CFR 300.647 presumes 10 or
#: less reasonable for the ratios), and the library's default is 10.
MIN_CELL_FLOOR = 5


def check_min_cell(min_cell: Any, name: str = "min_cell") -> int:
    """``min_cell`` as an int, refused below :data:`MIN_CELL_FLOOR` (for tables people see).

    Examples
    --------
    >>> from mtss_teach.equity import check_min_cell
    >>> check_min_cell(10)
    10
    >>> check_min_cell(0)
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: min_cell: 0 is below the library's floor of 5 for tables of real students' data; use 5 or more (10 is the default)
    """
    m = int(check_number(min_cell, name, lo=0, integer=True))
    if m < MIN_CELL_FLOOR:
        raise DataError(f"{name}: {m} is below the library's floor of {MIN_CELL_FLOOR} for tables of real "
                        f"students' data; use {MIN_CELL_FLOOR} or more (10 is the default)")
    return m


def _complement(values: np.ndarray, hidden: np.ndarray, relations: list[np.ndarray],
                fixed: np.ndarray) -> np.ndarray:
    """Hide more cells until no relation gives a hidden cell back.

    ``relations`` are sets of cells whose sum (or difference) is known to a
    reader -- a row with its published total, the groups of a school with
    the school's total, the schools with the whole. In each relation, one
    hidden cell alone could be worked out by subtraction, and so could
    hidden cells that add up to zero: then the smallest cell still shown
    in it (never a ``fixed`` one) is hidden too, until nothing changes.
    """
    hidden = hidden.copy()
    member: list[list[int]] = [[] for _ in range(values.size)]
    for r, rel in enumerate(relations):
        for c in rel:
            member[int(c)].append(r)

    def exposed(r: int) -> bool:
        h = hidden[relations[r]]
        k = int(h.sum())
        return k == 1 or (k >= 1 and values[relations[r]][h].sum() == 0)

    changed = True
    while changed:
        changed = False
        for r, rel in enumerate(relations):
            if not exposed(r):
                continue
            h = hidden[rel]
            cand = rel[~h & ~fixed[rel]]
            if cand.size == 0:
                continue
            zero_sum = values[rel][h].sum() == 0
            if zero_sum and (values[cand] > 0).any():
                cand = cand[values[cand] > 0]
            # prefer a cell that also closes another exposed relation (a row already half hidden), then
            # one that opens no new one, then the smallest
            def cost(c: int) -> tuple:
                closes = sum(exposed(q) for q in member[c] if q != r)
                opens = sum(int(hidden[relations[q]].sum()) == 0 for q in member[c] if q != r)
                return (-closes, opens, values[c])
            pick = min(cand.tolist(), key=cost)
            hidden[pick] = True
            changed = True
    return hidden


def protect_counts(
    table: pd.DataFrame,
    min_cell: int = 10,
    *,
    by: str | None = None,
    group: str = "group",
    count: str = "count",
    total: str = "total",
) -> pd.DataFrame:
    """Small-cell suppression with complementary suppression, for tables of real students.

    Each group has ``count`` students with the outcome out of ``total``.
    A count is hidden when it, or the students *without* the outcome
    (``total - count``), is under ``min_cell`` (0 included); a total under
    ``min_cell`` is hidden with its count. Then **complementary
    suppression**: the totals of the table (all students, all students
    with the outcome) are treated as published -- they are, through any
    other grouping of the same students -- so wherever one hidden cell
    could be worked out by subtraction (a total minus the cells shown),
    the next smallest cell is hidden as well. With ``by`` (e.g. one table
    per school), the same is done across schools and for the whole, so a
    school's hidden cell cannot be worked out from the whole either.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``group``, ``count``, ``total`` (and ``by``): one row per
        group (per ``by`` value).
    min_cell : int, default 10
        At least :data:`MIN_CELL_FLOOR`.
    by : str, optional
        A column splitting the students into parts (schools); the result
        then also has rows for the whole (``by`` = ``"(all)"``).
    group, count, total : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``[by,] group, count, total`` (nullable integers: ``<NA>`` where
        hidden), ``count_suppressed``, ``total_suppressed`` and ``why``
        (``""``, ``"small cell"``, or ``"complementary"`` -- hidden so that
        a small cell cannot be worked out from the totals). ``attrs``:
        ``min_cell`` and ``suppression_note``.

    Notes
    -----
    This protects one-way tables (outcome by one grouping, per school and
    for the whole). It does not protect a two-way cross-tabulation of two
    groupings (race by sex), which needs its own check.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (minimum cell size)
    (``cfr300647``). The complementary rule is the usual
    statistical-disclosure practice for published tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.equity import protect_counts
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> out = protect_counts(t)
    >>> out[["group", "count", "why"]].values.tolist()   # 5 is small; 40 hidden too, or 105 - 60 - 40 = 5
    [['A', <NA>, 'complementary'], ['B', <NA>, 'small cell'], ['C', 60, '']]
    """
    m = check_min_cell(min_cell)
    if not isinstance(table, pd.DataFrame):
        raise DataError("table: expected a pandas DataFrame with columns group, count, total")
    need = [c for c in ([by] if by is not None else []) + [group, count, total] if c not in table.columns]
    if need:
        raise DataError(f"table: missing column(s) {need}")
    if len(table) == 0:
        raise DataError("table: no rows given (empty input)")
    c_arr = _counts(table, "table", count)
    t_arr = _counts(table, "table", total)
    over = c_arr > t_arr
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataError(f"table: count {c_arr[i]:g} at {_row(table, i)} is above its total {t_arr[i]:g}")
    parts = table[by].astype(str).to_numpy() if by is not None else np.full(len(table), "")
    groups = table[group].astype(str).to_numpy()
    dup = pd.DataFrame({"p": parts, "g": groups}).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"table: group {groups[i]!r} appears twice" + (f" in {by} {parts[i]!r}" if by else ""))
    part_names = list(dict.fromkeys(parts))
    group_names = list(dict.fromkeys(groups))
    views = part_names + (["(all)"] if by is not None else [])
    V, G = len(views), len(group_names)
    yes = np.zeros((V, G))
    tot = np.zeros((V, G))
    present = np.zeros((V, G), dtype=bool)
    vi = {v: i for i, v in enumerate(views)}
    gi = {g: j for j, g in enumerate(group_names)}
    for p, g, c, t in zip(parts, groups, c_arr, t_arr):
        yes[vi[p], gi[g]] = c
        tot[vi[p], gi[g]] = t
        present[vi[p], gi[g]] = True
    if by is not None:
        yes[-1] = yes[:-1].sum(axis=0)
        tot[-1] = tot[:-1].sum(axis=0)
        present[-1] = present[:-1].any(axis=0)
    no = tot - yes
    # cells: yes, no, tot for each (view, group); then the fixed view totals Y, N, T
    n_cells = 3 * V * G
    idx = np.arange(n_cells).reshape(3, V, G)
    Yi, Ni, Ti = n_cells + np.arange(V), n_cells + V + np.arange(V), n_cells + 2 * V + np.arange(V)
    values = np.concatenate([yes.ravel(), no.ravel(), tot.ravel(), yes.sum(1), no.sum(1), tot.sum(1)])
    fixed = np.zeros(values.size, dtype=bool)
    fixed[n_cells:] = True
    absent = np.concatenate([~present.ravel()] * 3 + [np.zeros(3 * V, dtype=bool)])
    fixed |= absent  # a group a school does not have: nothing to hide
    primary = np.zeros(values.size, dtype=bool)
    small_out = (yes < m) | (no < m)
    small_tot = tot < m
    primary[idx[0].ravel()] = (small_out | small_tot).ravel()
    primary[idx[1].ravel()] = (small_out | small_tot).ravel()
    primary[idx[2].ravel()] = small_tot.ravel()
    primary &= ~absent
    rel: list[np.ndarray] = []
    for v in range(V):
        for g in range(G):
            rel.append(np.array([idx[2, v, g], idx[0, v, g], idx[1, v, g]]))
        rel.append(np.concatenate([[Yi[v]], idx[0, v]]))
        rel.append(np.concatenate([[Ni[v]], idx[1, v]]))
        rel.append(np.concatenate([[Ti[v]], idx[2, v]]))
    if by is not None:
        for k in range(3):
            for g in range(G):
                rel.append(idx[k, :, g])
        for fixed_idx in (Yi, Ni, Ti):
            rel.append(fixed_idx)
    hidden = _complement(values, primary, rel, fixed)
    h_count = (hidden[idx[0].ravel()] | hidden[idx[1].ravel()]).reshape(V, G)
    h_total = hidden[idx[2].ravel()].reshape(V, G)
    h_count |= h_total
    p_count = (small_out | small_tot)
    rows = []
    for v, vname in enumerate(views):
        for g, gname in enumerate(group_names):
            if not present[v, g]:
                continue
            why = "small cell" if p_count[v, g] else ("complementary" if h_count[v, g] else "")
            rows.append(((vname,) if by is not None else ()) + (gname, int(yes[v, g]), int(tot[v, g]),
                                                                bool(h_count[v, g]), bool(h_total[v, g]), why))
    cols = ([by] if by is not None else []) + [group, count, total, f"{count}_suppressed", f"{total}_suppressed",
                                               "why"]
    out = pd.DataFrame(rows, columns=cols)
    cnt = pd.array(out[count].to_numpy(dtype=np.int64), dtype="Int64")
    cnt[out[f"{count}_suppressed"].to_numpy()] = pd.NA
    tt = pd.array(out[total].to_numpy(dtype=np.int64), dtype="Int64")
    tt[out[f"{total}_suppressed"].to_numpy()] = pd.NA
    out[count], out[total] = cnt, tt
    out.attrs.update({"min_cell": m, "suppression_note": (
        f"Counts under {m} (with or without the outcome) are suppressed to protect privacy, and so are the "
        "next smallest counts wherever a suppressed one could otherwise be worked out from the totals.")})
    return out


def protect_distribution(counts: Any, min_cell: int = 10) -> pd.DataFrame:
    """Students per category (tiers, status bands) with small counts hidden, complementary included.

    The categories split one group of students whose total is known, so a
    single hidden count could be worked out as the total minus the others:
    the next smallest count is then hidden too (and so when the hidden ones
    would add up to zero).

    Parameters
    ----------
    counts : pandas.Series or mapping
        Students per category (whole numbers >= 0).
    min_cell : int, default 10
        At least :data:`MIN_CELL_FLOOR`.

    Returns
    -------
    pandas.DataFrame
        Indexed by category: ``count`` (``Int64``, ``<NA>`` where hidden),
        ``suppressed`` and ``why`` ("", "small cell", "complementary");
        ``attrs["total"]`` is the (published) total.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (``cfr300647``).

    Examples
    --------
    >>> from mtss_teach.equity import protect_distribution
    >>> out = protect_distribution({"Tier 1": 140, "Tier 2": 30, "Tier 3": 4})
    >>> out["count"].tolist(), out["why"].tolist()
    ([140, <NA>, <NA>], ['', 'complementary', 'small cell'])
    """
    m = check_min_cell(min_cell)
    s = pd.Series(counts, dtype=object) if not isinstance(counts, pd.Series) else counts
    if len(s) == 0:
        raise DataError("counts: no categories given (empty input)")
    x = _counts(pd.DataFrame({"count": s.to_numpy()}, index=s.index), "counts", "count")
    primary = x < m
    hidden = _complement(x, primary, [np.arange(x.size)], np.zeros(x.size, dtype=bool))
    return _protected_frame(x, primary, hidden, s.index, m, int(x.sum()))


def _protected_frame(values: np.ndarray, primary: np.ndarray, hidden: np.ndarray, index: Any, min_cell: int,
                     total: int) -> pd.DataFrame:
    """The table :func:`protect_distribution` and :func:`protect_rollup` return: counts, hidden ones as <NA>."""
    cnt = pd.array(values.astype(np.int64), dtype="Int64")
    cnt[hidden] = pd.NA
    out = pd.DataFrame({"count": cnt, "suppressed": hidden,
                        "why": np.where(primary, "small cell", np.where(hidden, "complementary", ""))},
                       index=pd.Index(index))
    out.attrs.update({"min_cell": min_cell, "total": total})
    return out


def protect_rollup(counts: Any, rollup: Any, min_cell: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two tables of the same students -- categories, and the larger groups they add up to -- protected together.

    A page that shows students per benchmark status *and* per tier (Tier 1 =
    "at" + "above") shows the same students grouped two ways: protected one
    at a time, a count hidden in one table can come back from the other
    (Tier 1 shown as 43 and "at benchmark" as 40 give "above benchmark" = 3).
    Here every relation a reader can use is checked at once -- both tables
    add up to the same published total, and each group equals the sum of
    its categories -- and wherever a hidden count could be worked out, the
    next smallest count is hidden too (complementary suppression).

    Parameters
    ----------
    counts : pandas.Series or mapping
        Students per category (whole numbers >= 0). A category that can
        occur but has no student should be given with 0: leaving it out
        publishes its zero.
    rollup : mapping
        Category -> the group it belongs to (e.g. "at" -> "Tier 1"), for
        every category (a category can be its own group, e.g. "no
        benchmark"), so both tables have one total.
    min_cell : int, default 10
        At least :data:`MIN_CELL_FLOOR`.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The categories and the groups, each as :func:`protect_distribution`
        returns it (``count`` with ``<NA>`` where hidden, ``suppressed``,
        ``why``; ``attrs["total"]``, the published total). The groups
        appear in the order they are first named in ``rollup``.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (``cfr300647``).

    Examples
    --------
    >>> from mtss_teach.equity import protect_rollup
    >>> status = {"above": 3, "at": 40, "below": 12, "well below": 8}
    >>> tiers = {"above": "Tier 1", "at": "Tier 1", "below": "Tier 2", "well below": "Tier 3"}
    >>> detail, groups = protect_rollup(status, tiers)
    >>> detail["count"].tolist(), groups["count"].tolist()   # Tier 1 = 43 would give "above" back (43 - 40)
    ([<NA>, 40, 12, <NA>], [<NA>, 12, <NA>])
    """
    m = check_min_cell(min_cell)
    s = pd.Series(counts, dtype=object) if not isinstance(counts, pd.Series) else counts
    if len(s) == 0:
        raise DataError("counts: no categories given (empty input)")
    if not hasattr(rollup, "items") or isinstance(rollup, (str, bytes)):
        raise DataError(f"rollup: expected a mapping of category -> group, got {rollup!r}")
    cats = list(s.index)
    if pd.Index(cats).has_duplicates:
        raise DataError("counts: a category appears twice")
    unknown = [c for c in rollup if c not in set(cats)]
    if unknown:
        raise DataError(f"rollup: {unknown[0]!r} is not one of the categories {cats}")
    missing = [c for c in cats if c not in rollup]
    if missing:
        raise DataError(f"rollup: category {missing[0]!r} belongs to no group; give every category a group "
                        "(it can be its own) so that both tables add up to the same total")
    x = _counts(pd.DataFrame({"count": s.to_numpy()}, index=s.index), "counts", "count")
    groups = list(dict.fromkeys(rollup[c] for c in cats))
    k, g = len(cats), len(groups)
    members = [np.array([i for i, c in enumerate(cats) if rollup[c] == grp]) for grp in groups]
    gx = np.array([x[mem].sum() for mem in members], dtype=float)
    # cells: categories 0..k-1, groups k..k+g-1, then the published total (never hidden)
    total = k + g
    values = np.concatenate([x.astype(float), gx, [x.sum()]])
    fixed = np.zeros(values.size, dtype=bool)
    fixed[total] = True
    rel = [np.concatenate([[total], np.arange(k)]), np.concatenate([[total], k + np.arange(g)])]
    rel += [np.concatenate([[k + j], mem]) for j, mem in enumerate(members)]
    primary = np.zeros(values.size, dtype=bool)
    primary[:k + g] = values[:k + g] < m
    hidden = _complement(values, primary, rel, fixed)

    total = int(x.sum())
    return tuple(_protected_frame(values[sl], primary[sl], hidden[sl], index, m, total)  # type: ignore[return-value]
                 for sl, index in ((slice(0, k), cats), (slice(k, k + g), groups)))


#: Bin widths :func:`protected_bin_width` tries, times a power of ten (round numbers a reader can follow).
_ROUND_WIDTHS = (1.0, 2.0, 2.5, 5.0)


def protected_bin_width(scores: Any, cut: float, min_cell: int = 10, *, risk_when: str = "below",
                        max_bins: int = 30) -> float | None:
    """The narrowest round bin width at which a histogram of real students' scores shows no small count.

    A histogram is a table of counts (students per score band), and the
    students flagged by the cut are another count: on a page about real
    students every one of them must be at least ``min_cell``. Bins start
    at the cut (``cut + k * width``, as
    :func:`mtss_teach.charts.screening_histogram` draws them: ``[lo, hi)``
    for ``risk_when="below"``, ``(lo, hi]`` for ``"above"``); widths 1, 2,
    2.5, 5 times a power of ten are tried from the narrowest giving at most
    ``max_bins`` bars, and the first at which every bar (and the flagged and
    not-flagged totals) holds at least ``min_cell`` students is returned.

    Parameters
    ----------
    scores : array-like of float
    cut : float
    min_cell : int, default 10
        At least :data:`MIN_CELL_FLOOR`.
    risk_when : {"below", "above"}
    max_bins : int, default 30

    Returns
    -------
    float or None
        The width, or None when no width works (fewer than ``min_cell``
        students on one side of the cut, or too few students): then draw no
        histogram.

    References
    ----------
    U.S. Department of Education (2016). Determining significant
    disproportionality, 34 C.F.R. § 300.647 (minimum cell size)
    (``cfr300647``).

    Examples
    --------
    >>> from mtss_teach.equity import protected_bin_width
    >>> scores = [20] * 12 + [28] * 12 + [41] * 3 + [47] * 9
    >>> protected_bin_width(scores, cut=30)   # width 10: [20,30) 24, [40,50) 12; width 5 would show 3 in [40,45)
    10.0
    >>> protected_bin_width([20] * 12 + [45] * 4, cut=30) is None   # 4 students not flagged, at any width
    True
    """
    m = check_min_cell(min_cell)
    direction = check_choice(risk_when, "risk_when", ("below", "above"))
    c = check_number(cut, "cut")
    s = np.asarray(scores, dtype=float).ravel()
    if s.size == 0 or not np.isfinite(s).all():
        raise DataError("scores: expected finite numbers (at least one)")
    flagged = (s < c) if direction == "below" else (s > c)
    if flagged.sum() < m or (~flagged).sum() < m:
        return None
    lo, hi = min(float(s.min()), c), max(float(s.max()), c)
    span = max(hi - lo, 1e-9)
    exp = math.floor(math.log10(span / max_bins))
    for e in range(exp, exp + 8):
        for base in _ROUND_WIDTHS:
            w = base * 10.0 ** e
            if span / w > max_bins:
                continue
            k = np.floor((s - c) / w) if direction == "below" else np.ceil((s - c) / w) - 1
            _, n = np.unique(k, return_counts=True)
            if n.min() >= m:
                return float(w)
    return None


def composition_difference(table: pd.DataFrame, counts: str = "children") -> pd.DataFrame:
    """Composition, and its difference from the group's share of the base population.

    The IDEA Data Center's composition methods (Bollmer et al. 2014):

    - ``composition`` -- the group's percentage of the children with the
      outcome: ``100 x count / all counts``;
    - ``base_share`` -- the group's percentage of the base population:
      ``100 x total / all totals`` (the "A" of the E-formula);
    - ``difference_in_composition`` -- ``composition - base_share``, in
      percentage points;
    - ``relative_difference_in_composition`` -- the difference as a
      percentage of the base share: ``100 x difference / base_share``.

    A group that is 20% of enrolment and 30% of the children identified has
    a difference of 10 points and a relative difference of 50%. Composition
    says nothing about a group's own risk; read it beside
    :func:`disproportionality`'s risk ratio.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``group, count, total`` as in :func:`disproportionality`
        (an ``lea`` column computes each LEA separately).
    counts : {"children", "removals"}, default "children"
        As in :func:`disproportionality`: with ``"removals"`` a count above
        the group's total is valid.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group`` (or ``lea, group``): ``count, total,
        composition, base_share, difference_in_composition,
        relative_difference_in_composition, note``. Percentages run 0-100;
        a figure with a zero denominator is NaN and ``note`` says why.

    References
    ----------
    Bollmer, J., Bethel, J., Munk, T. & Bitterman, A. (2014). *Methods for
    assessing racial/ethnic disproportionality in special education: A
    technical assistance guide (revised)*. IDEA Data Center, Westat
    (``bollmer2014``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.equity import composition_difference
    >>> t = pd.DataFrame({"group": ["A", "B"], "count": [30, 70], "total": [200, 800]})
    >>> composition_difference(t).loc["A", ["composition", "base_share", "difference_in_composition",
    ...                                     "relative_difference_in_composition"]].tolist()
    [30.0, 20.0, 10.0, 50.0]
    """
    kind = check_choice(counts, "counts", COUNT_KINDS)
    t, count, total = _read_table(table, "table", allow_lea=True, counts=kind)
    n = len(t)
    has_lea = "lea" in t.columns
    codes = pd.factorize(t["lea"], sort=False)[0] if has_lea else np.zeros(n, dtype=np.intp)
    k = int(codes.max()) + 1
    lea_c = np.bincount(codes, weights=count, minlength=k)[codes]
    lea_t = np.bincount(codes, weights=total, minlength=k)[codes]
    comp = 100.0 * _div(count, lea_c)
    base = 100.0 * _div(total, lea_t)
    diff = comp - base
    with np.errstate(invalid="ignore"):
        rel = np.where(base > 0, 100.0 * diff / np.where(base > 0, base, 1.0), np.nan)
    notes = _join([
        _text(lea_c == 0, ["composition not computed: no child in the LEA has the outcome"]),
        _text((lea_t > 0) & (total == 0), ["relative difference not computed: the group's base share is 0"]),
        _text(lea_t == 0, ["base share not computed: the LEA's base population is 0"]),
    ])
    if has_lea:
        index = pd.MultiIndex.from_arrays([t["lea"].to_numpy(), t["group"].to_numpy()], names=["lea", "group"])
    else:
        index = pd.Index(t["group"].to_numpy(), name="group")
    return pd.DataFrame(
        {
            "count": count.astype(np.int64),
            "total": total.astype(np.int64),
            "composition": comp,
            "base_share": base,
            "difference_in_composition": diff,
            "relative_difference_in_composition": rel,
            "note": notes,
        },
        index=index,
    )
