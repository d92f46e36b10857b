"""``make_cohort``: arguments checked, the generator run, the :class:`Cohort` with its manifest."""

from __future__ import annotations

from typing import Any, Sequence

from .._validate import check_choice, check_number
from .container import Cohort
from .generator import _Generator
from .knobs import _check_grades, _check_tables, _resolve_knobs
from .params import GENERATOR_VERSION, SCENARIOS, _MAX_STUDENTS, _params


def make_cohort(
    n_students: int,
    seed: int,
    grades: Sequence[int] = (1, 2, 3, 4, 5, 6),
    n_schools: int | None = None,
    scenario: str = "healthy",
    sem: float = 10.0,
    *,
    tables: Sequence[str] | None = None,
    **overrides: Any,
) -> Cohort:
    """Generate a realistic synthetic cohort of students.

    Parameters
    ----------
    n_students : int
        Number of students, 1 to 5,000,000.
    seed : int
        Random seed (>= 0). The same arguments and seed give byte-identical
        CSV files (:meth:`Cohort.to_csv`) on any machine.
    grades : sequence of int
        Grades to include (1-6); students are split evenly over grades.
    n_schools : int, optional
        Default ``max(1, round(n_students / 500))`` (elementary schools of
        about 500). Students are split evenly over schools.
    scenario : {"healthy", "weak_tier1", "disproportionate", "low_fidelity"}
        - ``"healthy"`` -- scores follow the national norms, about 80/14/6%
          in Tiers 1/2/3, interventions delivered with good fidelity, the
          80/15/5 ODR pattern, TFI about 80%.
        - ``"weak_tier1"`` -- in one grade (``weak_grade``, default 3) core
          instruction is weak: the grade falls further behind each season
          (latent shift -0.9/-1.2/-1.4 SD); most of the grade is below
          benchmark and most classes have more than half their students in
          the math frustrational range (classwide problems); Tier 1 TFI low.
        - ``"disproportionate"`` -- scores and behaviour are generated as for
          everyone, but the school's *decisions* are biased against one
          group (``focus_group``, default "Hispanic/Latino"): focus-group
          students are identified below the 30th instead of the 20th
          percentile (``focus_tier2_percentile``), one so identified is put
          in Tier 3 instead of Tier 2 with probability 0.6 (``tier3_bias``),
          is referred more (ODR latent +0.5 SD) and a major
          referral ends in out-of-school suspension 3 times as often.
        - ``"low_fidelity"`` -- interventionists follow about 58% of the
          session checklist and deliver about 65% of planned sessions, so
          Tier 2/3 students grow at about half the growth norm; Tier 2/3 TFI
          items low.
    sem : float
        Probe-to-probe measurement error (SD, WCPM) of weekly progress
        probes; default 10, the median CBM-R SEM (Christ & Silberglitt 2007).
    tables : sequence of str, optional
        Generate only these tables (``students`` always comes along), e.g.
        ``("students", "screening")`` for a fast district-scale cohort.
        Tables generated are identical whichever others are asked for.
    **overrides
        Scenario knobs: ``progress_weeks`` (20), ``weak_grade``,
        ``weak_shift`` (number or {season: shift in latent SD}),
        ``focus_group`` (one of the seven IDEA groups),
        ``focus_tier2_percentile``, ``tier3_bias``,
        ``odr_shift``, ``suspension_multiplier``, ``adherence_mean``,
        ``adherence_sd``, ``dosage_mean``, ``dosage_sd``, ``tfi_tier1`` /
        ``tfi_tier2`` / ``tfi_tier3`` (probabilities of scores 0/1/2),
        ``proficient_share``.

    Returns
    -------
    Cohort
        Tables (see :func:`data_dictionary` for every column):

        - ``students`` -- student_id, school, grade, classroom,
          race_ethnicity (the seven IDEA groups, drawn independently of all
          scores), sex, english_learner, disability, free_reduced_lunch
          (shares in ``cohort_params.yml``: roughly US-like modelling
          choices, not norms; EL, disability and FRL are more common among
          weaker readers).
        - ``screening`` -- long: student_id, grade, season, measure
          ("orf", "math_dcpm", "srss"), score, date. ORF is calibrated to
          Hasbrouck & Tindal (2017); observed fall-winter-spring
          correlations about 0.88/0.88/0.84. Math digits correct per minute
          use modelled quantiles placing most students of grades 2-5 in the
          Burns et al. (2006) instructional range. SRSS totals are modelled
          to give about 80/15/5% low/moderate/high.
        - ``outcomes`` -- end-of-year state test (invented scale, cut 300):
          student_id, subject, scale_score, proficient; fall ORF predicts
          reading proficiency with an AUC of about 0.8.
        - ``tiers`` -- student_id, season, tier, entry_date, exit_date.
        - ``progress`` -- weekly ORF probes (``progress_weeks`` of them,
          from the winter decision) for students in Tier 2/3 in winter.
        - ``interventions`` -- one row per student and intervention period:
          group, interventionist, planned/delivered sessions and minutes.
        - ``fidelity`` -- observation checklists (shape of
          :func:`mtss_teach.fidelity.checklist_fidelity`'s input): one
          observation per interventionist and period, six steps each.
        - ``behavior`` -- office discipline referrals: student_id, date,
          month, location, type (major/minor), problem, action. Majors per
          student follow the 0-1/2-5/6+ bands about 80/15/5%.
        - ``tfi`` -- one TFI v2.1 item sheet per school (school, item, tier,
          score 0/1/2).
        - ``truth`` -- the answer key: true ORF per season and true weekly
          growth of monitored students.

    Raises
    ------
    DataError
        Any bad argument (the message names it), an unknown scenario (the
        message lists the valid names) or an unknown override.

    Notes
    -----
    Vectorised throughout (no loop over students). One million students
    with ``tables=("students", "screening")`` take about 3x the time numpy
    needs to draw the same number of normal variates (18 per student) and
    about 550 MB at peak (``benchmarks/bench_cohorts.py``). Byte-identical
    output holds for the same NumPy release series; NumPy does not promise
    identical random streams across releases (NEP 19).

    Examples
    --------
    >>> from mtss_teach.cohorts import make_cohort
    >>> c = make_cohort(600, seed=1)
    >>> c
    Cohort(scenario='healthy', students=600, screening=5,400, outcomes=1,200, tiers=1,800, progress=2,060, interventions=308, fidelity=72, behavior=1,460, tfi=45, truth=600)
    >>> c.screening.head(3)
       student_id  grade season    measure  score       date
    0      100001      1   fall        orf     23 2025-09-08
    1      100001      1   fall  math_dcpm      9 2025-09-08
    2      100001      1   fall       srss      0 2025-09-08
    >>> make_cohort(10, seed=1, scenario="utopia")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: scenario: 'utopia' is not one of 'healthy', 'weak_tier1', 'disproportionate', 'low_fidelity'
    """
    n = check_number(n_students, "n_students", lo=1, hi=_MAX_STUDENTS, integer=True)
    seed = check_number(seed, "seed", lo=0, hi=2**53, integer=True)
    grades = _check_grades(grades)
    if n_schools is None:
        n_schools = max(1, int(round(n / _params()["demographics"]["students_per_school"])))
    n_schools = check_number(n_schools, "n_schools", lo=1, hi=n, integer=True)
    scenario = check_choice(scenario, "scenario", SCENARIOS)
    want = _check_tables(tables)
    knobs = _resolve_knobs(scenario, sem, overrides, grades)
    gen = _Generator(n, seed, grades, n_schools, scenario, knobs, want)
    out = gen.run()
    args = {
        "n_students": n, "seed": seed, "grades": list(grades), "n_schools": n_schools,
        "scenario": scenario, "sem": knobs["sem"],
        "overrides": {k: overrides[k] for k in sorted(overrides)},
        "tables": list(want),
    }
    params = {**args, "knobs": knobs}
    manifest = {
        "generator": "mtss_teach.cohorts.make_cohort",
        "generator_version": GENERATOR_VERSION,
        "arguments": args,
        "rows": {k: int(len(v)) for k, v in out.items()},
        "normal_draws": int(gen.draws.normals),
    }
    return Cohort(**out, params=params, manifest=manifest)
