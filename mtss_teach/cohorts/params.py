"""Constants and calibration parameters of the generator (``cohort_params.yml``), and the scenarios."""

from __future__ import annotations

import copy
from functools import lru_cache

import pandas as pd

from .._packagedata import read_yaml

SEASONS = ("fall", "winter", "spring")
MEASURES = ("orf", "math_dcpm", "srss")
#: Every table a cohort can hold, in the order they are written.
TABLES = (
    "students",
    "screening",
    "outcomes",
    "tiers",
    "progress",
    "interventions",
    "fidelity",
    "behavior",
    "tfi",
    "truth",
)
_PCTS = (10, 25, 50, 75, 90)
_FIRST_ID = 100001
_MAX_STUDENTS = 5_000_000
# one independent random sub-stream per component: asking for fewer tables
# never changes the tables that are generated
_STREAMS = {
    "school": 0, "orf": 1, "flags": 2, "math": 3, "srss": 4, "outcomes": 5,
    "tiers": 6, "interventions": 7, "progress": 8, "fidelity": 9,
    "behavior": 10, "tfi": 11, "prior": 12,
}


@lru_cache(maxsize=None)
def _params() -> dict:
    return read_yaml("cohort_params.yml")


def cohort_params() -> dict:
    """The calibration constants of the generator, with their provenance.

    A deep copy of ``mtss_teach/data/cohort_params.yml``: each block carries
    ``source`` and ``tag`` (``S`` read in the named source, ``S2`` secondary,
    ``derived`` computed from a sourced fact, ``model`` a modelling choice of
    ours -- not a norm).

    Examples
    --------
    >>> from mtss_teach.cohorts import cohort_params
    >>> p = cohort_params()
    >>> p["progress"]["sem"]["value"], p["progress"]["sem"]["tag"]
    (10.0, 'S')
    >>> p["orf"]["reliability"]["tag"]
    'model'
    """
    return copy.deepcopy(_params())


GENERATOR_VERSION: str = str(_params()["generator_version"])
RACE_ETHNICITY: tuple[str, ...] = tuple(_params()["demographics"]["race_ethnicity"])
SCENARIOS: tuple[str, ...] = tuple(_params()["scenarios"])


def scenarios() -> pd.DataFrame:
    """The named scenarios a facilitator can choose, with what each shows.

    Examples
    --------
    >>> from mtss_teach.cohorts import scenarios
    >>> scenarios()["scenario"].tolist()
    ['healthy', 'weak_tier1', 'disproportionate', 'low_fidelity']
    """
    sc = _params()["scenarios"]
    return pd.DataFrame({
        "scenario": list(sc),
        "description": [" ".join(str(v["description"]).split()) for v in sc.values()],
    }, copy=False)
