"""FidelityScorer: TFI item scores or an observation checklist -> scale scores, 70%, action plan."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
from ipywidgets.widgets.widget_description import DescriptionStyle
import numpy as np
import pandas as pd

from .. import fidelity
from ..errors import DataError
from ._app import MtssApp
from ._controls import Dropdown
from ._html import fmt, metrics_html, table_html

__all__ = ["FidelityScorer", "MODES"]

#: The two things a team can score.
MODES: dict[str, str] = {"tfi": "Tiered Fidelity Inventory (TFI v2.1)", "checklist": "Observation checklist"}

_BLANK = "(blank sheet)"
_SCORE_OPTIONS = [("not scored", None), ("0 not in place", 0), ("1 partly", 1), ("2 in place", 2)]


class FidelityScorer(MtssApp):
    """Score a TFI sheet or an intervention-session observation.

    **TFI.** One dropdown per TFI v2.1 item (0/1/2 or not scored), filled
    from a school's sheet in the cohort or left blank.
    :func:`mtss_teach.fidelity.tfi_scores` gives the tier scale scores
    (points / (2 x items) x 100) against the 70% criterion, with subscale
    scores, and :func:`mtss_teach.fidelity.action_plan` the ordered list of
    items not fully in place. A partly scored tier is refused by the
    library, and the app says which items are missing. Item names and
    subscales come from :func:`mtss_teach.fidelity.tfi_items`; names tagged
    ``CHECK`` there are unverified and marked so.

    **Checklist.** One observed session on the shipped illustrative
    checklist (:func:`mtss_teach.fidelity.checklist_instrument`): tick the
    steps done, enter sessions and minutes planned and delivered;
    :func:`mtss_teach.fidelity.checklist_fidelity` gives adherence, dosage
    and the flag under 80%. The chosen interventionist's observations in the
    cohort are scored the same way, week by week.

    Examples
    --------
    >>> from mtss_teach.widgets import FidelityScorer
    >>> app = FidelityScorer.from_dataset(draw="off")
    >>> app.set_items({f"1.{i}": 2 for i in range(1, 16)})
    >>> app.metrics["percent"][1]
    100.0
    """

    title = "Fidelity scorer"
    purpose = ("Enter TFI item scores, or tick an observation checklist: see the scale scores against "
               "the 70% criterion, the items for the action plan, and adherence and dosage.")

    def _build(self) -> None:
        style = {"description_width": "initial"}
        self.w_mode = W.ToggleButtons(options=[(v, k) for k, v in MODES.items()], value="tfi",
                                      style={"button_width": "18em"})
        self.w_mode.add_class("mtss-mode")
        # -- TFI
        self.items = fidelity.tfi_items()
        self.w_school = W.Dropdown(description="Load the sheet of", style=style, layout=W.Layout(width="22em"))
        self.w_school.add_class("mtss-tfi-school")
        self.w_items: dict[str, W.Dropdown] = {}
        # one layout and one style shared by the 45 item dropdowns: fewer widget models, a faster page
        item_layout = W.Layout(width="40em")
        item_style = DescriptionStyle(description_width="24em")
        tabs = []
        for tier in (1, 2, 3):
            rows = []
            for _, it in self.items[self.items["tier"] == tier].iterrows():
                flag = " (unverified name)" if str(it["tag"]).upper() == "CHECK" else ""
                dd = Dropdown(options=_SCORE_OPTIONS, value=None, description=f"{it['item']} {it['name']}{flag}",
                                style=item_style, layout=item_layout)
                dd.add_class("mtss-tfi-item")
                dd.add_class("mtss-tfi-item-" + str(it["item"]).replace(".", "-"))
                self.w_items[str(it["item"])] = dd
                rows.append(dd)
            tabs.append(W.VBox(rows))
        self.w_tabs = W.Tab(children=tabs, titles=("Tier 1", "Tier 2", "Tier 3"))
        self.w_partial = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"),
                                    description="Score the answered items only (a partly scored tier)")
        self.w_tfi_metrics = W.HTML()
        self.w_tfi_metrics.add_class("mtss-tfi-metrics")
        self.w_subscales = W.HTML()
        self.w_plan = W.HTML()
        self.p_tfi = self._pane("tfi")
        # -- checklist
        self.instrument = fidelity.checklist_instrument()
        self.w_who = W.Dropdown(description="Interventionist", style=style, layout=W.Layout(width="20em"))
        self.w_steps: dict[str, W.Checkbox] = {}
        step_layout = W.Layout(width="40em")
        for _, st in self.instrument.iterrows():
            cb = W.Checkbox(value=True, description=str(st["text"]), indent=False, layout=step_layout)
            cb.add_class("mtss-step")
            self.w_steps[str(st["step"])] = cb
        self.w_sessions_planned = W.BoundedIntText(value=5, min=0, max=1000, description="Sessions planned",
                                                   style=style, layout=W.Layout(width="14em"))
        self.w_sessions_delivered = W.BoundedIntText(value=5, min=0, max=1000, description="delivered",
                                                     style=style, layout=W.Layout(width="11em"))
        self.w_minutes_planned = W.BoundedIntText(value=150, min=0, max=100000, description="Minutes planned",
                                                  style=style, layout=W.Layout(width="14em"))
        self.w_minutes_delivered = W.BoundedIntText(value=150, min=0, max=100000, description="delivered",
                                                    style=style, layout=W.Layout(width="11em"))
        self.w_obs_metrics = W.HTML()
        self.w_obs_metrics.add_class("mtss-checklist-metrics")
        self.w_history = W.HTML()
        self._watch(self.w_mode, handler=self._mode_changed)
        self._watch(self.w_school, handler=self._school_changed)
        self._watch(*self.w_items.values(), self.w_partial, self.w_who, *self.w_steps.values(), self.w_sessions_planned,
                    self.w_sessions_delivered, self.w_minutes_planned, self.w_minutes_delivered)

    def _layout(self) -> list[W.Widget]:
        # projector-sized (1024 x 768): the scale scores sit above the 45 items, which scroll in their own box
        self.w_tabs.layout = W.Layout(max_height="330px", overflow="auto")
        self.box_tfi = W.VBox([W.HBox([self.w_school, self.w_partial], layout=W.Layout(flex_flow="row wrap",
                                                                                      align_items="center")),
                               self.w_tfi_metrics, self.w_tabs, self.p_tfi.widget,
                               W.Accordion(children=[self.w_subscales], titles=("Subscale scores",)),
                               self.w_plan])
        self.box_checklist = W.VBox([
            self.w_who,
            W.HTML('<div class="mtss-note">A new observation: tick the steps done as written '
                   "(illustrative checklist, not a published instrument).</div>"),
            *self.w_steps.values(),
            W.HBox([self.w_sessions_planned, self.w_sessions_delivered]),
            W.HBox([self.w_minutes_planned, self.w_minutes_delivered]),
            self.w_obs_metrics,
            self.w_history,
        ])
        self._show_mode()
        return [self.w_mode, self.box_tfi, self.box_checklist]

    def _show_mode(self) -> None:
        if hasattr(self, "box_tfi"):
            tfi = self.w_mode.value == "tfi"
            self.box_tfi.layout.display = "" if tfi else "none"
            self.box_checklist.layout.display = "none" if tfi else ""

    def _clear(self) -> None:
        super()._clear()
        for w in (self.w_tfi_metrics, self.w_subscales, self.w_plan, self.w_obs_metrics, self.w_history):
            w.value = ""

    # -- data ----------------------------------------------------------------

    def _on_cohort(self) -> None:
        tfi = getattr(self.cohort, "tfi", None)
        self._sheets: dict[str, dict[str, int]] = {}
        if isinstance(tfi, pd.DataFrame) and len(tfi):
            for school, g in tfi.groupby("school", sort=True, observed=True):
                self._sheets[str(school)] = dict(zip(g["item"].astype(str), g["score"].astype(int)))
        self.w_school.options = [_BLANK] + list(self._sheets)
        self.w_school.value = list(self._sheets)[0] if self._sheets else _BLANK
        self._fill_sheet()
        obs = getattr(self.cohort, "fidelity", None)
        self._obs = obs if isinstance(obs, pd.DataFrame) and len(obs) else None
        who = sorted(self._obs["interventionist"].astype(str).unique()) if self._obs is not None else []
        self.w_who.options = who or ["(none in this dataset)"]
        self.w_who.value = self.w_who.options[0]

    def _fill_sheet(self) -> None:
        sheet = self._sheets.get(self.w_school.value, {})
        for item, dd in self.w_items.items():
            dd.value = sheet.get(item)

    def _school_changed(self) -> None:
        with self._hold():
            self._fill_sheet()
        self.refresh()

    def _mode_changed(self) -> None:
        self._show_mode()
        self.refresh()

    # -- update --------------------------------------------------------------

    def sheet(self) -> dict[str, Any]:
        """The item scores entered now (item id -> 0/1/2, or None when not scored)."""
        return {item: dd.value for item, dd in self.w_items.items()}

    def _update(self) -> None:
        if self.w_mode.value == "tfi":
            self._update_tfi()
        else:
            self._update_checklist()

    def _update_tfi(self) -> None:
        sheet = self.sheet()
        if all(v is None for v in sheet.values()):
            raise DataError("item_scores: no TFI item has a score yet; score a tier's items or load a "
                            "school's sheet")
        partial = bool(self.w_partial.value)
        try:
            scores = fidelity.tfi_scores(sheet, allow_missing=partial)
        except DataError as exc:
            if "partly scored" in str(exc):
                raise DataError(str(exc).split(". Score them")[0] + ". Score them, or tick "
                                "“Score the answered items only”.") from None
            raise
        subs = fidelity.tfi_scores(sheet, by="subscale", allow_missing=partial)
        plan = fidelity.action_plan(sheet, allow_missing=partial)
        items = []
        for tier, row in scores.iterrows():
            items.append((f"Tier {tier} scale score", row["percent"] / 100, f"tier{tier}_percent", "pct"))
        verdicts = " ".join(
            f'<span data-metric="tier{t}_meets" data-value="{bool(r["meets"])}">Tier {t}: '
            f'{"meets" if r["meets"] else "below"} 70%</span>.' for t, r in scores.iterrows())
        self.w_tfi_metrics.value = metrics_html(items) + f'<div class="mtss-note">{verdicts}</div>'
        sub = subs.reset_index()
        sub["percent"] = sub["percent"].map(lambda v: fmt(v, "num", 1))
        self.w_subscales.value = table_html(sub[["tier", "subscale", "points", "possible", "percent"]],
                                            caption="Subscale scores (% of possible points). Tier 3 subscale "
                                                    "membership is unverified (see the TFI item list).")
        if len(plan):
            p = plan.copy()
            p["name"] = np.where(p["tag"].astype(str).str.upper() == "CHECK", p["name"] + " (unverified name)",
                                 p["name"])
            self.w_plan.value = table_html(p[["priority", "item", "tier", "subscale", "name", "score"]],
                                           max_rows=50, caption="Action plan: items not fully in place, "
                                                                "lowest score first, then by subscale order.",
                                           css_id="mtss-action-plan")
        else:
            self.w_plan.value = '<div class="mtss-note">Every scored item is fully in place: no action items.</div>'
        self._metrics = {
            "mode": "tfi",
            "percent": {int(t): float(r["percent"]) for t, r in scores.iterrows()},
            "meets": {int(t): bool(r["meets"]) for t, r in scores.iterrows()},
            "points": {int(t): int(r["points"]) for t, r in scores.iterrows()},
            "possible": {int(t): int(r["possible"]) for t, r in scores.iterrows()},
            "items_missing": {int(t): int(r["items_missing"]) for t, r in scores.iterrows()},
            "action_plan": plan["item"].astype(str).tolist(),
        }

        def chart(scores: pd.DataFrame = scores) -> Any:
            from .. import charts
            return charts.tfi_chart(scores, width=420, height=170)

        self.p_tfi.draw(chart)

    def observation(self) -> pd.DataFrame:
        """The new observation entered now, in the tidy shape ``checklist_fidelity`` reads."""
        steps = list(self.w_steps)
        return pd.DataFrame({
            "interventionist": "this observation", "week": "new", "step": steps,
            "done": [bool(self.w_steps[s].value) for s in steps],
            "sessions_planned": self.w_sessions_planned.value,
            "sessions_delivered": self.w_sessions_delivered.value,
            "minutes_planned": self.w_minutes_planned.value,
            "minutes_delivered": self.w_minutes_delivered.value,
        })

    def _update_checklist(self) -> None:
        for p in self._panes:
            p.clear()
        one = fidelity.checklist_fidelity(self.observation(), self.instrument).iloc[0]
        self.w_obs_metrics.value = metrics_html([
            ("Adherence", one["adherence"] / 100, "adherence", "pct"),
            ("Session dosage", one["session_dosage"] / 100, "session_dosage", "pct"),
            ("Minute dosage", one["minute_dosage"] / 100, "minute_dosage", "pct"),
        ]) + (f'<div class="mtss-note" data-metric="below_criterion" data-value="{bool(one["below_criterion"])}">'
              + (f"Below the 80% convention: {one['below_what']}." if one["below_criterion"]
                 else "At or above the 80% convention on every measure.") + "</div>")
        hist = None
        who = self.w_who.value
        if self._obs is not None:
            mine = self._obs[self._obs["interventionist"].astype(str) == who]
            if len(mine):
                hist = fidelity.checklist_fidelity(mine, self.instrument, by="week").reset_index()
                shown = hist[["week", "adherence", "session_dosage", "minute_dosage", "below_what"]].copy()
                for c in ("adherence", "session_dosage", "minute_dosage"):
                    shown[c] = shown[c].map(lambda v: fmt(v, "num", 1))
                self.w_history.value = table_html(
                    shown, caption=f"Observations of {who} in this dataset (% of planned; flagged under 80%).")
        if hist is None:
            self.w_history.value = '<div class="mtss-note">No observations in this dataset.</div>'
        self._metrics = {
            "mode": "checklist",
            "adherence": float(one["adherence"]),
            "session_dosage": float(one["session_dosage"]),
            "minute_dosage": float(one["minute_dosage"]),
            "below_criterion": bool(one["below_criterion"]),
            "below_what": str(one["below_what"]),
            "interventionist": who,
            "history": None if hist is None else hist.to_dict("records"),
        }

    def _controls(self) -> dict[str, W.Widget]:
        return {"mode": self.w_mode, "sheet": self.w_school, "partial": self.w_partial,
                "interventionist": self.w_who}

    # -- scripting -----------------------------------------------------------

    def set_items(self, scores: dict[str, Any], clear: bool = True) -> None:
        """Enter TFI item scores (item id -> 0/1/2/None); other items are cleared unless ``clear=False``."""
        with self._hold():
            self.w_mode.value = "tfi"
            self._show_mode()
            for item in scores:
                if item not in self.w_items:
                    raise DataError(f"item_scores: {item!r} is not a TFI v2.1 item id")
            for item, dd in self.w_items.items():
                if item in scores:
                    dd.value = scores[item]
                elif clear:
                    dd.value = None
        self._safe(self.refresh)

    def set_observation(self, done: dict[str, bool] | None = None, **dosage: int) -> None:
        """Enter a checklist observation: ``done`` per step, and sessions/minutes planned/delivered."""
        names = {"sessions_planned": self.w_sessions_planned, "sessions_delivered": self.w_sessions_delivered,
                 "minutes_planned": self.w_minutes_planned, "minutes_delivered": self.w_minutes_delivered}
        with self._hold():
            self.w_mode.value = "checklist"
            self._show_mode()
            for step, v in (done or {}).items():
                if step not in self.w_steps:
                    raise DataError(f"done: {step!r} is not a step of the checklist ({', '.join(self.w_steps)})")
                self.w_steps[step].value = bool(v)
            for k, v in dosage.items():
                if k not in names:
                    raise DataError(f"{k}: not a dosage field ({', '.join(names)})")
                names[k].value = v
        self._safe(self.refresh)
