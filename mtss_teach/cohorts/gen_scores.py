"""Table builders: reading, math and SRSS scores; the ``screening`` and ``outcomes`` tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .draws import _chol3, _correlated3
from .params import MEASURES, SEASONS
from .quantiles import _Bucketizer, _math_knots, _ndtri_lazy, _orf_knots, _qmap, _qmap_tables, _thresholds
from .schema import _cat
from .school_calendar import _to_s


class _ScoresBuilder:
    """Reading, math and behaviour-screening scores; screening and outcomes tables.

    A mixin of the generator (:class:`~mtss_teach.cohorts.generator._Generator`): the methods
    read and set the generator's shared state.
    """

    # ---- reading --------------------------------------------------------
    def _reading(self) -> None:
        o = self.P["orf"]
        tc = o["true_correlation"]
        icc = o["classroom_icc"]["value"]
        rel = o["reliability"]["value"]
        adj = lambda r: (r - icc) / (1.0 - icc)  # noqa: E731  (individual part)
        self.r_ind = (adj(tc["fall_winter"]), adj(tc["fall_spring"]), adj(tc["winter_spring"]))
        L = _chol3(*self.r_ind)
        st = self.draws.stream("orf")
        ceff = st.normal(self.n_classes)[self.cls]
        ind = _correlated3(st.normal((3, self.n)), L)
        a, b = math.sqrt(1.0 - icc), math.sqrt(icc)
        self.ind = ind
        self.z_true = [a * ind[s] + b * ceff for s in range(3)]  # unshifted, N(0, 1)
        E = st.normal((3, self.n))
        sr, se = math.sqrt(rel), math.sqrt(1.0 - rel)
        self.z_obs = [sr * self.z_true[s] + se * E[s] + self._shift(s) for s in range(3)]
        tabs = [_qmap_tables(_orf_knots()[:, s, :], o["lower_tail_slope"]["value"], o["upper_tail_slope"]["value"])
                for s in range(3)]
        self.orf_tabs = tabs
        gi = self.grade - 1
        hi = float(o["max_wcpm"]["value"])
        self.orf = [np.rint(_qmap(self.z_obs[s], gi, tabs[s], hi)).astype(np.int64) for s in range(3)]
        self.rel = rel

    def _true_orf(self, s: int) -> np.ndarray:
        hi = float(self.P["orf"]["max_wcpm"]["value"])
        z = math.sqrt(self.rel) * self.z_true[s] + self._shift(s)
        return np.round(_qmap(z, self.grade - 1, self.orf_tabs[s], hi), 2)

    def _flags(self) -> None:
        d = self.P["demographics"]
        st = self.draws.stream("flags")
        F = st.normal((3, self.n))
        zr = self.z_true[1]
        self.flags = {}
        for j, name in enumerate(("english_learner", "disability", "free_reduced_lunch")):
            lo = float(d["reading_loading"][name])
            share = float(d[f"{name}_share"])
            lat = lo * zr + math.sqrt(1.0 - lo * lo) * F[j]
            self.flags[name] = lat > _ndtri_lazy(1.0 - share)

    # ---- math -----------------------------------------------------------
    def _math(self) -> None:
        m = self.P["math_dcpm"]
        icc = self.P["orf"]["classroom_icc"]["value"]
        st = self.draws.stream("math")
        ceff = st.normal(self.n_classes)[self.cls]
        ind = _correlated3(st.normal((3, self.n)), _chol3(*self.r_ind))
        E = st.normal((3, self.n))
        rho, rel = float(m["correlation_with_reading"]), float(m["reliability"])
        a, b, c = math.sqrt(1.0 - icc), math.sqrt(icc), math.sqrt(1.0 - rho * rho)
        self.m_true = [rho * self.z_true[s] + c * (a * ind[s] + b * ceff) for s in range(3)]
        tabs = [_qmap_tables(_math_knots()[:, s, :], self.P["orf"]["lower_tail_slope"]["value"],
                             self.P["orf"]["upper_tail_slope"]["value"]) for s in range(3)]
        sr, se = math.sqrt(rel), math.sqrt(1.0 - rel)
        hi = float(m["max_dcpm"])
        self.dcpm = [
            np.rint(_qmap(sr * self.m_true[s] + se * E[s] + self._shift(s), self.grade - 1, tabs[s], hi)).astype(np.int64)
            for s in range(3)
        ]

    # ---- behaviour screening ---------------------------------------------
    def _srss(self) -> None:
        sp = self.P["srss"]
        c = sp["season_correlation"]
        st = self.draws.stream("srss")
        self.b = _correlated3(st.normal((3, self.n)), _chol3(c["fall_winter"], c["fall_spring"], c["winter_spring"]))
        bz = _Bucketizer(_thresholds(sp["pmf"]), -8.0, 8.0)
        self.srss = [bz(self.b[s]) for s in range(3)]

    def _screening_table(self) -> pd.DataFrame:
        n = self.n
        score = np.empty((n, 3, 3), dtype=np.int64)
        for s in range(3):
            score[:, s, 0] = self.orf[s]
            score[:, s, 1] = self.dcpm[s]
            score[:, s, 2] = self.srss[s]
        season = np.tile(np.repeat(np.arange(3, dtype=np.int8), 3), n)
        measure = np.tile(np.arange(3, dtype=np.int8), 3 * n)
        dates = _to_s(self.cal["screening"])
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 9),
            "grade": np.repeat(self.grade, 9),
            "season": _cat(season, SEASONS),
            "measure": _cat(measure, MEASURES),
            "score": score.reshape(-1),
            "date": np.tile(np.repeat(dates, 3), n),
        }, copy=False)

    def _outcomes_table(self) -> pd.DataFrame:
        o = self.P["outcomes"]
        st = self.draws.stream("outcomes")
        Y = st.normal((2, self.n))
        a = float(o["loading"])
        c = math.sqrt(1.0 - a * a)
        cut = float(_ndtri_lazy(1.0 - self.k["proficient_share"]))
        center, sd = float(o["scale_center"]), float(o["scale_sd"])
        score = np.empty((self.n, 2), dtype=np.int64)
        for j, lat in enumerate((self.z_true[2] + self._shift(2), self.m_true[2] + self._shift(2))):
            y = a * lat + c * Y[j]
            score[:, j] = np.clip(np.rint(center + sd * (y - cut)), o["scale_min"], o["scale_max"])
        flat = score.reshape(-1)
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 2),
            "subject": _cat(np.tile(np.arange(2), self.n), ["reading", "math"]),
            "scale_score": flat,
            "proficient": flat >= center,
        }, copy=False)
