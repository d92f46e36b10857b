"""The office-discipline-referral explorer (course 9): the October catch."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import behavior
from ..charts import OKABE_ITO, PALETTE
from ..errors import DataError
from ..formatting import counted, percent
from ._shared import _lines

__all__ = ["odr_month_table", "odr_explorer"]


def odr_month_table(
    events: pd.DataFrame,
    students: Any,
    *,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    severity: str = "type",
) -> pd.DataFrame:
    """Students per ODR band at the end of every month, and the "October catch".

    For each month from the first to the last referral, every student's
    major referrals up to the end of that month are put in a band by
    :func:`mtss_teach.behavior.odr_band` (0-1 / 2-5 / 6+). The students
    whose year-end band (the last month) is 6+ are followed back: how many
    of them were already past the lowest band (2 or more) by then.

    Parameters
    ----------
    events, students, majors_only, student, date, severity
        As in :func:`mtss_teach.behavior.odr_counts` (``students`` is the
        roster, so students with no referral are counted).

    Returns
    -------
    pandas.DataFrame
        One row per (month, band): ``month_no`` (1 = the first month),
        ``month`` ("2025-10"), ``label`` ("Oct 2025"), ``band``,
        ``tier_pattern``, ``students``, ``share``, ``n`` (roster size),
        ``year_top`` (students in the top band at the end of the year),
        ``caught`` (of those, past the lowest band by this month) and
        ``caught_share``, and the text the page shows: ``line1, line2,
        line3``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import odr_month_table
    >>> ev = pd.DataFrame({"student_id": [1] * 6 + [2], "type": ["major"] * 7,
    ...                    "date": ["2025-09-02", "2025-10-01", "2025-11-03", "2025-11-04", "2025-12-01",
    ...                             "2025-12-02", "2025-10-09"]})
    >>> t = odr_month_table(ev, [1, 2, 3])
    >>> t.query("band == '6+'")[["label", "students", "caught"]].values.tolist()
    [['Sep 2025', 0, 0], ['Oct 2025', 0, 1], ['Nov 2025', 0, 1], ['Dec 2025', 1, 1]]
    """
    from ..behavior import counted_referrals, odr_counts, referral_dates

    # The chart layer's counter checks the columns and the roster (duplicates, unknown ids); the dates are
    # read (and checked) as it reads them.
    odr_counts(events, "band", students=students, majors_only=majors_only, student=student, date=date,
               severity=severity)
    per = referral_dates(events, majors_only=majors_only, date=date, severity=severity).dt.to_period("M")
    ev = counted_referrals(events, majors_only, severity)
    ids = students[student] if isinstance(students, pd.DataFrame) else pd.Series(list(students))
    if ev.empty:
        raise DataError("events: no major referrals to count" if majors_only else "events: no referrals to count")
    months = pd.period_range(per.min(), per.max(), freq="M")
    counts = pd.crosstab(ev[student].to_numpy(), per.to_numpy()).reindex(
        index=ids.to_numpy(), columns=months, fill_value=0)
    cum = counts.to_numpy(dtype=np.int64).cumsum(axis=1)
    bands = np.asarray(behavior.odr_band(cum.ravel()), dtype=object).reshape(cum.shape)
    table = behavior.odr_bands()
    labels = table["band"].astype(str).tolist()
    pattern = dict(zip(labels, table["tier_pattern"].astype(str)))
    low, top = labels[0], labels[-1]
    n = int(len(ids))
    year_top = bands[:, -1] == top
    k_top = int(year_top.sum())
    rows = []
    for j, m in enumerate(months):
        col = bands[:, j]
        caught = int(((col != low) & year_top).sum())
        cs = caught / k_top if k_top else float("nan")
        by = {b: int((col == b).sum()) for b in labels}
        lab = m.strftime("%b %Y")
        line1 = f"By the end of {lab}: " + "; ".join(
            f"{counted(by[b], 'student')} with {b} major referrals" for b in labels[1:]) + "."
        line2 = f"Bands so far ({n} students): " + "; ".join(
            f"{b}: {by[b]} ({percent(by[b] / n, 1, trim=True)})" for b in labels) + "."
        line3 = (f"Of the {k_top} students with {top} by the end of the year, {caught} ({percent(cs, 0)}) already had "
                 f"{table['low'].iloc[1]:g} or more by the end of {lab}." if k_top else
                 f"No student reaches {top} by the end of the year.")
        for b in labels:
            rows.append({"month_no": j + 1, "month": str(m), "label": lab, "band": b, "tier_pattern": pattern[b],
                         "students": by[b], "share": by[b] / n, "n": n, "year_top": k_top, "caught": caught,
                         "caught_share": cs, "line1": line1, "line2": line2, "line3": line3})
    return pd.DataFrame(rows)


def odr_explorer(
    events: pd.DataFrame,
    students: Any,
    *,
    month: str | None = None,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    severity: str = "type",
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """A month slider: who is in each ODR band by then, and the "October catch".

    Everything shown is a row of :func:`odr_month_table` (bands from
    :func:`mtss_teach.behavior.odr_band` on each student's referrals so far).

    Parameters
    ----------
    events, students, majors_only, student, date, severity
        As in :func:`odr_month_table`.
    month : str, optional
        Starting month, e.g. "2025-10" (default: the third month, or the last).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        One parameter, ``month_no`` (1 = the first month), bound to a range input.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import odr_explorer
    >>> ev = pd.DataFrame({"student_id": [1, 1, 2], "type": ["major"] * 3,
    ...                    "date": ["2025-09-02", "2025-10-01", "2025-10-09"]})
    >>> [(p["name"], p["value"]) for p in odr_explorer(ev, [1, 2], month="2025-10").to_dict()["params"]]
    [('month_no', 2)]
    """
    t = odr_month_table(events, students, majors_only=majors_only, student=student, date=date, severity=severity)
    months = t.drop_duplicates("month_no")[["month_no", "month", "label", "caught", "caught_share", "year_top",
                                            "line1", "line2", "line3"]]
    k = len(months)
    if month is None:
        m0 = min(3, k)
    else:
        hit = months.index[months["month"] == str(month).strip()[:7]]
        if len(hit) == 0:
            raise DataError(f"month: {month!r} is not one of the months with data "
                            f"({months['month'].iloc[0]} to {months['month'].iloc[-1]})")
        m0 = int(months.loc[hit[0], "month_no"])
    first, last = months["label"].iloc[0], months["label"].iloc[-1]
    p = alt.param(name="month_no", value=m0, bind=alt.binding_range(
        min=1, max=k, step=1, name=f"End of month (1 = {first}, {k} = {last}) "))
    at = "datum.month_no == month_no"
    text_panel = _lines(months[["month_no", "line1", "line2", "line3"]], at, ["line1", "line2", "line3"],
                        width=width, bold=(0,))

    bands = t[["month_no", "band", "tier_pattern", "students", "share"]].assign(
        row=[f"{b} ({tp})" for b, tp in zip(t["band"], t["tier_pattern"])],
        label=[f"{s} ({percent(sh, 1, trim=True)})" for s, sh in zip(t["students"], t["share"])])
    rows = list(dict.fromkeys(bands["row"]))
    x_b = alt.X("row:N", title="Major referrals so far (band)", sort=rows, axis=alt.Axis(labelAngle=0))
    bb = alt.Chart(bands).transform_filter(at)
    b_bars = bb.mark_bar(size=40).encode(
        x=x_b, y=alt.Y("students:Q", title="Students (count)", axis=alt.Axis(orient="right"),
                       scale=alt.Scale(type="linear", zero=True)),
        color=alt.Color("row:N", scale=alt.Scale(domain=rows, range=[PALETTE["tier1"], PALETTE["tier2"],
                                                                     PALETTE["tier3"]][:len(rows)]), legend=None),
        tooltip=[alt.Tooltip("row:N", title="Band"), alt.Tooltip("label:N", title="Students")])
    b_text = bb.mark_text(dy=-8, fontSize=11).encode(x=x_b, y=alt.Y("students:Q"), text=alt.Text("label:N"))
    band_panel = alt.layer(b_bars, b_text).properties(
        width=220, height=180,
        title=alt.TitleParams("Students by band", anchor="start", fontSize=12))

    order = list(months["label"])
    curve = months[["month_no", "label", "caught_share"]].assign(pct=[percent(c, 0) for c in months["caught_share"]])
    x_m = alt.X("label:N", title="End of month", sort=order, axis=alt.Axis(labelAngle=-45))
    y_m = alt.Y("caught_share:Q", title="Share already at 2 or more (%)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"))
    c_line = alt.Chart(curve).mark_line(point=True, color=PALETTE["score"]).encode(
        x=x_m, y=y_m, tooltip=[alt.Tooltip("label:N", title="End of"), alt.Tooltip("pct:N", title="Already 2+")])
    c_now = alt.Chart(curve).transform_filter(at).mark_point(
        shape="diamond", size=200, filled=True, color=PALETTE["used"], stroke=OKABE_ITO["black"]).encode(x=x_m, y=y_m)
    c_txt = alt.Chart(curve).transform_filter(at).mark_text(dy=-14, fontWeight="bold", fontSize=11).encode(
        x=x_m, y=y_m, text=alt.Text("pct:N"))
    top = t["band"].iloc[-1]
    curve_panel = alt.layer(c_line, c_now, c_txt).properties(
        width=230, height=180,
        title=alt.TitleParams(f"Year-end {top} students already at 2+ (diamond: now)", anchor="start",
                              fontSize=12))

    head = title or "The October catch: office discipline referrals month by month"
    desc = (f"Interactive office-discipline-referral explorer: move the month slider ({first} to {last}); the "
            "text and bars show how many students are in each band of major referrals by the end of that "
            f"month, and the line shows what share of the students who end the year with {top} referrals "
            "already had 2 or more by then.")
    row = alt.hconcat(band_panel, curve_panel, spacing=60).resolve_scale(color="independent")
    return alt.vconcat(text_panel, row, spacing=12).add_params(p).properties(
        title=alt.TitleParams(head, subtitle=["Bands: 0-1 / 2-5 / 6+ major referrals (the usual Tier 1 / 2 / 3 "
                                              "pattern). Move the slider under the chart."], anchor="start"),
        description=desc)
