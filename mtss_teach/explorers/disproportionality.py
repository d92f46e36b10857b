"""The equity explorer (course 8): disproportionality with small-cell suppression."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import equity
from .._validate import as_float_array, check_choice, check_number
from ..charts import PALETTE
from ..errors import DataError
from ..formatting import fixed, number
from ._shared import _lines

__all__ = ["equity_table", "equity_explorer"]


def equity_table(
    table: pd.DataFrame,
    *,
    min_cells: Any = (5, 10, 20),
    min_ns: Any = (0, 10, 20, 30),
    thresholds: Any = (1.5, 2.0, 2.5, 3.0),
    ratio: str = "risk_ratio",
    state: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The library's risk ratios for every (minimum cell, minimum n, threshold) choice.

    Parameters
    ----------
    table : pandas.DataFrame
        ``group, count, total`` for one LEA or school, as in
        :func:`mtss_teach.equity.disproportionality`.
    min_cells, min_ns : array-like of int
        The minimum cell sizes and n-sizes a reader can choose (IDEA:
        10 and 30 or less are presumptively reasonable). Minimum cell
        sizes under :data:`mtss_teach.equity.MIN_CELL_FLOOR` are refused:
        every choice is written into the page, so an unsuppressed choice
        would put small groups' results in it.
    thresholds : array-like of float
        Risk-ratio thresholds a reader can choose (States set their own;
        there is no national threshold).
    ratio : {"risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"}
    state : pandas.DataFrame, optional
        As in :func:`mtss_teach.equity.disproportionality` (needed for the
        alternate and weighted ratios).

    Returns
    -------
    pandas.DataFrame
        One row per (min_cell, min_n, threshold, group): ``ratio`` (the
        library's value; NaN when not computed, or when the group is hidden
        by :func:`mtss_teach.equity.protect_counts` -- small cells and the
        complementary cells that would give them back), ``note`` (the
        library's, or why the group is hidden),
        ``status`` ("At or above", "Below" or "Suppressed / not computed")
        and ``label``, the words the page shows (the same as
        :func:`mtss_teach.charts.risk_ratio_chart`).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import equity_table
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> e = equity_table(t, min_cells=[5, 10], min_ns=[30], thresholds=[2.0])
    >>> e.loc[e["group"] == "B", ["min_cell", "label"]].values.tolist()   # (5/90) / (100/700) = 0.389
    [[5, '0.39'], [10, 'suppressed (fewer than 10 with the outcome)']]
    >>> e.loc[e["min_cell"] == 10, "label"].tolist()   # A hidden too (105 - 60 - 40 = B); C: 0.2 / (45/490)
    ['suppressed (so a small group cannot be worked out)', 'suppressed (fewer than 10 with the outcome)', '2.18 at or above 2']
    """
    from ..charts import suppressed_label as _suppressed_label

    r = check_choice(ratio, "ratio", ("risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"))
    mcs, _ = as_float_array(min_cells, "min_cells", lo=0, integer=True, what="minimum cell size")
    mns, _ = as_float_array(min_ns, "min_ns", lo=0, integer=True, what="minimum n-size")
    thr, _ = as_float_array(thresholds, "thresholds", lo=0, what="threshold")
    if (thr <= 0).any():
        i = int(np.flatnonzero(thr <= 0)[0])
        raise DataError(f"thresholds: value at position {i} is {thr[i]:g}; a threshold must be above 0")
    low = mcs < equity.MIN_CELL_FLOOR
    if low.any():
        i = int(np.flatnonzero(low)[0])
        raise DataError(f"min_cells: value at position {i} ({mcs[i]:g}) is below the library's floor of "
                        f"{equity.MIN_CELL_FLOOR}: every choice is written into the page, so small groups' results "
                        "would be in it")
    for name, arr in (("min_cells", mcs), ("min_ns", mns), ("thresholds", thr)):
        dup = pd.Series(arr).duplicated().to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise DataError(f"{name}: value at position {i} ({arr[i]:g}) appears twice (duplicate)")
    rows = []
    for mc in mcs.astype(int):
        for mn in mns.astype(int):
            res = equity.disproportionality(table, state=state, min_cell=int(mc), min_n=int(mn))
            if isinstance(res.index, pd.MultiIndex):
                raise DataError("table: has an 'lea' column with several LEAs; pass one LEA's rows")
            vals = res[r].to_numpy(dtype=float)
            notes = res["note"].astype(str).to_numpy()
            plain = table[["group", "count", "total"]].assign(group=table["group"].astype(str))
            prot = equity.protect_counts(plain, int(mc)).set_index("group")
            comp = prot.reindex([str(g) for g in res.index])["why"].to_numpy() == "complementary"
            vals = np.where(comp, np.nan, vals)
            notes = np.where(comp, "suppressed so that a small group cannot be worked out from the totals", notes)
            for th in thr:
                above = np.isfinite(vals) & (vals >= th)
                for g, v, a, nt in zip(res.index, vals, above, notes):
                    if np.isfinite(v):
                        status = f"At or above {number(th)}" if a else f"Below {number(th)}"
                        label = f"{fixed(v)} at or above {number(th)}" if a else fixed(v)
                    elif nt.startswith("suppressed so that"):
                        status, label = "Suppressed / not computed", "suppressed (so a small group cannot be worked out)"
                    else:
                        status, label = "Suppressed / not computed", _suppressed_label(nt, int(mc), int(mn))
                    rows.append((int(mc), int(mn), float(th), str(g), v, nt, bool(a), status, label))
    return pd.DataFrame(rows, columns=["min_cell", "min_n", "threshold", "group", "ratio", "note", "above",
                                       "status", "label"])


def equity_explorer(
    table: pd.DataFrame,
    *,
    outcome: str = "the outcome",
    min_cells: Any = (5, 10, 20),
    min_ns: Any = (0, 10, 20, 30),
    thresholds: Any = (1.5, 2.0, 2.5, 3.0),
    min_cell: int = 10,
    min_n: int = 30,
    threshold: float = 2.0,
    ratio: str = "risk_ratio",
    state: pd.DataFrame | None = None,
    title: str | None = None,
    width: int = 300,
) -> alt.VConcatChart:
    """Buttons for the minimum cell and n-sizes and the threshold; risk ratios by group.

    Each group's risk ratio comes from
    :func:`mtss_teach.equity.disproportionality` at the chosen minimums
    (:func:`equity_table`). Groups whose ratio is not computed are drawn
    with no bar, a grey cross and the words "suppressed (...)" or "not
    computed (...)"; groups at or above the threshold with a vermillion
    bar, a triangle and the words "at or above". As in
    :func:`mtss_teach.charts.risk_ratio_chart`, the page holds no counts.

    Parameters
    ----------
    table, min_cells, min_ns, thresholds, ratio, state
        As in :func:`equity_table`.
    outcome : str
        Words for the outcome, e.g. "Tier 3 placement (winter)".
    min_cell, min_n, threshold
        Starting choices (10, 30 and 2).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``min_cell`` and ``min_n`` (radio buttons) and
        ``threshold`` (a select).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import equity_explorer
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> [(p["name"], p["value"]) for p in equity_explorer(t).to_dict()["params"]]
    [('min_cell', 10), ('min_n', 30), ('threshold', 2.0)]
    """
    t = equity_table(table, min_cells=min_cells, min_ns=min_ns, thresholds=thresholds, ratio=ratio, state=state)
    mcs = list(dict.fromkeys(int(v) for v in t["min_cell"]))
    mns = list(dict.fromkeys(int(v) for v in t["min_n"]))
    ths = list(dict.fromkeys(float(v) for v in t["threshold"]))
    mc0 = check_choice(int(check_number(min_cell, "min_cell", lo=0, integer=True)), "min_cell", mcs)
    mn0 = check_choice(int(check_number(min_n, "min_n", lo=0, integer=True)), "min_n", mns)
    th0 = check_number(threshold, "threshold", lo=0, lo_open=True)
    if not any(abs(th0 - x) < 1e-12 for x in ths):
        raise DataError(f"threshold: {th0:g} is not one of the choices {[number(x) for x in ths]}")
    params = [
        alt.param(name="min_cell", value=mc0, bind=alt.binding_radio(
            options=mcs, name="Minimum cell size (students with the outcome): ")),
        alt.param(name="min_n", value=mn0, bind=alt.binding_radio(
            options=mns, name="Minimum n-size (students in the group): ")),
        alt.param(name="threshold", value=th0, bind=alt.binding_select(
            options=ths, labels=[number(x) for x in ths], name="Risk-ratio threshold ")),
    ]
    groups = list(dict.fromkeys(t["group"]))
    gidx = {g: i for i, g in enumerate(groups)}
    d = pd.DataFrame({
        "mc": t["min_cell"], "mn": t["min_n"], "th": t["threshold"], "g": [gidx[g] for g in t["group"]],
        "ratio": t["ratio"], "status": t["status"], "label": t["label"],
    })
    d = d.assign(shown=d["ratio"].fillna(0.0))
    names = pd.DataFrame({"g": np.arange(len(groups)), "group": groups})
    here = "datum.mc == min_cell && datum.mn == min_n && abs(datum.th - threshold) < 1e-9"
    base = alt.Chart(d).transform_filter(here).transform_lookup(
        lookup="g", from_=alt.LookupData(names, "g", ["group"]))
    y = alt.Y("group:N", title=None, sort=groups, axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.4))
    finite = t["ratio"].to_numpy(dtype=float)
    x_max = max(float(np.nanmax(finite)) if np.isfinite(finite).any() else 0.0, max(ths)) * 1.1
    x = alt.X("shown:Q", title="Risk ratio (group risk / others' risk, ratio)", scale=alt.Scale(domain=[0, x_max]))
    dom_all = list(dict.fromkeys([s for s in t["status"] if s.startswith("At or above")] +
                                 [s for s in t["status"] if s.startswith("Below")] + ["Suppressed / not computed"]))
    colours = [PALETTE["below"] if s.startswith("At") else PALETTE["meets"] if s.startswith("Below")
               else PALETTE["suppressed"] for s in dom_all]
    shapes = ["triangle-right" if s.startswith("At") else "circle" if s.startswith("Below") else "cross"
              for s in dom_all]
    colour = alt.Color("status:N", scale=alt.Scale(domain=dom_all, range=colours), legend=None)
    bars = base.transform_filter("isValid(datum.ratio)").mark_bar(size=14).encode(
        y=y, x=x, color=colour,
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("label:N", title="Risk ratio")])
    marks = base.mark_point(filled=True, size=90).encode(
        y=y, x=x, color=colour, shape=alt.Shape("status:N", scale=alt.Scale(domain=dom_all, range=shapes),
                                                legend=None))
    text = base.mark_text(align="left", dx=9, fontSize=11).encode(y=y, x=x, text=alt.Text("label:N"))
    name = base.mark_text(align="left", baseline="bottom", dy=-9, fontSize=11, fontWeight="bold", x=0).encode(
        y=y, text=alt.Text("group:N"))
    one = alt.Chart(pd.DataFrame({"one": [1]})).transform_calculate(
        shown="threshold", t="'threshold ' + format(threshold, '~g')")
    rule = one.mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("shown:Q"))
    rule_t = one.mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("shown:Q"), text=alt.Text("t:N"))
    chart = alt.layer(bars, marks, rule, rule_t, text, name).properties(width=width, height=40 * len(groups))

    summ = t.groupby(["min_cell", "min_n", "threshold"], sort=False).agg(
        n_above=("above", "sum"), n_sup=("status", lambda s: int((s == "Suppressed / not computed").sum())),
        above_names=("group", lambda g: ", ".join(g[t.loc[g.index, "above"]]))).reset_index()
    summ = summ.rename(columns={"min_cell": "mc", "min_n": "mn", "threshold": "th"})
    summ["line1"] = [f"Threshold {number(th)}: {int(a)} group(s) at or above" + (f" ({nm})" if nm else "")
                     for th, a, nm in zip(summ["th"], summ["n_above"], summ["above_names"])]
    summ["line2"] = [f"Minimum cell size {mc}, minimum n-size {mn}: {int(k)} of {len(groups)} groups suppressed "
                     "or not computed (no bar)."
                     for mc, mn, k in zip(summ["mc"], summ["mn"], summ["n_sup"])]
    summ = summ[["mc", "mn", "th", "line1", "line2"]]
    text_panel = _lines(summ, here, ["line1", "line2"], width=width + 200, title=None)
    legend_df = pd.DataFrame({"k": [0, 1, 2], "t": [
        "Vermillion bar and triangle: at or above the threshold",
        "Blue bar and circle: below the threshold",
        "Grey cross, no bar: ratio not computed (the words say why)"]})
    key = alt.layer(*[
        alt.Chart(legend_df).transform_filter(f"datum.k == {k}").mark_text(
            align="left", baseline="top", fontSize=11, x=0, y=16 * k).encode(text=alt.Text("t:N"))
        for k in range(3)]).properties(width=width + 200, height=48)

    head = title or f"Equity explorer: risk ratio for {outcome}, by group"
    sub = ["Synthetic (made-up) students, for practice. Each State sets its own threshold and minimums; "
           "10 and 30 or less are presumptively reasonable (34 CFR 300.647).",
           "Choose with the buttons under the chart. Small groups are hidden at every choice."]
    desc = (f"Interactive equity explorer: risk ratios for {outcome} for {len(groups)} groups. Choose the "
            f"minimum cell size ({', '.join(map(str, mcs))}), the minimum n-size ({', '.join(map(str, mns))}) "
            f"and the threshold ({', '.join(number(x) for x in ths)}); groups under a minimum are shown as "
            "suppressed or not computed, in words.")
    return alt.vconcat(text_panel, chart, key, spacing=10).add_params(*params).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)
