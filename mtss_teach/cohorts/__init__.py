"""Realistic synthetic MTSS cohorts: one table per step of the MTSS cycle.

:func:`make_cohort` draws a school district of synthetic students whose data
behave the way the field's published facts say schools behave, so leaders can
practise decisions on data like their own without any real student's data
entering the project.

How the data are made (every constant, with its provenance, is in
``mtss_teach/data/cohort_params.yml``; tag ``model`` marks our modelling
choices, which are *not* norms):

- **ORF** -- each student has a latent true reading ability per season
  (standard normal, correlated across seasons, with a classroom component).
  The observed screening latent adds measurement error
  (``z_obs = sqrt(rel) z_true + sqrt(1 - rel) e``, ``rel = 0.93``) and is
  mapped through a monotone piecewise-linear map of the Hasbrouck & Tindal
  (2017) percentiles (z of the 10/25/50/75/90th percentile -> WCPM, read
  through :func:`mtss_teach.norms.orf_norm_table`), so the *observed* scores
  match the published percentiles by construction. Grade 1 fall has no
  published norm: a modelled fall (winter^2 / spring per percentile) is used
  and documented as such. True scores (``truth`` table) are the same map of
  ``sqrt(rel) z_true``.
- **Tiers** -- decided by :func:`mtss_teach.norms.benchmark_status` with
  percentile cuts (10, 20): below the 20th percentile -> Tier 2; below the
  10th at this *and* the previous screening -> Tier 3.
- **Progress** -- weekly ORF probes for students in Tier 2/3 in winter:
  ``score = true level + true slope * week + N(0, sem)``; the true slope is
  centred on the IRIS growth norm (:func:`mtss_teach.norms.typical_growth`)
  times the fidelity actually delivered by the student's interventionist.
- **Math, SRSS, ODR, outcomes, fidelity, TFI** -- see
  :func:`make_cohort`.

Only arithmetic (no transcendental functions) touches per-student values,
and every random draw comes from a fixed sub-stream of the seed, so the same
arguments give byte-identical CSV files on any machine.

The package, one job per file:

- ``params`` -- constants, the calibration parameters and the scenarios;
- ``schema`` -- the data dictionary, dtypes and deterministic CSV;
- ``container`` -- the :class:`Cohort` container;
- ``draws``, ``quantiles``, ``school_calendar`` -- random sub-streams,
  norm-calibrated quantile maps, the school year;
- ``knobs`` -- argument checks and scenario knobs;
- ``make`` -- :func:`make_cohort`;
- ``generator`` with ``gen_students``, ``gen_scores``, ``gen_supports``,
  ``gen_records`` -- the generator and its table builders.

Import from ``mtss_teach.cohorts`` (the names below); the files are internal.
"""

from __future__ import annotations

from .container import Cohort
from .make import make_cohort
from .params import (
    GENERATOR_VERSION,
    MEASURES,
    RACE_ETHNICITY,
    SCENARIOS,
    SEASONS,
    TABLES,
    cohort_params,
    scenarios,
)
from .schema import data_dictionary, read_table_csv
from .school_calendar import school_days

__all__ = [
    "Cohort",
    "make_cohort",
    "school_days",
    "scenarios",
    "cohort_params",
    "data_dictionary",
    "TABLES",
    "SEASONS",
    "MEASURES",
    "RACE_ETHNICITY",
    "GENERATOR_VERSION",
]
