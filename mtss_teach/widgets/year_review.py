"""YearReview: the capstone's school-year data review, one tab per decision."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

__all__ = ["YearReview", "STEPS"]

#: The review's steps in school-year order: (tab title, app class name).
STEPS: tuple[tuple[str, str], ...] = (
    ("1. Fall screening", "ScreeningExplorer"),
    ("2. Tier placement", "DataMeeting"),
    ("3. Progress decisions", "AimlineCoach"),
    ("4. Fidelity", "FidelityScorer"),
    ("5. Equity", "EquityLens"),
    ("6. Behaviour", "BehaviorView"),
)


class YearReview:
    """A full year's data review for the capstone: one tab per MTSS decision.

    Each tab holds one of the academy's apps (screening, tier placement,
    progress decisions, fidelity, equity, behaviour), built the first time
    the tab is opened so the page renders quickly. The apps keep their own
    dataset choice; all start on the same dataset. Every number comes from
    the apps, which call the library.

    Parameters
    ----------
    dataset : str, optional
        Shipped dataset every tab starts on (default: the first one).
    draw : {"background", "sync", "off"}
        Passed to each app (``"off"`` draws no charts, for tests).

    Examples
    --------
    >>> from mtss_teach.widgets import YearReview
    >>> review = YearReview(dataset="low_fidelity", draw="off")
    >>> [type(a).__name__ for a in review.apps if a is not None]
    ['ScreeningExplorer']
    >>> review.open(1).title
    'Data meeting'
    """

    title = "Year-end data review"
    purpose = ("The capstone: work through a school's year in order — fall screening, tier placement, "
               "progress decisions, fidelity, equity and behaviour — one tab at a time.")

    def __init__(self, dataset: str | None = None, *, draw: str = "background",
                 chooser: bool | None = None, **kwargs: Any) -> None:
        from .. import widgets

        self._classes = [getattr(widgets, name) for _, name in STEPS]
        self._kwargs = dict(dataset=dataset, draw=draw, chooser=chooser, **kwargs)
        self.apps: list[Any] = [None] * len(STEPS)
        self.tabs = W.Tab(children=[W.VBox() for _ in STEPS])
        for i, (label, _) in enumerate(STEPS):
            self.tabs.set_title(i, label)
        self.tabs.add_class("mtss-year-review-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.open(0)

    @classmethod
    def from_dataset(cls, name: str | None = None, **kwargs: Any) -> "YearReview":
        """Build the review on a shipped dataset: ``YearReview.from_dataset("low_fidelity")``."""
        return cls(dataset=name, **kwargs)

    @classmethod
    def app(cls, **kwargs: Any) -> "YearReview":
        """The review as its Voila page builds it (dataset from ``?dataset=`` in the URL)."""
        from ._base import dataset_from_query, dataset_names

        return cls(dataset=dataset_from_query(dataset_names()), chooser=True, **kwargs)

    def open(self, step: int) -> Any:
        """Build (once) and show the app of tab ``step``; returns that app."""
        if self.apps[step] is None:
            app = self._classes[step](**self._kwargs)
            self.apps[step] = app
            self.tabs.children[step].children = [app.ui]
        if self.tabs.selected_index != step:
            self.tabs.selected_index = step
        return self.apps[step]

    def _on_tab(self, change: dict) -> None:
        if change["new"] is not None:
            self.open(int(change["new"]))

    @property
    def metrics(self) -> dict[str, dict]:
        """The numbers each opened tab shows, by tab title (``app.metrics``)."""
        return {STEPS[i][0]: a.metrics for i, a in enumerate(self.apps) if a is not None}

    @property
    def message(self) -> str:
        """Any message the opened tabs show (empty when all is well)."""
        return " ".join(a.message for a in self.apps if a is not None and a.message)

    @property
    def ui(self) -> W.VBox:
        """The whole review as one ipywidgets box."""
        if not hasattr(self, "_ui"):
            head = W.HTML(f'<h2 class="mtss-title">{html.escape(self.title)}</h2>'
                          f'<p class="mtss-purpose">{html.escape(self.purpose)}</p>')
            self._ui = W.VBox([head, self.tabs], layout=W.Layout(width="100%"))
            self._ui.add_class("mtss-app")
            self._ui.add_class("mtss-app-yearreview")
        return self._ui

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
