"""BehaviorView: office discipline referrals by month, location and student band; SRSS risk."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from ..cohorts import school_days
from .. import behavior, norms
from ..errors import DataError
from ._app import MtssApp
from ._controls import Dropdown, options_with_all
from ._data import table_of
from ._charts import chart_call
from ._html import fmt, metrics_html, table_html

__all__ = ["BehaviorView", "VIEWS"]

#: How the referrals are counted (``charts.odr_chart``'s ``by``).
VIEWS: dict[str, str] = {"month": "By month", "location": "By location", "band": "Students by ODR band"}


class BehaviorView(MtssApp):
    """ODR patterns and SRSS risk for a school or the whole dataset.

    The referral rate is :func:`mtss_teach.behavior.odr_rate` (major ODRs per
    100 students per school day) beside the SWIS national mean for K-6
    (:func:`mtss_teach.behavior.odr_national_means`); the chart is
    :func:`mtss_teach.charts.odr_chart` by month, location or per-student
    band (:func:`mtss_teach.behavior.odr_band`: 0-1 / 2-5 / 6+, the
    Tier 1/2/3 pattern); SRSS totals are banded by
    :func:`mtss_teach.behavior.srss_risk`.

    Examples
    --------
    >>> from mtss_teach.widgets import BehaviorView
    >>> view = BehaviorView.from_dataset(draw="off")
    >>> view.metrics["odr_rate"] >= 0
    True
    """

    title = "Behaviour data view"
    purpose = ("Office discipline referrals by month, location and student band, the referral rate against "
               "the national mean, and SRSS risk levels.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_school = Dropdown(description="School", style=style, layout=W.Layout(width="15em"))
        self.w_view = W.ToggleButtons(options=[(v, k) for k, v in VIEWS.items()], value="month",
                                      style={"button_width": "14em"})
        self.w_view.add_class("mtss-odr-view")
        self.w_majors = W.Checkbox(value=True, description="Major referrals only", indent=False)
        days = school_days()
        self.w_days = W.BoundedIntText(value=days, min=1, max=366, description="School days", style=style,
                                       layout=W.Layout(width="12em"))
        self.w_days.add_class("mtss-days")
        self.w_season = W.Dropdown(description="SRSS season", options=list(norms.SEASONS), value="fall",
                                   style=style, layout=W.Layout(width="14em"))
        self.w_metrics = W.HTML()
        self.w_metrics.add_class("mtss-behavior-metrics")
        self.w_srss = W.HTML()
        self.p_odr = self._pane("odr")
        self._watch(self.w_school, self.w_view, self.w_majors, self.w_days, self.w_season)

    def _layout(self) -> list[W.Widget]:
        return [
            W.HBox([self.w_school, self.w_days], layout=W.Layout(flex_flow="row wrap")),
            self.w_metrics,
            W.HBox([self.w_view, self.w_majors], layout=W.Layout(flex_flow="row wrap", align_items="center")),
            self.p_odr.widget,
            self.w_season,
            self.w_srss,
        ]

    def _clear(self) -> None:
        super()._clear()
        self.w_metrics.value = ""
        self.w_srss.value = ""

    def _on_cohort(self) -> None:
        self._students = table_of(self.cohort, "students", "the behaviour view")
        self._events = table_of(self.cohort, "behavior", "the behaviour view")
        schools = sorted(self._students["school"].astype(str).unique())
        self.w_school.options = options_with_all(schools, "All schools")
        self.w_school.value = None

    def _update(self) -> None:
        school, by, majors_only = self.w_school.value, self.w_view.value, bool(self.w_majors.value)
        st = self._students
        if school is not None:
            st = st[st["school"].astype(str) == school]
        if len(st) == 0:
            raise DataError(f"selection: no students in {school}")
        ev = self._events[self._events["student_id"].isin(st["student_id"])]
        n_major = len(behavior.counted_referrals(ev))
        days = int(self.w_days.value)
        rate = float(behavior.odr_rate(n_major, days, len(st)))
        nat = behavior.odr_national_means()
        k6 = float(nat.loc[nat["grade_span"] == "K-6", "odr_per_100_per_day"].iloc[0])
        bands = behavior.odr_counts(ev, "band", students=st)
        shares = dict(zip(bands["band"], bands["share"].astype(float)))
        self.w_metrics.value = metrics_html([
            ("Students", len(st), "students", "int"),
            ("Major ODRs", n_major, "majors", "int"),
            ("Major ODRs per 100 students per day", rate, "odr_rate", "num"),
            ("National mean, K-6 (SWIS 2008-09)", k6, "national_k6", "num"),
            ("Students with 0-1 majors", shares.get("0-1", np.nan), "band_0_1", "pct"),
            ("2-5 majors", shares.get("2-5", np.nan), "band_2_5", "pct"),
            ("6+ majors", shares.get("6+", np.nan), "band_6_plus", "pct"),
        ]) + (f'<div class="mtss-note">Rate = {n_major} major ODRs ÷ {days} school days ÷ ({len(st)} students ÷ 100).'
              "</div>")
        srss = self._srss()
        self._metrics = {
            "school": school, "view": by, "majors_only": majors_only, "school_days": days,
            "students": int(len(st)), "majors": n_major, "odr_rate": rate, "national_k6": k6,
            "band_shares": shares, "srss": srss,
        }
        roster = st[["student_id"]]

        self.p_odr.draw(chart_call("odr_chart", ev, by, students=roster if by == "band" else None,
                                   majors_only=majors_only, severity="type", width=520, height=220))

    def _srss(self) -> dict[str, float]:
        scr = getattr(self.cohort, "screening", None)
        season = self.w_season.value
        if not isinstance(scr, pd.DataFrame):
            self.w_srss.value = '<div class="mtss-note">No SRSS screening in this dataset.</div>'
            return {}
        school = self.w_school.value
        s = scr[(scr["measure"].astype(str) == "srss") & (scr["season"].astype(str) == season)]
        if school is not None:
            ids = self._students.loc[self._students["school"].astype(str) == school, "student_id"]
            s = s[s["student_id"].isin(ids)]
        if len(s) == 0:
            self.w_srss.value = f'<div class="mtss-note">No SRSS scores in {season} for this selection.</div>'
            return {}
        risk = pd.Series(behavior.srss_risk(s["score"].to_numpy(dtype=float)))
        bands = behavior.srss_bands()
        out = {str(b): float((risk == b).mean()) for b in bands["band"]}
        table = pd.DataFrame({"SRSS risk": list(out), "students": [int((risk == b).sum()) for b in out],
                              "share": [fmt(v, "pct") for v in out.values()]})
        ranges = ", ".join(f"{b} {lo}-{hi}" for b, lo, hi in zip(bands["band"], bands["low"], bands["high"]))
        self.w_srss.value = table_html(table, caption=f"Student Risk Screening Scale, {season}: {ranges} "
                                                      "(Drummond 1994).")
        return out

    def _controls(self) -> dict[str, W.Widget]:
        return {"school": self.w_school, "view": self.w_view, "majors_only": self.w_majors,
                "school_days": self.w_days, "season": self.w_season}

    def set(self, **values: Any) -> None:
        """Set controls (``school, view, majors_only, school_days, season``) and update once."""
        names = {"school": self.w_school, "view": self.w_view, "majors_only": self.w_majors,
                 "school_days": self.w_days, "season": self.w_season}
        self._set_many(names, values)
        self._safe(self.refresh)
