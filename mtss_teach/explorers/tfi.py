"""The fidelity explorer: one 0/1/2 control per Tiered Fidelity Inventory item."""

from __future__ import annotations

import re
from typing import Mapping

import altair as alt
import numpy as np
import pandas as pd

from .. import fidelity
from .._validate import check_choice, check_number
from ..charts import OKABE_ITO, PALETTE
from ..errors import DataError
from ..formatting import number, percent
from ._shared import LIVE

__all__ = ["tfi_param_name", "fidelity_explorer"]


def tfi_param_name(item: str) -> str:
    """Name of the page parameter (and of its radio inputs) for a TFI item.

    Examples
    --------
    >>> from mtss_teach.explorers import tfi_param_name
    >>> tfi_param_name("1.10")
    'item_1_10'
    """
    if not isinstance(item, str) or not re.fullmatch(r"\d+\.\d+", item.strip()):
        raise DataError(f"item: {item!r} is not a TFI item id such as '1.10'")
    return "item_" + item.strip().replace(".", "_")


def fidelity_explorer(
    tier: int = 1,
    item_scores: Mapping[str, int] | None = None,
    *,
    criterion: float = fidelity.TFI_CRITERION,
    title: str | None = None,
    width: int = 520,
) -> alt.VConcatChart:
    """One 0/1/2 control per TFI item of a tier; the scale score against 70%.

    Each item of the tier gets a radio group (0 = not in place, 1 = partly,
    2 = fully in place). The page computes the tier's scale score by the
    manual's formula, ``points / (2 x items) x 100``, and says whether it
    meets the criterion with the library's test ``points x 100 >= 70 x
    possible`` (:func:`mtss_teach.fidelity.tfi_scores`); the tests compare the
    page with ``tfi_scores`` in a browser.

    Parameters
    ----------
    tier : {1, 2, 3}
    item_scores : dict, optional
        Starting scores, item id -> 0/1/2 (e.g. a school's sheet from a
        cohort's ``tfi`` table). Items of other tiers are ignored; items not
        given start at 0. Validated by :func:`mtss_teach.fidelity.tfi_scores`.
    criterion : float, default 70
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        One parameter per item, named by :func:`tfi_param_name`.

    Examples
    --------
    >>> from mtss_teach.explorers import fidelity_explorer
    >>> spec = fidelity_explorer(1, {"1.1": 2, "1.2": 1}).to_dict()
    >>> [(p["name"], p["value"]) for p in spec["params"]][:3]
    [('item_1_1', 2), ('item_1_2', 1), ('item_1_3', 0)]
    """
    t = check_choice(tier, "tier", [1, 2, 3])
    crit = check_number(criterion, "criterion", lo=0, hi=100, lo_open=True)
    items = fidelity.tfi_items()
    items = items[items["tier"] == t].reset_index(drop=True)
    start = {it: 0 for it in items["item"]}
    if item_scores is not None:
        if not isinstance(item_scores, Mapping):
            raise DataError("item_scores: expected a dict mapping item ids such as '1.1' to 0, 1 or 2")
        full = {k: v for k, v in item_scores.items()}
        fidelity.tfi_scores(full, allow_missing=True)  # the library validates ids and 0/1/2 values
        for k, v in full.items():
            if isinstance(k, str) and k.strip() in start and v is not None and not (
                    isinstance(v, float) and np.isnan(v)):
                start[k.strip()] = int(v)
    names = [tfi_param_name(it) for it in items["item"]]
    flag = np.where(items["tag"].astype(str) == "CHECK", " *", "")
    labels = [f"{it} {nm}{f} " for it, nm, f in zip(items["item"], items["name"], flag)]
    params = [
        alt.param(name=pn, value=int(start[it]),
                  bind=alt.binding_radio(options=[0, 1, 2], name=lab))
        for pn, it, lab in zip(names, items["item"], labels)
    ]
    score_expr = "[" + ", ".join(names) + "][datum.idx]"
    df = pd.DataFrame({
        "idx": np.arange(len(items)),
        "item": items["item"].astype(str).to_numpy(),
        "label": [f"{it} {nm}{f}" for it, nm, f in zip(items["item"], items["name"], flag)],
    })
    n_items = len(items)
    y = alt.Y("label:N", title="TFI item", sort=list(df["label"]), axis=alt.Axis(labelLimit=300, orient="right"))
    item_bars = alt.Chart(df).transform_calculate(score=score_expr).mark_bar(
        color=PALETTE["score"], size=12).encode(
        y=y, x=alt.X("score:Q", title="Item score (0 = not in place, 1 = partly, 2 = fully)",
                     scale=alt.Scale(domain=[0, 2]), axis=alt.Axis(values=[0, 1, 2], format="d")),
    )
    item_text = alt.Chart(df).transform_calculate(score=score_expr).mark_text(
        align="left", dx=4, fontSize=11, fontWeight="bold").encode(
        y=y, x=alt.XDatum(0), text=alt.Text("score:Q", format="d"),
        color=alt.ColorValue(value=OKABE_ITO["black"], condition=alt.ConditionalPredicateValueDefGradientstringnullExprRef(
            test="datum.score > 0", value=PALETTE["background"])))
    items_chart = alt.layer(item_bars, item_text).properties(
        width=width - 300, height=18 * n_items,
        title=alt.TitleParams(f"Tier {t} items (set them with the buttons under the chart)", anchor="start",
                              fontSize=12))

    # Scale score: the manual's formula; the library's >= test on whole numbers.
    agg = (
        alt.Chart(df)
        .transform_calculate(score=score_expr)
        .transform_aggregate(points="sum(score)", items="count()")
        .transform_calculate(
            possible="2 * datum.items",
            percent="100 * datum.points / datum.possible",
            meets=f"datum.points * 100 >= {crit!r} * datum.possible",
        )
        .transform_calculate(
            verdict=f"datum.meets ? 'meets the {number(crit)}% criterion' : 'below the {number(crit)}% criterion'",
            status=f"datum.meets ? 'Meets {number(crit)}%' : 'Below {number(crit)}%'",
            summary=(f"'Tier {t} scale score: ' + datum.points + ' of ' + datum.possible + ' points = ' "
                     "+ format(datum.percent, '.1f') + '%, ' + datum.verdict"),
        )
    )
    summary = agg.mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=0, y=4).encode(
        text=alt.Text("summary:N"))
    domain = [f"Meets {number(crit)}%", f"Below {number(crit)}%"]
    bar = agg.mark_bar(size=26).encode(
        x=alt.X("percent:Q", title="Scale score (% of possible points)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=[PALETTE["meets"], PALETTE["below"]]),
                        legend=alt.Legend(title="Criterion", orient="right")),
    )
    crit_df = pd.DataFrame({"x": [crit], "t": [f"{number(crit)}% criterion"]})
    rule = alt.Chart(crit_df).mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    rule_txt = alt.Chart(crit_df).mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("x:Q"), text=alt.Text("t:N"))
    summary_panel = summary.properties(name=LIVE, width=width, height=24)
    bar_panel = alt.layer(bar, rule, rule_txt).properties(width=width - 120, height=40)

    has_check = bool((flag != "").any())
    sub = [f"Tier {t} has {n_items} items scored 0, 1 or 2; scale score = points / (2 x {n_items}) x 100."]
    if has_check:
        sub.append("* item name or subscale unverified in the shipped item list (see fidelity.tfi_items).")
    desc = (f"Interactive Tiered Fidelity Inventory explorer for Tier {t}: {n_items} radio-button groups set "
            f"each item to 0, 1 or 2; the text and bar show the tier's scale score against the {number(crit)}% "
            "criterion.")
    return alt.vconcat(summary_panel, bar_panel, items_chart, spacing=12).add_params(*params).properties(
        title=alt.TitleParams(title or f"Fidelity explorer: TFI Tier {t}", subtitle=sub, anchor="start"),
        description=desc,
    )
