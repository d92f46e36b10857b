"""Fidelity of implementation: the TFI, intervention checklists, rater agreement.

Instruments are data, not code. The SWPBIS Tiered Fidelity Inventory v2.1
item list ships as ``mtss_teach/data/tfi_v21_items.csv`` and a generic
intervention checklist as ``mtss_teach/data/checklist_example.csv``; each row
carries its ``source``, ``year`` and ``tag``.

Facts used (from the TFI v2.1 manual, Algozzine et al. 2014, and the
implementation-fidelity literature; evidence tags in brackets):

* TFI items are scored 0 / 1 / 2; a tier's scale score is points / (2 x
  items) x 100; 70% per tier is the accepted criterion [S]. Tier 3 has 17
  items (34 points) [S]; Tier 1 has 15 and Tier 2 13 items (secondary
  sources [S2]).
* Procedural fidelity % = steps done correctly / steps x 100; 80% is a common
  convention [S2]. Dosage and quality of delivery are separate fidelity
  dimensions (Dane & Schneider 1998 [S]).
* Percent agreement and Cohen's kappa are the standard inter-rater statistics.

.. warning::
   The TFI item **names and subscale membership** come from secondary
   copies of the TFI (district guides), not from the manual itself. Rows
   tagged ``CHECK`` in the data file are unverified: the names of items 2.12,
   3.6, 3.8, 3.10, 3.11 and 3.12, and the subscale of every Tier 3 item from
   3.3 to 3.16. Tier scores do not depend on them; subscale scores for Tier
   3 do. Check them against the TFI v2.1 manual before relying on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from collections.abc import Hashable
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._packagedata import read_table
from ._validate import check_choice, check_number, not_a_number as _not_a_number, position
from ._validate import shape_of as _shape_of
from .errors import DataError

__all__ = [
    "Agreement",
    "tfi_items",
    "tfi_scores",
    "action_plan",
    "checklist_instrument",
    "checklist_fidelity",
    "interrater",
]

TFI_CRITERION = 70.0
FIDELITY_CRITERION = 80.0


def _read_csv(name: str, item_as_text: bool = False) -> pd.DataFrame:
    return read_table(name, ("item",) if item_as_text else ())


def tfi_items() -> pd.DataFrame:
    """The SWPBIS Tiered Fidelity Inventory v2.1 item list (45 items).

    Returns
    -------
    pandas.DataFrame
        One row per item in instrument order, with columns ``item`` (text id
        such as "1.1" or "3.17"), ``tier`` (1/2/3), ``subscale``,
        ``subscale_order`` (position of the subscale within its tier),
        ``name`` (short item name), ``order`` (1..45), ``max_points`` (2),
        ``source``, ``year``, ``tag`` and ``note``.

    Notes
    -----
    Subscales [S]: Tier 1 Teams / Implementation / Evaluation; Tier 2 Teams /
    Interventions / Evaluation; Tier 3 Teams / Resources / Support Plans /
    Evaluation. Item names and which items sit in which subscale were read in
    secondary copies of the TFI (tag ``S2``). **Unverified (tag CHECK):** the
    names of items 2.12, 3.6, 3.8, 3.10, 3.11 and 3.12, and the subscale of
    Tier 3 items 3.3-3.16 -- see the ``note`` column. Only short names are
    shipped; the full item wording and scoring criteria are in the TFI manual
    (Algozzine et al. 2014).

    References
    ----------
    Algozzine, B., Barrett, S., Eber, L., George, H., Horner, R., Lewis,
    T., Putnam, B., Swain-Bradway, J., McIntosh, K., & Sugai, G. (2014).
    *School-wide PBIS Tiered Fidelity Inventory* (version 2.1). OSEP
    Technical Assistance Center on Positive Behavioral Interventions and
    Supports (``algozzine2014``).

    Examples
    --------
    >>> from mtss_teach.fidelity import tfi_items
    >>> items = tfi_items()
    >>> items.groupby("tier").size().tolist()
    [15, 13, 17]
    >>> items.loc[items["item"] == "1.1", ["tier", "subscale", "name"]].values.tolist()
    [[1, 'Teams', 'Team Composition']]
    """
    return _read_csv("tfi_v21_items.csv", True).copy()


# ---------------------------------------------------------------------------
# TFI scoring
# ---------------------------------------------------------------------------


def _item_scores_frame(item_scores: Any) -> pd.DataFrame:
    """Join the answered scores onto the item list; validate ids and values."""
    items = tfi_items()
    if isinstance(item_scores, pd.DataFrame):
        if not {"item", "score"} <= set(item_scores.columns):
            raise DataError("item_scores: a DataFrame needs columns 'item' and 'score'")
        keys = list(item_scores["item"])
        vals = list(item_scores["score"])
    elif isinstance(item_scores, pd.Series):
        keys, vals = list(item_scores.index), list(item_scores.to_numpy(dtype=object))
    elif isinstance(item_scores, Mapping):
        keys, vals = list(item_scores.keys()), list(item_scores.values())
    else:
        raise DataError(
            "item_scores: expected a dict (or Series) mapping item ids such as '1.1' to 0, 1 or 2, "
            f"got {type(item_scores).__name__}"
        )
    known = dict(zip(items["item"], range(len(items))))
    score = np.full(len(items), np.nan)
    seen: dict[str, int] = {}
    for i, (k, v) in enumerate(zip(keys, vals)):
        if not isinstance(k, str):
            raise DataError(
                f"item_scores: item id {k!r} at position {i} must be text such as '1.10' "
                "(a number cannot tell 1.1 from 1.10)"
            )
        kk = k.strip()
        if kk not in known:
            raise DataError(f"item_scores: {k!r} at position {i} is not a TFI v2.1 item id (1.1-1.15, 2.1-2.13, 3.1-3.17)")
        if kk in seen:
            raise DataError(f"item_scores: item {kk!r} appears twice (positions {seen[kk]} and {i})")
        seen[kk] = i
        if v is None or (isinstance(v, (float, np.floating)) and np.isnan(v)) or v is pd.NA:
            continue  # not answered
        if isinstance(v, (bool, np.bool_, str, bytes)) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or v not in (0, 1, 2):
            raise DataError(f"item_scores: item {kk!r} has score {v!r}; TFI items are scored 0, 1 or 2")
        score[known[kk]] = float(v)
    items["score"] = score
    return items


def _flag(value: Any, name: str) -> bool:
    """A yes/no option must be True or False (the text "no" is not False)."""
    if not isinstance(value, (bool, np.bool_)):
        raise DataError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def _check_answered(items: pd.DataFrame, allow_missing: bool) -> pd.DataFrame:
    answered = items["score"].notna()
    if not answered.any():
        raise DataError("item_scores: no TFI item has a score (empty sheet)")
    per_tier = answered.groupby(items["tier"]).agg(["sum", "size"])
    partly = per_tier[(per_tier["sum"] > 0) & (per_tier["sum"] < per_tier["size"])].index
    if len(partly) and not allow_missing:
        tier = int(partly[0])
        missing = items.loc[(items["tier"] == tier) & ~answered, "item"].tolist()
        raise DataError(
            f"item_scores: Tier {tier} is only partly scored; items {', '.join(missing)} have no score. "
            "Score them, or pass allow_missing=True to score the answered items only"
        )
    return items[items["tier"].isin(per_tier.index[per_tier["sum"] > 0])]


def tfi_scores(
    item_scores: Any,
    by: str = "tier",
    allow_missing: bool = False,
    criterion: float = TFI_CRITERION,
) -> pd.DataFrame:
    """Score a TFI v2.1 sheet the way the manual does.

    Scale score = points / (2 x items scored) x 100 for each tier; a tier
    *meets* the criterion when its score is at least 70% [S].

    Parameters
    ----------
    item_scores : dict, Series or DataFrame
        Item id (text, e.g. "1.1", "3.17") -> score 0, 1 or 2. ``None``/NaN
        means "not answered". A DataFrame needs columns ``item`` and ``score``.
    by : {"tier", "subscale"}
        Rows per tier, or per (tier, subscale).
    allow_missing : bool
        A tier with no answers is always left out. A partly answered tier
        raises :class:`~mtss_teach.DataError` naming the missing items unless
        this is True; then only the answered items are scored and
        ``items_missing`` reports how many were left out.
    criterion : float
        Percent a tier needs to meet the criterion (70).

    Returns
    -------
    pandas.DataFrame
        ``by="tier"``: indexed by ``tier`` with columns ``points``,
        ``possible``, ``percent``, ``meets``, ``items_scored``,
        ``items_missing``. ``by="subscale"``: indexed by (``tier``,
        ``subscale``) in instrument order, same columns but no ``meets``
        (the 70% criterion is published for tiers, not subscales). Tier 3
        subscale membership is unverified (see :func:`tfi_items`).

    References
    ----------
    Algozzine, B., Barrett, S., Eber, L., George, H., Horner, R., Lewis,
    T., Putnam, B., Swain-Bradway, J., McIntosh, K., & Sugai, G. (2014).
    *School-wide PBIS Tiered Fidelity Inventory* (version 2.1). OSEP
    Technical Assistance Center on Positive Behavioral Interventions and
    Supports (``algozzine2014``).

    Examples
    --------
    >>> from mtss_teach.fidelity import tfi_scores
    >>> sheet = {f"1.{i}": 2 for i in range(1, 16)}
    >>> sheet.update({"1.13": 0, "1.14": 0, "1.15": 1, "1.12": 1, "1.11": 1, "1.10": 1})
    >>> tfi_scores(sheet)  # 9 items x 2 + 4 x 1 = 22 of 30  # doctest: +NORMALIZE_WHITESPACE
          points  possible    percent  meets  items_scored  items_missing
    tier
    1         22        30  73.333333   True            15              0
    """
    b = check_choice(by, "by", ["tier", "subscale"])
    crit = check_number(criterion, "criterion", lo=0, hi=100, lo_open=True)
    items = _check_answered(_item_scores_frame(item_scores), _flag(allow_missing, "allow_missing"))
    answered = items["score"].notna()
    keys = ["tier"] if b == "tier" else ["tier", "subscale_order", "subscale"]
    g = items.assign(answered=answered.astype(int), missing=(~answered).astype(int),
                     pts=items["score"].fillna(0)).groupby(keys, sort=True)
    out = pd.DataFrame({
        "points": g["pts"].sum().astype(np.int64),
        "possible": (2 * g["answered"].sum()).astype(np.int64),
        "items_scored": g["answered"].sum().astype(np.int64),
        "items_missing": g["missing"].sum().astype(np.int64),
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        out.insert(2, "percent", 100.0 * out["points"] / out["possible"].where(out["possible"] > 0))
    if b == "tier":
        out.insert(3, "meets", (out["points"] * 100 >= crit * out["possible"]) & (out["possible"] > 0))
    else:
        out = out.droplevel("subscale_order")
    return out


def action_plan(item_scores: Any, allow_missing: bool = False) -> pd.DataFrame:
    """TFI items not fully in place, in the order a team should plan them.

    Items scored 0 or 1 are listed lowest score first, then by subscale order
    (Tier 1 subscales before Tier 2, and within a tier in instrument order),
    then by item order. Items not answered are not listed (partly answered
    tiers follow the same rule as :func:`tfi_scores`).

    Parameters
    ----------
    item_scores : dict, Series or DataFrame
        As in :func:`tfi_scores`.
    allow_missing : bool
        As in :func:`tfi_scores`.

    Returns
    -------
    pandas.DataFrame
        Columns ``priority`` (1, 2, ...), ``item``, ``tier``, ``subscale``,
        ``name``, ``score``, ``tag`` (``CHECK`` marks an unverified item name
        or subscale). Empty when every scored item is fully in place.

    References
    ----------
    Algozzine, B., Barrett, S., Eber, L., George, H., Horner, R., Lewis,
    T., Putnam, B., Swain-Bradway, J., McIntosh, K., & Sugai, G. (2014).
    *School-wide PBIS Tiered Fidelity Inventory* (version 2.1). OSEP
    Technical Assistance Center on Positive Behavioral Interventions and
    Supports (``algozzine2014``).

    Examples
    --------
    >>> from mtss_teach.fidelity import action_plan
    >>> sheet = {f"1.{i}": 2 for i in range(1, 16)}
    >>> sheet.update({"1.9": 1, "1.2": 1, "1.14": 0})
    >>> action_plan(sheet)[["priority", "item", "subscale", "name", "score"]]  # doctest: +NORMALIZE_WHITESPACE
       priority  item       subscale                          name  score
    0         1  1.14     Evaluation                 Fidelity Data      0
    1         2   1.2          Teams     Team Operating Procedures      1
    2         3   1.9 Implementation  Feedback and Acknowledgement      1
    """
    items = _check_answered(_item_scores_frame(item_scores), _flag(allow_missing, "allow_missing"))
    todo = items[items["score"] < 2].sort_values(["score", "tier", "subscale_order", "order"], kind="stable")
    out = todo[["item", "tier", "subscale", "name", "score", "tag"]].reset_index(drop=True)
    out["score"] = out["score"].astype(np.int64)
    out.insert(0, "priority", np.arange(1, len(out) + 1))
    return out


# ---------------------------------------------------------------------------
# Intervention checklists
# ---------------------------------------------------------------------------


def checklist_instrument(name: str = "example_session") -> pd.DataFrame:
    """A checklist instrument shipped with the package.

    Parameters
    ----------
    name : str
        Instrument name; "example_session" is an illustrative six-step
        intervention-session checklist written for MTSS Academy (tag
        ``EXAMPLE``: not a published instrument -- use your programme's own).

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, ``order``, ``points``, ``dimension``, ``text``,
        ``source``, ``year``, ``tag``.

    References
    ----------
    Dane, A. V., & Schneider, B. H. (1998). Program integrity in primary
    and early secondary prevention: Are implementation effects out of
    control? *Clinical Psychology Review*, 18(1), 23-45 (``dane1998``).

    Examples
    --------
    >>> from mtss_teach.fidelity import checklist_instrument
    >>> checklist_instrument()["step"].tolist()
    ['materials', 'goal', 'model', 'guided_practice', 'independent_practice', 'record']
    """
    table = _read_csv("checklist_example.csv")
    names = sorted(table["instrument"].unique())
    nm = check_choice(name, "name", names)
    out = table[table["instrument"] == nm].drop(columns="instrument")
    return out.sort_values("order").reset_index(drop=True)


_DOSAGE = [("sessions_planned", "sessions_delivered", "session_dosage"),
           ("minutes_planned", "minutes_delivered", "minute_dosage")]


def _read_instrument(instrument: Any) -> pd.DataFrame:
    if isinstance(instrument, str):
        return checklist_instrument(instrument)
    if not isinstance(instrument, pd.DataFrame):
        raise DataError(
            f"instrument: expected a DataFrame with a 'step' column or a shipped instrument name, "
            f"got {type(instrument).__name__}"
        )
    if "step" not in instrument.columns:
        raise DataError("instrument: needs a 'step' column (and optionally 'points')")
    if len(instrument) == 0:
        raise DataError("instrument: no steps (empty input)")
    inst = instrument.copy()
    if inst["step"].dtype == object:
        unusable = np.fromiter((not isinstance(v, Hashable) or v is None or v != v for v in inst["step"]),
                               bool, len(inst))
        if unusable.any():
            i = int(np.flatnonzero(unusable)[0])
            raise DataError(f"instrument: step at position {i} is {inst['step'].iloc[i]!r}; a step must be a name")
    dup = inst["step"].duplicated()
    if dup.any():
        raise DataError(f"instrument: step {inst['step'][dup].iloc[0]!r} is listed twice")
    if "points" in inst.columns:
        _no_pseudo_numbers(inst["points"], "instrument['points']")
        pts = pd.to_numeric(inst["points"], errors="coerce")
        bad = ~(pts > 0) | ~np.isfinite(pts)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"instrument: points for step {inst['step'].iloc[i]!r} must be a number above 0")
        inst["points"] = pts.astype(float)
    else:
        inst["points"] = 1.0
    return inst


def _done_values(col: pd.Series) -> np.ndarray:
    """done -> 1.0 / 0.0, NaN for not applicable; anything else is an error."""
    raw = col.to_numpy(dtype=object)
    out = np.full(raw.size, np.nan)
    for i, v in enumerate(raw):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (str, bytes)) or not isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)) \
                or v not in (0, 1):
            raise DataError(
                f"observations['done']: value at row {col.index[i]!r} (position {i}) is {v!r}; "
                "expected yes/no (True/False or 1/0), or empty for a step that did not apply"
            )
        out[i] = float(v)
    return out


def _no_pseudo_numbers(col: pd.Series, label: str) -> None:
    """Refuse values that pandas would turn into numbers but are not: yes/no, dates, durations, complex."""
    if col.dtype.kind in "bmMc":
        bad = col.notna().to_numpy()
    elif col.dtype == object:
        bad = np.fromiter(
            ((_not_a_number(v) and not isinstance(v, str)) or isinstance(v, complex) for v in col),
            bool, len(col))
    else:
        return
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{label}: value at row {col.index[i]!r} (position {i}) is {col.iloc[i]!r}, not a number")


def _one_value_per_group(obs: pd.DataFrame, col: str, keys: list[str], what: str) -> pd.Series:
    """The single non-missing value of ``col`` in each group (NaN if none)."""
    _no_pseudo_numbers(obs[col], f"observations[{col!r}]")
    vals = pd.to_numeric(obs[col], errors="coerce")
    bad = vals.isna() & obs[col].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"observations[{col!r}]: value at row {obs.index[i]!r} (position {i}) is {obs[col].iloc[i]!r}, not a number"
        )
    if (~np.isfinite(vals.dropna())).any() or (vals < 0).any():
        i = int(np.flatnonzero(((vals < 0) | np.isinf(vals)).to_numpy())[0])
        raise DataError(
            f"observations[{col!r}]: value at row {obs.index[i]!r} (position {i}) is {vals.iloc[i]!r}; "
            "it must be a finite number, zero or more"
        )
    g = vals.groupby([obs[k] for k in keys], sort=False)
    nun = g.nunique()
    if (nun > 1).any():
        key = nun[nun > 1].index[0]
        raise DataError(
            f"observations[{col!r}]: {what} {key!r} has different values on different rows; "
            "give one value per " + what
        )
    return g.first()


def checklist_fidelity(
    observations: pd.DataFrame,
    instrument: Any = "example_session",
    criterion: float = FIDELITY_CRITERION,
    by: str = "week",
) -> pd.DataFrame:
    """Adherence, dosage and quality from intervention-checklist observations.

    Parameters
    ----------
    observations : pandas.DataFrame
        Tidy, one row per checklist step of one observed session:

        * ``interventionist`` -- who delivered the session (required);
        * ``week`` -- week number or date label (required);
        * ``step`` -- a step of ``instrument`` (required); every observed
          session must list every step once;
        * ``done`` -- True/False or 1/0; empty (NaN/None) for a step that did
          not apply, which then leaves the denominator (required);
        * ``session`` -- which observed session within that week (optional;
          without it, one session per interventionist and week);
        * ``quality`` -- a rating of the session's quality of delivery on
          your instrument's scale (optional; one value per session);
        * ``sessions_planned``, ``sessions_delivered``, ``minutes_planned``,
          ``minutes_delivered`` -- dosage for the interventionist's week
          (optional; one value per interventionist and week, repeated or
          given on one row of that week).
    instrument : str or pandas.DataFrame
        A shipped instrument name (see :func:`checklist_instrument`) or a
        table with a ``step`` column and optional ``points`` (default 1).
    criterion : float
        Percent below which a measure is flagged (80, a common convention
        [S2]).
    by : {"week", "interventionist"}
        Rows per interventionist and week, or per interventionist over all
        weeks (points, sessions and minutes summed; quality averaged over
        rated sessions).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``interventionist``, ``week``) or ``interventionist``,
        with columns ``sessions_observed``, ``points_possible``,
        ``points_done``, ``steps_na``, ``adherence`` (points done / points
        possible x 100), ``sessions_planned``, ``sessions_delivered``,
        ``session_dosage``, ``minutes_planned``, ``minutes_delivered``,
        ``minute_dosage`` (delivered / planned x 100; NaN when not given),
        ``quality`` (mean rating; NaN when not given), ``below_criterion``
        (any of adherence, session dosage or minute dosage below
        ``criterion``) and ``below_what`` (which ones). Quality is not
        flagged, since rating scales differ.

    References
    ----------
    Dane, A. V., & Schneider, B. H. (1998). Program integrity in primary
    and early secondary prevention: Are implementation effects out of
    control? *Clinical Psychology Review*, 18(1), 23-45 (``dane1998``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.fidelity import checklist_fidelity, checklist_instrument
    >>> steps = checklist_instrument()["step"].tolist()
    >>> obs = pd.DataFrame({"interventionist": "Ms Lee", "week": 1, "step": steps,
    ...                     "done": [1, 1, 1, 0, 1, 1], "minutes_planned": 150,
    ...                     "minutes_delivered": 90})
    >>> out = checklist_fidelity(obs, "example_session")
    >>> out[["adherence", "minute_dosage", "below_criterion", "below_what"]].round(1)  # doctest: +NORMALIZE_WHITESPACE
                          adherence  minute_dosage  below_criterion  below_what
    interventionist week
    Ms Lee          1          83.3           60.0             True     minutes
    """
    if not isinstance(observations, pd.DataFrame):
        raise DataError(f"observations: expected a pandas DataFrame, got {type(observations).__name__}")
    need = ["interventionist", "week", "step", "done"]
    miss = [c for c in need if c not in observations.columns]
    if miss:
        raise DataError(f"observations: missing column(s) {miss}; columns are {list(observations.columns)}")
    if len(observations) == 0:
        raise DataError("observations: no rows (empty input)")
    b = check_choice(by, "by", ["week", "interventionist"])
    crit = check_number(criterion, "criterion", lo=0, hi=100, lo_open=True)
    inst = _read_instrument(instrument)
    obs = observations.copy()
    for c in obs.columns:
        if list(obs.columns).count(c) > 1:
            raise DataError(f"observations: column {c!r} appears more than once; give it once")
    for c in ["interventionist", "week", "step"] + (["session"] if "session" in obs.columns else []):
        na = obs[c].isna().to_numpy()
        if na.any():
            i = int(np.flatnonzero(na)[0])
            raise DataError(f"observations[{c!r}]: value at row {obs.index[i]!r} (position {i}) is missing")
        if obs[c].dtype == object:
            unusable = np.fromiter((not isinstance(v, Hashable) for v in obs[c]), bool, len(obs))
            if unusable.any():
                i = int(np.flatnonzero(unusable)[0])
                raise DataError(
                    f"observations[{c!r}]: value at row {obs.index[i]!r} (position {i}) is {obs[c].iloc[i]!r}; "
                    "a label must be text, a number or a date"
                )
    if "session" not in obs.columns:
        obs["session"] = 0
    points = dict(zip(inst["step"], inst["points"]))
    known = obs["step"].isin(list(points))
    if not known.all():
        i = int(np.flatnonzero(~known.to_numpy())[0])
        raise DataError(
            f"observations['step']: {obs['step'].iloc[i]!r} at row {obs.index[i]!r} (position {i}) "
            f"is not a step of the instrument ({', '.join(map(str, points))})"
        )
    done = _done_values(obs["done"])
    skeys = ["interventionist", "week", "session"]
    dup = obs.duplicated(skeys + ["step"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(
            f"observations: step {obs['step'].iloc[i]!r} is recorded twice for the same session "
            f"(duplicate at row {obs.index[i]!r}, position {i})"
        )
    per_session = obs.groupby(skeys, sort=False)["step"].size()
    short = per_session[per_session < len(points)]
    if len(short):
        key = short.index[0]
        have = set(obs.loc[(obs["interventionist"] == key[0]) & (obs["week"] == key[1])
                           & (obs["session"] == key[2]), "step"])
        lacking = [s for s in points if s not in have]
        label = f"interventionist {key[0]!r}, week {key[1]!r}" + (
            f", session {key[2]!r}" if "session" in observations.columns else "")
        raise DataError(
            f"observations: the session of {label} has no row for step(s) {', '.join(map(str, lacking))}; "
            "every observed session must list every step (leave 'done' empty if a step did not apply)"
        )

    pts = obs["step"].map(points).to_numpy(dtype=float)
    applies = ~np.isnan(done)
    wk = ["interventionist", "week"]
    frame = pd.DataFrame({
        "interventionist": obs["interventionist"].to_numpy(),
        "week": obs["week"].to_numpy(),
        "session": obs["session"].to_numpy(),
        "possible": np.where(applies, pts, 0.0),
        "earned": np.where(applies, pts * np.nan_to_num(done), 0.0),
        "na": (~applies).astype(int),
    })
    gw = frame.groupby(wk, sort=True)
    out = pd.DataFrame({
        "sessions_observed": gw["session"].nunique(),
        "points_possible": gw["possible"].sum(),
        "points_done": gw["earned"].sum(),
        "steps_na": gw["na"].sum(),
    })
    for planned, delivered, _ in _DOSAGE:
        for col in (planned, delivered):
            if col in obs.columns:
                out[col] = _one_value_per_group(obs, col, wk, "interventionist and week").reindex(out.index)
            else:
                out[col] = np.nan
    if "quality" in obs.columns:
        q = _one_value_per_group(obs, "quality", skeys, "session").rename("quality").reset_index()
        qmean = q.groupby(wk, sort=True)["quality"].agg(["sum", "count"])
    else:
        qmean = pd.DataFrame({"sum": 0.0, "count": 0}, index=out.index)
    out["_qsum"] = qmean["sum"].reindex(out.index).fillna(0.0)
    out["_qcount"] = qmean["count"].reindex(out.index).fillna(0)

    if b == "interventionist":
        def nansum_or_nan(s: pd.Series) -> float:
            return float(s.sum()) if s.notna().any() else np.nan
        g = out.groupby(level="interventionist", sort=True)
        agg = g[["sessions_observed", "points_possible", "points_done", "steps_na", "_qsum", "_qcount"]].sum()
        for planned, delivered, _ in _DOSAGE:
            both = out[planned].notna() & out[delivered].notna()
            agg[planned] = out[planned].where(both).groupby(level="interventionist").agg(nansum_or_nan)
            agg[delivered] = out[delivered].where(both).groupby(level="interventionist").agg(nansum_or_nan)
        out = agg

    with np.errstate(invalid="ignore", divide="ignore"):
        out["adherence"] = 100.0 * out["points_done"] / out["points_possible"].where(out["points_possible"] > 0)
        for planned, delivered, name in _DOSAGE:
            p = out[planned]
            if (p == 0).any():
                key = p.index[(p == 0).to_numpy()][0]
                raise DataError(f"observations[{planned!r}]: {key!r} has 0 planned; dosage needs a planned amount above 0")
            out[name] = 100.0 * out[delivered] / p
        out["quality"] = out["_qsum"] / out["_qcount"].where(out["_qcount"] > 0)
    for col in ("points_possible", "points_done", "adherence", "session_dosage", "minute_dosage", "quality",
                "sessions_planned", "sessions_delivered", "minutes_planned", "minutes_delivered"):
        inf = np.isinf(out[col].to_numpy(dtype=float))
        if inf.any():
            key = out.index[int(np.flatnonzero(inf)[0])]
            key = tuple(k.item() if isinstance(k, np.generic) else k for k in np.atleast_1d(np.asarray(key, dtype=object)))
            raise DataError(
                f"observations: {col} for {', '.join(map(repr, key))} is too large to compute; "
                "check the points, sessions and minutes for a misplaced decimal point"
            )
    measures = {"adherence": "adherence", "session_dosage": "sessions", "minute_dosage": "minutes"}
    low = pd.DataFrame({lab: out[col] < crit for col, lab in measures.items()})
    out["below_criterion"] = low.any(axis=1)
    out["below_what"] = low.apply(lambda r: ", ".join(k for k, v in r.items() if v), axis=1) if len(low) else ""
    cols = ["sessions_observed", "points_possible", "points_done", "steps_na", "adherence",
            "sessions_planned", "sessions_delivered", "session_dosage",
            "minutes_planned", "minutes_delivered", "minute_dosage", "quality",
            "below_criterion", "below_what"]
    out = out[cols]
    out["sessions_observed"] = out["sessions_observed"].astype(np.int64)
    out["steps_na"] = out["steps_na"].astype(np.int64)
    return out


# ---------------------------------------------------------------------------
# Inter-rater agreement
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Inter-rater agreement between two observers.

    Attributes
    ----------
    percent_agreement : float
        Share of items both raters coded the same, x 100.
    kappa : float
        Cohen's kappa, ``(p_o - p_e) / (1 - p_e)``; NaN when ``p_e == 1``
        (both raters used one and the same category throughout, so chance
        agreement is total and kappa is undefined).
    n : int
        Number of items rated by both.

    Examples
    --------
    >>> from mtss_teach.fidelity import Agreement
    >>> Agreement(90.0, 0.8, 10).kappa
    0.8
    """

    percent_agreement: float
    kappa: float
    n: int


def _labels(x: Any, name: str) -> tuple[np.ndarray, str]:
    shape = _shape_of(x, name)
    if isinstance(x, (str, bytes, Mapping, set, frozenset)) or shape.kind == "scalar":
        raise DataError(f"{name}: expected one rating per item (a list, array or Series), got {x!r}")
    if isinstance(x, pd.Series):
        arr = x.to_numpy(dtype=object)
    else:
        try:
            arr = np.asarray(x, dtype=object)
        except (ValueError, TypeError) as exc:
            raise DataError(f"{name}: could not read the ratings ({exc})") from None
        if arr.ndim != 1:
            raise DataError(f"{name}: expected one rating per item (1-D), got shape {arr.shape}")
    if arr.size == 0:
        raise DataError(f"{name}: no values given (empty input)")
    na = np.fromiter((v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
                      or (isinstance(v, np.floating) and np.isnan(v)) for v in arr), bool, arr.size)
    if na.any():
        i = int(np.flatnonzero(na)[0])
        raise DataError(f"{name}: rating at {position(i, shape)} is missing")
    odd = np.fromiter(((not isinstance(v, Hashable)) or (_not_a_number(v) and not isinstance(v, (str, bool, np.bool_)))
                       or isinstance(v, (bytes, complex)) for v in arr), bool, arr.size)
    if odd.any():
        i = int(np.flatnonzero(odd)[0])
        raise DataError(
            f"{name}: rating at {position(i, shape)} is {arr[i]!r}; a rating is a number or a text code "
            "(a date here usually means a spreadsheet cell was formatted as a date)"
        )
    is_text = np.array([isinstance(v, str) for v in arr])
    kind = "text" if is_text.all() else ("numbers" if not is_text.any() else "mixed")
    if kind == "mixed":
        i = int(np.flatnonzero(is_text != is_text[0])[0])
        raise DataError(f"{name}: rating at {position(i, shape)} is {arr[i]!r}; mix of text and numbers")
    return arr, kind


def interrater(rater1: Any, rater2: Any) -> Agreement:
    """Percent agreement and Cohen's kappa for two raters' codes.

    Parameters
    ----------
    rater1, rater2 : array-like or Series
        One code per item (for example 1/0 for a checklist step seen done or
        not, or category labels), same length, no missing values; both
        raters must use the same kind of label (both numbers or both text).

    Returns
    -------
    Agreement

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    *Educational and Psychological Measurement*, 20(1), 37-46
    (``cohen1960``).

    Examples
    --------
    >>> from mtss_teach.fidelity import interrater
    >>> a = interrater([1, 1, 1, 1, 0, 0, 1, 0, 1, 1], [1, 1, 0, 1, 0, 0, 1, 1, 1, 1])
    >>> a.percent_agreement, a.n       # 8 of 10 items agree
    (80.0, 10)
    >>> round(a.kappa, 4)              # p_o = .8, p_e = .7*.7 + .3*.3 = .58; (.8-.58)/(1-.58)
    0.5238
    """
    r1, k1 = _labels(rater1, "rater1")
    r2, k2 = _labels(rater2, "rater2")
    if r1.size != r2.size:
        raise DataError(f"length mismatch: rater1 has {r1.size}, rater2 has {r2.size} values")
    if k1 != k2:
        raise DataError(f"rater1 uses {k1} and rater2 uses {k2}; code both the same way (e.g. both 1/0)")
    codes, uniques = pd.factorize(np.concatenate([r1, r2]))
    k = len(uniques)
    n = r1.size
    c1, c2 = codes[:n], codes[n:]
    table = np.bincount(c1 * k + c2, minlength=k * k).reshape(k, k)
    po = np.trace(table) / n
    pe = float(table.sum(axis=1) @ table.sum(axis=0)) / n**2
    kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
    return Agreement(float(100.0 * po), float(kappa), int(n))
