"""Shared machinery of the MTSS Academy apps (ipywidgets 8), one job per file.

Every app is a thin shell: it keeps the state of its controls, calls the
library (:mod:`mtss_teach.screening`, :mod:`mtss_teach.progress`, ...) for
every number it shows, and asks :mod:`mtss_teach.charts` for every chart.
What the apps share lives in these files of :mod:`mtss_teach.widgets`:

* ``_app`` -- :class:`MtssApp`, the base class: one-line construction from a
  shipped dataset or a :class:`~mtss_teach.cohorts.Cohort`, a dataset
  chooser, a message area that turns bad input (:class:`~mtss_teach.DataError`)
  into a sentence instead of a traceback, and read-only
  :attr:`MtssApp.metrics` so tests can check the shown values without a browser.
* ``_charts`` -- :class:`ChartPane`: draws an Altair chart as inline SVG with
  ``vl_convert`` (no JavaScript, nothing loaded from a CDN). In an app the
  drawing happens on one background thread, so the numbers appear at once
  and the chart follows; tests draw synchronously.
* ``_gate`` -- holds an app's first charts until its page shows the widgets
  (the one place that uses private ipywidgets APIs).
* ``_data`` -- the shipped datasets, read lazily, their neutral names, and
  the page's query string.
* ``_html`` -- the stylesheet, :func:`fmt`, :func:`metric_html`,
  :func:`table_html` and other HTML pieces.
* ``_controls`` -- :class:`Dropdown` and how a link writes a control's value.

This module gathers their names, so ``from mtss_teach.widgets._base import
MtssApp, fmt, ...`` keeps working. Heavy imports (Altair, vl-convert, the
cohort loader) are deferred until first needed, so a Voila app shows its
controls and numbers quickly.
"""

from __future__ import annotations

from ._app import OWN_COHORT, MtssApp
from ._charts import DRAW_MODES, ChartPane, svg_of, wait_for_charts
from ._controls import Dropdown, _decode, _encode, options_with_all
from ._data import (
    DATASET_LABELS,
    DatasetTables,
    _check_cohort,
    dataset_from_query,
    dataset_label,
    dataset_name,
    dataset_names,
    dataset_options,
    dataset_slug,
    load_dataset,
    page_link,
    query_params,
    table_of,
)
from ._gate import _cell_running, _FirstChartsGate
from ._html import _STYLE, fmt, link_html, message_html, metric_html, metrics_html, style_html, table_html

__all__ = [
    "MtssApp",
    "ChartPane",
    "DRAW_MODES",
    "dataset_names",
    "load_dataset",
    "dataset_from_query",
    "dataset_label",
    "dataset_name",
    "dataset_options",
    "DATASET_LABELS",
    "Dropdown",
    "fmt",
    "metric_html",
    "metrics_html",
    "table_html",
    "wait_for_charts",
]
