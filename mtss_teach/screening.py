"""Universal screening: classification accuracy, ROC, AUC, cut scores, shares.

Direction is always explicit. For every function here,
``risk_when="below"`` flags a student when ``score < cut`` (the CBM case:
low scores mean risk) and ``risk_when="above"`` flags when ``score > cut``
(for example a behaviour rating where high means risk). "At risk" is the
positive class of the 2x2 table:

====================  ==========================  ==========================
                      at risk (criterion yes)     not at risk
====================  ==========================  ==========================
flagged by screener   TP                          FP
not flagged           FN                          TN
====================  ==========================  ==========================

sensitivity = TP/(TP+FN), specificity = TN/(TN+FP), PPV = TP/(TP+FP),
NPV = TN/(TN+FN), accuracy = (TP+TN)/N, base rate = (TP+FN)/N. A ratio
whose denominator is 0 is NaN, never an exception.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    as_binary_array,
    as_float_array,
    check_choice,
    check_number,
    check_same_length,
    restore,
)
from .errors import DataError
from ._packagedata import read_table as _read
from ._validate import check_grade as _grade

__all__ = [
    "ClassificationAccuracy",
    "TierShares",
    "AucInterval",
    "auc_interval",
    "core_effectiveness",
    "core_expectation",
    "classification_accuracy",
    "roc_curve",
    "auc",
    "cut_for_sensitivity",
    "ncii_rating",
    "ncii_bands",
    "tier_shares",
    "place_tiers",
    "classwide_problem",
    "math_instructional_level",
    "math_instructional_table",
    "DCPM_MAX",
]

#: Library sanity bound on digits correct per minute (a data-entry check, not a norm).
DCPM_MAX = 200.0


def _direction(risk_when: Any) -> str:
    return check_choice(risk_when, "risk_when", ("below", "above"))


def _div(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _scores_and_flags(scores: Any, at_risk: Any) -> tuple[np.ndarray, np.ndarray]:
    s, _ = as_float_array(scores, "scores")
    y, _ = as_binary_array(at_risk, "at_risk")
    check_same_length(scores=s, at_risk=y)
    return s, y


@dataclass(frozen=True)
class ClassificationAccuracy:
    """The 2x2 table of a screener at one cut, and its ratios.

    Undefined ratios (0/0) are NaN. ``cut`` and ``risk_when`` record the
    rule used: flagged when ``score < cut`` ("below") or ``score > cut``
    ("above").

    Examples
    --------
    >>> from mtss_teach.screening import classification_accuracy
    >>> ca = classification_accuracy([10, 20, 30, 40], [1, 1, 0, 0], cut=25)
    >>> ca.as_series()[["tp", "fp", "sensitivity"]].tolist()
    [2, 0, 1.0]
    """

    tp: int
    fp: int
    tn: int
    fn: int
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    accuracy: float
    base_rate: float
    cut: float
    risk_when: str

    @property
    def n(self) -> int:
        """Number of students."""
        return self.tp + self.fp + self.tn + self.fn

    def as_series(self) -> pd.Series:
        """All fields as a pandas Series (object dtype, fields in order)."""
        return pd.Series(asdict(self), dtype=object)

    def to_frame(self) -> pd.DataFrame:
        """All fields as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


def classification_accuracy(
    scores: Any, at_risk: Any, cut: float, risk_when: str = "below"
) -> ClassificationAccuracy:
    """Classification accuracy of a screening cut against a criterion.

    Parameters
    ----------
    scores : list, numpy array or pandas Series
        Screening scores, one per student (finite numbers, no NaN).
    at_risk : list, numpy array or pandas Series
        Criterion outcome per student: True/1 = at risk, False/0 = not.
    cut : float
        Cut score.
    risk_when : {"below", "above"}, default "below"
        Flag when ``score < cut`` ("below") or ``score > cut`` ("above").
        A score equal to the cut is never flagged.

    Returns
    -------
    ClassificationAccuracy
        ``tp, fp, tn, fn, sensitivity, specificity, ppv, npv, accuracy,
        base_rate, cut, risk_when``.

    References
    ----------
    Johnson, E. S., Jenkins, J. R., Petscher, Y., & Catts, H. W. (2009).
    How can we improve the accuracy of screening instruments? *Learning
    Disabilities Research & Practice*, 24(4), 174-185 (``johnson2009``).

    VanDerHeyden, A. M., & Witt, J. C. (2005). Quantifying context in
    assessment: Capturing the effect of base rates on teacher referral and
    a problem-solving model of identification. *School Psychology Review*,
    34(2), 161-183 (``vanderheyden2005``).

    Examples
    --------
    >>> from mtss_teach.screening import classification_accuracy
    >>> ca = classification_accuracy([40, 55, 60, 80, 90], [1, 1, 0, 1, 0], cut=70)
    >>> ca.tp, ca.fp, ca.tn, ca.fn
    (2, 1, 1, 1)
    >>> round(ca.sensitivity, 3), ca.specificity, round(ca.ppv, 3)
    (0.667, 0.5, 0.667)
    """
    direction = _direction(risk_when)
    c = check_number(cut, "cut")
    s, y = _scores_and_flags(scores, at_risk)
    flagged = (s < c) if direction == "below" else (s > c)
    n = s.size
    n_pos = int(np.count_nonzero(y))
    n_flag = int(np.count_nonzero(flagged))
    tp = int(np.count_nonzero(flagged & y))
    fp = n_flag - tp
    fn = n_pos - tp
    tn = n - n_pos - fp
    return ClassificationAccuracy(
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        sensitivity=_div(tp, tp + fn),
        specificity=_div(tn, tn + fp),
        ppv=_div(tp, tp + fp),
        npv=_div(tn, tn + fn),
        accuracy=_div(tp + tn, n),
        base_rate=_div(tp + fn, n),
        cut=c,
        risk_when=direction,
    )


def _grouped(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct sorted scores with at-risk / not-at-risk counts per value."""
    order = np.argsort(s, kind="stable")
    ss = s[order]
    ys = y[order]
    starts = np.flatnonzero(np.concatenate(([True], ss[1:] != ss[:-1])))
    n_g = np.diff(np.append(starts, ss.size))
    pos_g = np.add.reduceat(ys.astype(np.int64), starts) if ss.size else np.zeros(0, np.int64)
    return ss[starts], pos_g, n_g - pos_g


def roc_curve(scores: Any, at_risk: Any, risk_when: str = "below") -> pd.DataFrame:
    """Accuracy at every candidate cut (one row per distinct cut).

    The candidate cuts are every distinct observed score plus one cut that
    flags everybody: ``+inf`` for ``risk_when="below"`` (flag ``score <
    cut``) or ``-inf`` for ``"above"`` (flag ``score > cut``). A cut equal
    to an observed score flags the students strictly beyond it, exactly as
    :func:`classification_accuracy` with that cut. The curve therefore
    runs from "nobody flagged" (sensitivity 0, specificity 1) to
    "everybody flagged" (sensitivity 1, specificity 0).

    Parameters
    ----------
    scores, at_risk : array-like
        As in :func:`classification_accuracy`.
    risk_when : {"below", "above"}, default "below"

    Returns
    -------
    pandas.DataFrame
        Sorted by ``cut`` ascending, columns ``cut, tp, fp, tn, fn,
        flagged, sensitivity, specificity, ppv, npv``. Ratios with a zero
        denominator are NaN.

    References
    ----------
    Hanley, J. A., & McNeil, B. J. (1982). The meaning and use of the area
    under a receiver operating characteristic (ROC) curve. *Radiology*,
    143, 29-36 (``hanley1982``).

    Examples
    --------
    >>> from mtss_teach.screening import roc_curve
    >>> roc_curve([10, 20, 20, 30], [1, 1, 0, 0])[["cut", "tp", "fp", "sensitivity", "specificity"]]
        cut  tp  fp  sensitivity  specificity
    0  10.0   0   0          0.0          1.0
    1  20.0   1   0          0.5          1.0
    2  30.0   2   1          1.0          0.5
    3   inf   2   2          1.0          0.0
    """
    direction = _direction(risk_when)
    s, y = _scores_and_flags(scores, at_risk)
    u, pos_g, neg_g = _grouped(s, y)
    P, N = int(pos_g.sum()), int(neg_g.sum())
    cum_pos = np.concatenate(([0], np.cumsum(pos_g)))
    cum_neg = np.concatenate(([0], np.cumsum(neg_g)))
    if direction == "below":
        cuts = np.append(u, np.inf)
        tp, fp = cum_pos, cum_neg  # flagged: score < cut = groups before it
    else:
        cuts = np.concatenate(([-np.inf], u))
        tp, fp = P - cum_pos, N - cum_neg  # flagged: score > cut = groups after it
    fn, tn = P - tp, N - fp
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(
            {
                "cut": cuts,
                "tp": tp,
                "fp": fp,
                "tn": tn,
                "fn": fn,
                "flagged": tp + fp,
                "sensitivity": np.where(P > 0, tp / max(P, 1), np.nan),
                "specificity": np.where(N > 0, tn / max(N, 1), np.nan),
                "ppv": np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), np.nan),
                "npv": np.where(tn + fn > 0, tn / np.maximum(tn + fn, 1), np.nan),
            }
        )
    return out


def auc(scores: Any, at_risk: Any, risk_when: str = "below") -> float:
    """Area under the ROC curve, with ties counting one half.

    The probability that a random at-risk student looks riskier than a
    random not-at-risk student (lower score for ``"below"``, higher for
    ``"above"``), ties counting 1/2 -- the Mann-Whitney U statistic
    divided by ``n_at_risk * n_not``. Computed from one sort: O(n log n).

    Returns NaN when everybody, or nobody, is at risk (undefined).

    References
    ----------
    Hanley, J. A., & McNeil, B. J. (1982). The meaning and use of the area
    under a receiver operating characteristic (ROC) curve. *Radiology*,
    143, 29-36 (``hanley1982``).

    Examples
    --------
    >>> from mtss_teach.screening import auc
    >>> auc([10, 20, 20, 30], [1, 1, 0, 0])   # pairs: (10,20)=1, (10,30)=1, (20,20)=.5, (20,30)=1
    0.875
    """
    direction = _direction(risk_when)
    s, y = _scores_and_flags(scores, at_risk)
    _, pos_g, neg_g = _grouped(s, y)
    P, N = int(pos_g.sum()), int(neg_g.sum())
    if P == 0 or N == 0:
        return float("nan")
    neg_before = np.cumsum(neg_g) - neg_g
    if direction == "below":
        riskier = N - neg_before - neg_g  # not-at-risk students with a higher score
    else:
        riskier = neg_before  # not-at-risk students with a lower score
    u_stat = float(np.dot(pos_g, riskier) + 0.5 * np.dot(pos_g, neg_g))
    return u_stat / (float(P) * float(N))


def cut_for_sensitivity(
    scores: Any,
    at_risk: Any,
    target: float,
    risk_when: str = "below",
    return_row: bool = False,
) -> Any:
    """The cut reaching a target sensitivity with the best specificity.

    Among the :func:`roc_curve` cuts with ``sensitivity >= target``, the
    one with the highest specificity; ties go to the higher sensitivity
    (which makes the choice unique).

    Parameters
    ----------
    scores, at_risk : array-like
    target : float
        Target sensitivity, in (0, 1].
    risk_when : {"below", "above"}, default "below"
    return_row : bool, default False
        False: return the cut (float). True: return the whole
        :func:`roc_curve` row (pandas Series with ``cut, tp, fp, tn, fn,
        flagged, sensitivity, specificity, ppv, npv``).

    Returns
    -------
    float or pandas.Series
        The cut, to be used as ``score < cut`` ("below") or ``score > cut``
        ("above"). It may be ``inf`` / ``-inf`` when only flagging
        everybody reaches the target.

    Raises
    ------
    DataError
        If no student is at risk (sensitivity undefined).

    References
    ----------
    Compton, D. L., Fuchs, D., Fuchs, L. S., & Bryant, J. D. (2006).
    Selecting at-risk readers in first grade for early intervention: A
    two-year longitudinal study of decision rules and procedures. *Journal
    of Educational Psychology*, 98(2), 394-409 (``compton2006``).

    Johnson, E. S., Jenkins, J. R., Petscher, Y., & Catts, H. W. (2009).
    How can we improve the accuracy of screening instruments? *Learning
    Disabilities Research & Practice*, 24(4), 174-185 (``johnson2009``).

    Examples
    --------
    >>> from mtss_teach.screening import cut_for_sensitivity
    >>> cut_for_sensitivity([10, 20, 30, 40, 50], [1, 1, 0, 1, 0], target=0.6)
    30.0
    >>> cut_for_sensitivity([10, 20, 30, 40, 50], [1, 1, 0, 1, 0], target=1.0)
    50.0
    """
    t = check_number(target, "target", lo=0, hi=1, lo_open=True)
    if not isinstance(return_row, (bool, np.bool_)):
        raise DataError(f"return_row: expected True or False, got {return_row!r}")
    curve = roc_curve(scores, at_risk, risk_when)
    if curve["sensitivity"].isna().all():
        raise DataError("at_risk: no student is at risk, so sensitivity is undefined")
    ok = curve[curve["sensitivity"] >= t]
    best = ok.sort_values(["specificity", "sensitivity"], ascending=False, kind="stable").iloc[0]
    return best.copy() if return_row else float(best["cut"])


def ncii_bands() -> pd.DataFrame:
    """The NCII classification-accuracy rating minimums (package data).

    References
    ----------
    National Center on Intensive Intervention (n.d.). American Institutes
    for Research (``ncii_nd``).

    Examples
    --------
    >>> from mtss_teach.screening import ncii_bands
    >>> ncii_bands()[["rating", "auc_lower_min", "sensitivity_min", "specificity_min"]]
      rating  auc_lower_min  sensitivity_min  specificity_min
    0   full           0.75              0.7              0.7
    1   half           0.70              0.6              0.6
    """
    return _read("ncii_rating.csv").copy()


def ncii_rating(auc_lower: Any, sensitivity: Any, specificity: Any) -> Any:
    """NCII behaviour-screening chart rating: "full", "half" or "empty".

    "full": AUC lower confidence bound >= .75 and sensitivity >= .70 and
    specificity >= .70. "half": AUC lower bound >= .70 and sensitivity >=
    .60 and specificity >= .60, and not full. Otherwise "empty".

    **Policy for the gap in the published bands.** The published half band
    reads "AUC lower bound >= .70 and < .75", which leaves a tool with AUC
    >= .75 but sensitivity or specificity in .60-.69 unrated. This library
    rates it "half": it meets every half minimum, and a better AUC should
    not earn a worse rating. (Minimums from ``ncii_rating.csv``.)

    Parameters
    ----------
    auc_lower, sensitivity, specificity : float or array-like
        Proportions in [0, 1]; arrays of one length. ``auc_lower`` is the
        lower bound of the AUC's 95% interval (``auc_interval(...).lower``),
        not the AUC itself.

    Returns
    -------
    str, or numpy array / pandas Series of str (shape of ``auc_lower``)

    References
    ----------
    National Center on Intensive Intervention (n.d.). American Institutes
    for Research (``ncii_nd``).

    Examples
    --------
    >>> from mtss_teach.screening import ncii_rating
    >>> ncii_rating(0.80, 0.72, 0.75)
    'full'
    >>> ncii_rating(0.80, 0.65, 0.90)   # the gap case: AUC >= .75, sensitivity .60-.69
    'half'
    >>> ncii_rating(0.69, 0.95, 0.95)
    'empty'
    """
    a, shape = as_float_array(auc_lower, "auc_lower", lo=0, hi=1, what="value")
    se, _ = as_float_array(sensitivity, "sensitivity", lo=0, hi=1, what="value")
    sp, _ = as_float_array(specificity, "specificity", lo=0, hi=1, what="value")
    check_same_length(auc_lower=a, sensitivity=se, specificity=sp)
    b = _read("ncii_rating.csv").set_index("rating")
    out = np.full(a.shape, "empty", dtype=object)
    for rating in ("half", "full"):  # full overrides half
        r = b.loc[rating]
        meets = (a >= r["auc_lower_min"]) & (se >= r["sensitivity_min"]) & (sp >= r["specificity_min"])
        out[meets] = rating
    return restore(out, shape)


@dataclass(frozen=True)
class TierShares:
    """Students per tier, beside the 80/15/5 convention -- a description, not a verdict.

    ``tier1_convention`` is the convention's Tier 1 share (about 80%) and
    ``tier1_vs_convention`` the placement share minus it (``share1 -
    tier1_convention``; negative when fewer students are in Tier 1). Neither
    judges the core: the team's own cut decides who is placed in Tier 1, so
    core health is judged by outcomes
    (:func:`core_effectiveness`).

    Examples
    --------
    >>> from mtss_teach.screening import tier_shares
    >>> tier_shares([1] * 8 + [2, 3]).to_frame()
       tier  count  share
    0     1      8    0.8
    1     2      1    0.1
    2     3      1    0.1
    """

    n: int
    tier1: int
    tier2: int
    tier3: int
    share1: float
    share2: float
    share3: float
    tier1_convention: float
    tier1_vs_convention: float

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per tier with ``tier, count, share``."""
        return pd.DataFrame(
            {
                "tier": [1, 2, 3],
                "count": [self.tier1, self.tier2, self.tier3],
                "share": [self.share1, self.share2, self.share3],
            }
        )


def tier_shares(tiers: Any, tier1_convention: float = 0.80) -> TierShares:
    """Share of students placed in each tier, beside the 80/15/5 convention.

    The 80/15/5 convention (about 80% of students served by Tier 1 alone,
    15% Tier 2, 5% Tier 3) is a planning rule of thumb found in secondary
    sources, kept configurable. It describes how support is spread; it is
    not a test of core (Tier 1) health, because the team's own cut decides
    the placement share -- a lower cut puts more students in Tier 1 without
    teaching anyone better. Judge the core by outcomes with
    :func:`core_effectiveness`. So the result gives the placement share's
    distance from the convention (``tier1_vs_convention = share1 -
    tier1_convention``) and no "meets" verdict.

    Parameters
    ----------
    tiers : list, numpy array or pandas Series
        Each student's tier: 1, 2 or 3.
    tier1_convention : float, default 0.80
        The convention's Tier 1 share (0 to 1).

    Returns
    -------
    TierShares

    Examples
    --------
    >>> from mtss_teach.screening import tier_shares
    >>> ts = tier_shares([1, 1, 1, 2, 3])
    >>> ts.share1, ts.tier1_convention, round(ts.tier1_vs_convention, 2)
    (0.6, 0.8, -0.2)
    """
    e = check_number(tier1_convention, "tier1_convention", lo=0, hi=1)
    t, _ = as_float_array(tiers, "tiers", lo=1, hi=3, integer=True, what="tier")
    counts = np.bincount(t.astype(np.intp), minlength=4)[1:4]
    n = int(t.size)
    shares = counts / n
    return TierShares(
        n=n,
        tier1=int(counts[0]),
        tier2=int(counts[1]),
        tier3=int(counts[2]),
        share1=float(shares[0]),
        share2=float(shares[1]),
        share3=float(shares[2]),
        tier1_convention=e,
        tier1_vs_convention=float(shares[0]) - e,
    )


def classwide_problem(scores: Any, frustrational_below: float) -> bool:
    """Is there a classwide problem? More than half the class is frustrational.

    VanDerHeyden's rule: when more than half of the class scores in the
    frustrational range (``score < frustrational_below``), start with a
    classwide intervention before individual Tier 2 decisions. Exactly
    half is *not* a classwide problem.

    Parameters
    ----------
    scores : list, numpy array or pandas Series
        One class's scores (non-negative, no NaN).
    frustrational_below : float
        The frustrational criterion, e.g. the bottom of the instructional
        range for the grade (see :func:`math_instructional_level`).

    Returns
    -------
    bool

    References
    ----------
    VanDerHeyden, A. M., Witt, J. C., & Gilbertson, D. (2007). A
    multi-year evaluation of the effects of a response to intervention
    (RTI) model on identification of children for special education.
    *Journal of School Psychology*, 45(2), 225-256 (``vanderheyden2007``).

    Burns, M. K., VanDerHeyden, A. M., & Jiban, C. L. (2006). Assessing
    the instructional level for mathematics: A comparison of methods.
    *School Psychology Review*, 35(3) (``burns2006``).

    Examples
    --------
    >>> from mtss_teach.screening import classwide_problem
    >>> classwide_problem([10, 12, 13, 30, 40], frustrational_below=14)   # 3 of 5
    True
    >>> classwide_problem([10, 12, 30, 40], frustrational_below=14)       # 2 of 4: exactly half
    False
    """
    f = check_number(frustrational_below, "frustrational_below")
    s, _ = as_float_array(scores, "scores", lo=0)
    return bool(2 * int(np.count_nonzero(s < f)) > s.size)


def math_instructional_table() -> pd.DataFrame:
    """Math CBM instructional ranges (digits correct per minute), grades 2-5.

    References
    ----------
    Burns, M. K., VanDerHeyden, A. M., & Jiban, C. L. (2006). Assessing
    the instructional level for mathematics: A comparison of methods.
    *School Psychology Review*, 35(3) (``burns2006``).

    Examples
    --------
    >>> from mtss_teach.screening import math_instructional_table
    >>> math_instructional_table()[["grade", "instructional_low", "instructional_high"]].to_numpy().tolist()
    [[2, 14, 31], [3, 14, 31], [4, 24, 49], [5, 24, 49]]
    """
    return _read("math_instructional.csv").copy()


_MATH_LABELS = np.array(["frustrational", "instructional", "mastery"], dtype=object)


def math_instructional_level(dcpm: Any, grade: int) -> Any:
    """Math CBM level: "frustrational", "instructional" or "mastery".

    Burns, VanDerHeyden & Jiban (2006): the instructional range is 14-31
    digits correct per minute in grades 2-3 and 24-49 in grades 4-5
    (inclusive); below is frustrational, above is mastery. Other grades
    raise :class:`~mtss_teach.DataError`.

    Parameters
    ----------
    dcpm : scalar, list, numpy array or pandas Series
        Digits correct per minute, 0-200 (library sanity bound).
    grade : int
        2-5.

    Returns
    -------
    str, numpy array of str or pandas Series (shape of ``dcpm``)

    References
    ----------
    Burns, M. K., VanDerHeyden, A. M., & Jiban, C. L. (2006). Assessing
    the instructional level for mathematics: A comparison of methods.
    *School Psychology Review*, 35(3) (``burns2006``).

    Examples
    --------
    >>> from mtss_teach.screening import math_instructional_level
    >>> math_instructional_level([13, 14, 31, 32], 3).tolist()
    ['frustrational', 'instructional', 'instructional', 'mastery']
    """
    t = _read("math_instructional.csv")
    g = _grade(
        grade,
        sorted(int(x) for x in t["grade"]),
        " (Burns, VanDerHeyden & Jiban 2006 give instructional ranges for grades 2-5 only)",
    )
    row = t[t["grade"] == g].iloc[0]
    x, shape = as_float_array(dcpm, "dcpm", lo=0, hi=DCPM_MAX, what="digits-correct score")
    idx = (x >= row["instructional_low"]).astype(np.intp) + (x > row["instructional_high"])
    return restore(_MATH_LABELS[idx], shape)


def place_tiers(
    scores: Any,
    grade: int,
    season: str,
    *,
    tier3_below: float,
    tier2_below: float,
    exit_at: float | None = None,
    previous_tiers: Any = None,
) -> pd.DataFrame:
    """Sort students into Tiers 1, 2 and 3 by a team's written entry and exit criteria.

    The criteria are percentiles of the Hasbrouck & Tindal (2017) oral
    reading fluency norms, each score ranked as
    :func:`mtss_teach.norms.benchmark_status` (``system="percentile"``)
    ranks it:

    * **entry**: Tier 3 when the score is below the ``tier3_below``
      percentile, Tier 2 when below ``tier2_below``, otherwise Tier 1;
    * **exit** (only with ``previous_tiers``): a student supported last
      season (Tier 2 or 3) returns to Tier 1 when the score is at or above
      the ``exit_at`` percentile, and otherwise stays supported: Tier 2 at
      least, Tier 3 when the entry rule says so. A student in Tier 1 last
      season, or with no record (missing), is placed by the entry rule.

    Parameters
    ----------
    scores : array-like
        ORF scores, words correct per minute, one per student.
    grade : int
        Grade, 1-6 (grade 1 has no fall norm).
    season : {"fall", "winter", "spring"}
    tier3_below, tier2_below : float
        Entry percentiles, ``10 <= tier3_below < tier2_below <= 90`` (the
        published range).
    exit_at : float, optional
        Exit percentile, above ``tier3_below`` and at most 90; required
        with ``previous_tiers``.
    previous_tiers : array-like, optional
        Each student's tier last season (1, 2 or 3; missing = no record),
        same length as ``scores``. Without it only the entry rule applies.

    Returns
    -------
    pandas.DataFrame
        One row per score, in order: ``score``, ``entry_tier`` (the entry
        rule alone), ``supported`` (Tier 2 or 3 last season), ``exits``
        (supported and at or above the exit percentile) and ``tier`` (the
        placement).

    Raises
    ------
    DataError
        Cuts out of order or out of range, ``previous_tiers`` without
        ``exit_at``, lengths that differ, a tier other than 1-3, or a score
        :func:`~mtss_teach.norms.benchmark_status` refuses.

    References
    ----------
    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.screening import place_tiers
    >>> # grade 3 winter: 10th percentile 62 WCPM, 25th 79, 50th 97 (Hasbrouck & Tindal 2017)
    >>> out = place_tiers([61, 70, 90, 90, 97], 3, "winter", tier3_below=10, tier2_below=25,
    ...                   exit_at=50, previous_tiers=[3, 1, 1, 2, 2])
    >>> out["tier"].tolist()
    [3, 2, 1, 2, 1]
    """
    from . import norms

    t3 = check_number(tier3_below, "tier3_below", lo=10, hi=90)
    t2 = check_number(tier2_below, "tier2_below", lo=10, hi=90)
    if not t3 < t2:
        raise DataError(f"tier3_below: the Tier 3 percentile ({t3:g}) must be below the Tier 2 percentile ({t2:g})")
    s, _ = as_float_array(scores, "scores")
    entry = np.asarray(norms.support_tier(np.asarray(
        norms.benchmark_status(s, grade, season, system="percentile", cuts=(t3, t2)), dtype=object)),
        dtype=np.int64)
    supported = np.zeros(s.size, dtype=bool)
    exits = np.zeros(s.size, dtype=bool)
    tier = entry.copy()
    if previous_tiers is not None:
        if exit_at is None:
            raise DataError("exit_at: give the exit percentile together with previous_tiers")
        ex = check_number(exit_at, "exit_at", lo=10, hi=90)
        if not t3 < ex:
            raise DataError(f"exit_at: the exit percentile ({ex:g}) must be above the Tier 3 percentile ({t3:g})")
        prev, _ = as_float_array(previous_tiers, "previous_tiers", lo=1, hi=3, integer=True, allow_nan=True,
                                 what="tier")
        check_same_length(scores=s, previous_tiers=prev)
        status = np.asarray(norms.benchmark_status(s, grade, season, system="percentile", cuts=(t3, ex)),
                            dtype=object)
        supported = np.nan_to_num(prev, nan=1.0) >= 2
        exits = supported & (status == "at")
        tier = np.where(supported, np.where(exits, 1, np.maximum(entry, 2)), entry)
    elif exit_at is not None:
        check_number(exit_at, "exit_at", lo=10, hi=90)
    return pd.DataFrame({"score": s, "entry_tier": entry, "supported": supported, "exits": exits,
                         "tier": tier.astype(np.int64)})


@dataclass(frozen=True)
class AucInterval:
    """An AUC with its standard error and confidence interval.

    ``lower`` is the number NCII's screening charts rate on (see
    :func:`ncii_rating`). ``note`` explains a NaN interval (too few
    students in a group); it is empty otherwise.

    Examples
    --------
    >>> from mtss_teach.screening import auc_interval
    >>> ci = auc_interval([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 0])
    >>> round(ci.auc, 3), ci.method
    (0.889, 'delong')
    """

    auc: float
    se: float
    lower: float
    upper: float
    level: float
    method: str
    n_at_risk: int
    n_not: int
    note: str = ""

    def as_series(self) -> pd.Series:
        """All fields as a pandas Series (object dtype, fields in order)."""
        return pd.Series(asdict(self), dtype=object)


def _normal_quantile(p: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(p))


def auc_interval(
    scores: Any,
    at_risk: Any,
    risk_when: str = "below",
    level: float = 0.95,
    method: str = "delong",
) -> AucInterval:
    """The AUC with its standard error and (by default 95%) confidence interval.

    NCII rates a screener's classification accuracy on the *lower bound*
    of the AUC's 95% interval, not on the AUC itself: feed ``lower`` to
    :func:`ncii_rating`.

    ``method="delong"`` (default) is the nonparametric variance of DeLong,
    DeLong & Clarke-Pearson (1988): each at-risk student's placement value
    ``V10`` is the share of not-at-risk students they look riskier than
    (ties one half), each not-at-risk student's ``V01`` the share of
    at-risk students who look riskier than them; ``SE^2 = var(V10) / m +
    var(V01) / n`` (sample variances, ``m`` at-risk and ``n`` not-at-risk
    students). ``method="hanley_mcneil"`` uses Hanley & McNeil's (1982)
    formula ``SE^2 = (A(1-A) + (m-1)(Q1-A^2) + (n-1)(Q2-A^2)) / (m n)``,
    ``Q1 = A/(2-A)``, ``Q2 = 2A^2/(1+A)``.

    The interval is ``AUC +/- z * SE`` (``z`` the normal quantile for
    ``level``; 1.96 for 95%), clipped to [0, 1]. With fewer than two
    students in either group the interval is NaN and ``note`` says why.

    Parameters
    ----------
    scores, at_risk : array-like
        As in :func:`classification_accuracy`.
    risk_when : {"below", "above"}, default "below"
    level : float, default 0.95
        Confidence level, in (0, 1).
    method : {"delong", "hanley_mcneil"}, default "delong"

    Returns
    -------
    AucInterval
        ``auc, se, lower, upper, level, method, n_at_risk, n_not, note``.

    References
    ----------
    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area
    under a receiver operating characteristic (ROC) curve. *Radiology*,
    143, 29-36 (``hanley1982``).

    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing
    the areas under two or more correlated receiver operating
    characteristic curves: a nonparametric approach. *Biometrics*, 44,
    837-845 (``delong1988``).

    Examples
    --------
    Hanley & McNeil's (1982) Table 1 ratings (1 = definitely normal ... 5 =
    definitely abnormal; 58 normal and 51 abnormal images; they report an
    area of 0.893 with SE 0.032):

    >>> from mtss_teach.screening import auc_interval
    >>> rating = [1, 2, 3, 4, 5] * 2
    >>> counts = [33, 6, 6, 11, 2, 3, 2, 2, 11, 33]
    >>> abnormal = [0] * 5 + [1] * 5
    >>> scores = [r for r, c in zip(rating, counts) for _ in range(c)]
    >>> flags = [a for a, c in zip(abnormal, counts) for _ in range(c)]
    >>> ci = auc_interval(scores, flags, risk_when="above", method="hanley_mcneil")
    >>> round(ci.auc, 3), round(ci.se, 3), round(ci.lower, 3)
    (0.893, 0.032, 0.829)
    """
    direction = _direction(risk_when)
    lv = check_number(level, "level", lo=0, hi=1, lo_open=True)
    if lv >= 1:
        raise DataError(f"level: {lv:g} is out of range; it must be below 1")
    how = check_choice(method, "method", ("delong", "hanley_mcneil"))
    s, y = _scores_and_flags(scores, at_risk)
    _, pos_g, neg_g = _grouped(s, y)
    m, n = int(pos_g.sum()), int(neg_g.sum())
    a = auc(s, y, direction)
    nan = float("nan")
    if m < 2 or n < 2:
        note = (f"too few students for an interval: {m} at risk and {n} not at risk "
                "(at least 2 of each are needed)")
        return AucInterval(a, nan, nan, nan, lv, how, m, n, note)
    if how == "hanley_mcneil":
        q1 = a / (2 - a)
        q2 = 2 * a * a / (1 + a)
        var = (a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n)
    else:
        neg_before = np.cumsum(neg_g) - neg_g
        pos_before = np.cumsum(pos_g) - pos_g
        if direction == "below":  # riskier = lower score
            v10 = (n - neg_before - neg_g + 0.5 * neg_g) / n  # per score group, for at-risk students
            v01 = (pos_before + 0.5 * pos_g) / m  # per score group, for not-at-risk students
        else:
            v10 = (neg_before + 0.5 * neg_g) / n
            v01 = (m - pos_before - pos_g + 0.5 * pos_g) / m
        s10 = (np.dot(pos_g, (v10 - a) ** 2)) / (m - 1)
        s01 = (np.dot(neg_g, (v01 - a) ** 2)) / (n - 1)
        var = s10 / m + s01 / n
    se = float(np.sqrt(max(var, 0.0)))
    z = _normal_quantile(0.5 + lv / 2)
    return AucInterval(
        auc=a,
        se=se,
        lower=float(max(0.0, a - z * se)),
        upper=float(min(1.0, a + z * se)),
        level=lv,
        method=how,
        n_at_risk=m,
        n_not=n,
    )


def core_expectation() -> pd.DataFrame:
    """The core-effectiveness expectation (about 80%) with its source (package data).

    References
    ----------
    Center on Multi-Tiered System of Supports (n.d.). *Essential
    components of MTSS*. American Institutes for Research
    (``centermtss_nd``).

    National Center on Intensive Intervention (n.d.). American Institutes
    for Research (``ncii_nd``).

    Examples
    --------
    >>> from mtss_teach.screening import core_expectation
    >>> float(core_expectation()["expected_share"].iloc[0])
    0.8
    """
    return _read("core_expectation.csv").copy()


def _group_keys(by: Any, n: int) -> pd.DataFrame:
    if by is None:
        return pd.DataFrame({"group": np.full(n, "all", dtype=object)})
    if isinstance(by, pd.Series):
        keys = by.reset_index(drop=True).to_frame(name=by.name if by.name is not None else "group")
    elif isinstance(by, pd.DataFrame):
        keys = by.reset_index(drop=True).copy()
    elif isinstance(by, dict):
        keys = pd.DataFrame({k: list(v) for k, v in by.items()})
    else:
        raise DataError("by: expected None, a pandas Series, a DataFrame of group columns "
                        f"or a dict of columns, got {type(by).__name__}")
    if keys.shape[1] == 0:
        raise DataError("by: no group columns given")
    if len(keys) != n:
        raise DataError(f"length mismatch: by has {len(keys)} rows, met_goal has {n} values")
    for col in keys.columns:
        missing = keys[col].isna().to_numpy()
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise DataError(f"by: column {col!r} is empty at position {i}; every student needs a group")
    return keys


def core_effectiveness(
    met_goal: Any,
    tiers: Any,
    by: Any = None,
    expectation: float | None = None,
) -> pd.DataFrame:
    """Is core (Tier 1) instruction effective? Judged by outcomes, per group.

    Core effectiveness is the share of *all* students who meet the
    benchmark or outcome goal **with core instruction alone**: students who
    met the goal and never needed more than Tier 1, divided by every
    student in the group. About 80% is the usual expectation (Center on
    MTSS; NCII framing; see :func:`core_expectation`).

    The share of students *placed* in Tier 1 is reported beside it
    (``share_tier1``) but never judges the core: the team's own cut
    decides it, so a generous cut makes any core look healthy. Read the
    two together -- many students in Tier 1 while few meet the goal means
    the cut is too low or the goal too high, not a healthy core.

    Parameters
    ----------
    met_goal : array-like of bool / 0-1
        Did the student meet the benchmark or outcome goal (for example the
        state test's proficiency, or spring benchmark status "at" or
        "above")? No missing values: a student without an outcome has to be
        left out by the caller, visibly.
    tiers : array-like of 1, 2, 3
        The most intensive tier the student received in the period (1 =
        core instruction alone).
    by : None, pandas Series, DataFrame or dict of columns, optional
        Group keys, one row per student (e.g. ``students[["school",
        "grade"]]``). None gives one row for everyone (``group = "all"``).
    expectation : float, optional
        The share that counts as effective; default from
        :func:`core_expectation` (0.80).

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by the keys), with the key columns and
        ``n`` (students), ``met_goal`` (students meeting the goal),
        ``met_goal_core_alone`` (meeting it in Tier 1 alone), ``tier1``
        (students placed in Tier 1 only), ``share_met_goal``,
        ``share_core_effective`` (= met_goal_core_alone / n, the core
        effectiveness), ``share_tier1`` (placement share, for comparison),
        ``expectation`` and ``core_effective`` (bool:
        ``share_core_effective >= expectation``).

    References
    ----------
    Center on Multi-Tiered System of Supports (n.d.). *Essential
    components of MTSS*. American Institutes for Research
    (``centermtss_nd``).

    National Center on Intensive Intervention (n.d.). American Institutes
    for Research (``ncii_nd``).

    Examples
    --------
    Nine of ten students are in Tier 1, but only six of them meet the goal:

    >>> from mtss_teach.screening import core_effectiveness
    >>> met = [1, 1, 1, 1, 1, 1, 0, 0, 0, 1]
    >>> tiers = [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    >>> row = core_effectiveness(met, tiers).iloc[0]
    >>> float(row["share_tier1"]), float(row["share_core_effective"]), bool(row["core_effective"])
    (0.9, 0.6, False)
    """
    met, _ = as_binary_array(met_goal, "met_goal")
    t, _ = as_float_array(tiers, "tiers", lo=1, hi=3, integer=True, what="tier")
    check_same_length(met_goal=met, tiers=t)
    if expectation is None:
        e = float(core_expectation()["expected_share"].iloc[0])
    else:
        e = check_number(expectation, "expectation", lo=0, hi=1)
    keys = _group_keys(by, met.size)
    cols = list(keys.columns)
    frame = keys.assign(
        _met=met.astype(np.int64),
        _t1=(t == 1).astype(np.int64),
        _both=(met & (t == 1)).astype(np.int64),
    )
    out = (
        frame.groupby(cols, sort=True, observed=True)
        .agg(n=("_met", "size"), met_goal=("_met", "sum"),
             met_goal_core_alone=("_both", "sum"), tier1=("_t1", "sum"))
        .reset_index()
    )
    out["share_met_goal"] = out["met_goal"] / out["n"]
    out["share_core_effective"] = out["met_goal_core_alone"] / out["n"]
    out["share_tier1"] = out["tier1"] / out["n"]
    out["expectation"] = e
    out["core_effective"] = out["share_core_effective"] >= e
    return out
