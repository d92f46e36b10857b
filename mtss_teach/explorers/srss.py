"""The SRSS explorer (course 9): seven item buttons and the library's risk bands."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import behavior
from .._validate import check_number
from ..charts import OKABE_ITO, PALETTE
from ..charts import tint as _tint
from ._shared import LIVE

__all__ = ["srss_param_name", "srss_explorer"]


def srss_param_name(item: int) -> str:
    """Name of the page parameter (and its radio inputs) for SRSS item 1-7.

    Examples
    --------
    >>> from mtss_teach.explorers import srss_param_name
    >>> srss_param_name(3)
    'srss_3'
    """
    from ..behavior import SRSS_ITEMS

    k = check_number(item, "item", lo=1, hi=SRSS_ITEMS, integer=True)
    return f"srss_{int(k)}"


def srss_explorer(
    item_scores: Any = None,
    *,
    title: str | None = None,
    width: int = 520,
) -> alt.VConcatChart:
    """Seven 0-3 buttons (the SRSS items); the total and its risk band.

    The page adds the seven item scores (the SRSS total is their sum,
    Drummond 1994) and looks the total up in a table of every possible
    total (0-21) and its band from :func:`mtss_teach.behavior.srss_risk`;
    the tests compare the page with :func:`mtss_teach.behavior.srss_total`
    and ``srss_risk`` in a browser.

    Parameters
    ----------
    item_scores : sequence of 7 ints 0-3, optional
        Starting scores in item order (default all 0); validated by
        :func:`mtss_teach.behavior.srss_total`.
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``srss_1`` to ``srss_7`` (:func:`srss_param_name`), radio buttons.

    Examples
    --------
    >>> from mtss_teach.explorers import srss_explorer
    >>> spec = srss_explorer([0, 1, 2, 0, 3, 1, 0]).to_dict()
    >>> [p["value"] for p in spec["params"]]
    [0, 1, 2, 0, 3, 1, 0]
    """

    items = behavior.srss_items()
    k = len(items)
    if item_scores is None:
        start = [0] * k
    else:
        behavior.srss_total(item_scores)  # the library validates: 7 whole numbers 0-3
        start = [int(v) for v in np.asarray(item_scores, dtype=float).ravel()]
    names = [srss_param_name(i + 1) for i in range(k)]
    labels = [f"{int(i)}. {lab} " for i, lab in zip(items["item"], items["label"])]
    params = [alt.param(name=pn, value=v, bind=alt.binding_radio(options=[0, 1, 2, 3], name=lab))
              for pn, v, lab in zip(names, start, labels)]
    bands = behavior.srss_bands()
    totals = pd.DataFrame({"total": np.arange(3 * k + 1)})
    totals["band"] = behavior.srss_risk(totals["total"].to_numpy())
    rng = {b: f"{lo}-{hi}" for b, lo, hi in zip(bands["band"], bands["low"], bands["high"])}
    totals["summary"] = [f"SRSS total {tt} of {3 * k}: {b} risk ({rng[b]})" for tt, b in zip(totals["total"],
                                                                                           totals["band"])]
    score_expr = "[" + ", ".join(names) + "][datum.idx]"
    df = pd.DataFrame({"idx": np.arange(k), "label": [f"{int(i)}. {lab}" for i, lab in
                                                       zip(items["item"], items["label"])]})
    summed = (alt.Chart(df).transform_calculate(score=score_expr)
              .transform_aggregate(total="sum(score)")
              .transform_lookup(lookup="total", from_=alt.LookupData(totals, "total", ["band", "summary"])))
    summary = summed.mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=0, y=4).encode(
        text=alt.Text("summary:N")).properties(name=LIVE, width=width, height=24)

    band_df = pd.DataFrame({"band": bands["band"].astype(str), "lo": bands["low"].astype(float) - 0.5,
                            "hi": bands["high"].astype(float) + 0.5})
    band_df["text"] = [f"{b} ({rng[b]})" for b in band_df["band"]]
    band_dom = list(band_df["band"])
    fills = [_tint(c, 0.25) for c in (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["vermillion"])][:len(band_dom)]
    x_t = alt.X("lo:Q", title=f"SRSS total (0-{3 * k}; each item 0-3)", scale=alt.Scale(domain=[-0.5, 3 * k + 0.5],
                                                                                     nice=False))
    rects = alt.Chart(band_df).mark_rect().encode(
        x=x_t, x2=alt.X2("hi:Q"), color=alt.Color("band:N", scale=alt.Scale(domain=band_dom, range=fills),
                                                   legend=None))
    rect_txt = alt.Chart(band_df).transform_calculate(mid="(datum.lo + datum.hi) / 2").mark_text(
        baseline="top", y=4, fontSize=11).encode(x=alt.X("mid:Q"), text=alt.Text("text:N"))
    marker = summed.transform_calculate(lo="datum.total").mark_point(
        shape="triangle-down", size=260, filled=True, color=OKABE_ITO["black"], y=34).encode(x=alt.X("lo:Q"))
    marker_t = summed.transform_calculate(lo="datum.total", t="'total ' + datum.total").mark_text(
        y=52, fontWeight="bold", fontSize=12).encode(x=alt.X("lo:Q"), text=alt.Text("t:N"))
    scale_panel = alt.layer(rects, rect_txt, marker, marker_t).properties(width=width, height=64)

    y = alt.Y("label:N", title="SRSS item", sort=list(df["label"]), axis=alt.Axis(labelLimit=300, orient="right"))
    item_bars = alt.Chart(df).transform_calculate(score=score_expr).mark_bar(color=PALETTE["score"], size=12).encode(
        y=y, x=alt.X("score:Q", title="Item score (0-3)", scale=alt.Scale(domain=[0, 3]),
                     axis=alt.Axis(values=[0, 1, 2, 3], format="d")))
    items_chart = item_bars.properties(width=width - 220, height=18 * k,
                                       title=alt.TitleParams("Items (set them with the buttons under the chart)",
                                                             anchor="start", fontSize=12))
    head = title or "SRSS explorer: Student Risk Screening Scale"
    sub = [f"{k} items, each 0-3; total 0-{3 * k}; bands " + ", ".join(f"{b} {rng[b]}" for b in band_dom)
           + " (Drummond 1994)."]
    desc = (f"Interactive Student Risk Screening Scale explorer: {k} radio-button groups set each item to 0, 1, 2 "
            "or 3; the text and the marker show the total and its risk band.")
    return alt.vconcat(summary, scale_panel, items_chart, spacing=12).add_params(*params).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)
