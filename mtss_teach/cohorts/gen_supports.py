"""Table builders: tiers, interventions and progress monitoring."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import norms as _norms
from .params import SEASONS, _PCTS
from .quantiles import _orf_knots, _z_knots
from .schema import _cat, _schema
from .school_calendar import _school_days_between, _to_s


class _SupportsBuilder:
    """Tiers, interventionists and interventions, progress monitoring.

    A mixin of the generator (:class:`~mtss_teach.cohorts.generator._Generator`): the methods
    read and set the generator's shared state.
    """

    # ---- tiers ----------------------------------------------------------
    def _status_codes(self, s: int, c2: float) -> np.ndarray:
        """0 at/above the tier-2 cut ``c2``, 1 below it, 2 below the tier-3 cut."""
        t = self.P["tiers"]
        c3 = float(t["tier3_percentile"]["value"])
        code = np.zeros(self.n, dtype=np.int8)
        for g in self.grades:
            m = self.grade == g
            if not m.any():
                continue
            sc = self.orf[s][m]
            if g == 1 and SEASONS[s] == "fall":
                # no published grade 1 fall norm: rank against the modelled
                # quantiles with the same interpolation rule as the norms
                w = _orf_knots()[0, 0, :]
                pct = np.interp(sc, w, _PCTS)
                code[m] = np.where(sc < w[0], 2, np.where(pct < c2, 1, 0))
                continue
            st = _norms.benchmark_status(sc, g, SEASONS[s], system="percentile", cuts=(c3, c2))
            code[m] = np.where(st == "well_below", 2, np.where(st == "below", 1, 0))
        return code

    def _tiers(self) -> None:
        rel = self.rel
        sp = self.draws.stream("prior")
        r = float(self.P["orf"]["true_correlation"]["prior_spring_fall"])
        prior_true = r * self.z_true[0] + math.sqrt(1.0 - r * r) * sp.normal(self.n)
        prior_obs = math.sqrt(rel) * prior_true + math.sqrt(1.0 - rel) * sp.normal(self.n)
        prev_wb = prior_obs < _z_knots()[0]
        tiers = np.empty((self.n, 3), dtype=np.int64)
        c2 = float(self.P["tiers"]["tier2_percentile"]["value"])
        fc = self.k["focus_tier2_percentile"]
        for s in range(3):
            code = self._status_codes(s, c2)
            if self.focus.any() and fc is not None and fc != c2:
                code = np.where(self.focus, self._status_codes(s, fc), code)
            wb = code == 2
            tiers[:, s] = np.where(wb & prev_wb, 3, np.where(code >= 1, 2, 1))
            prev_wb = wb
        if self.focus.any() and self.k["tier3_bias"] > 0:
            u = self.draws.stream("tiers").random(self.n)
            biased = (self.focus & (u < self.k["tier3_bias"]))[:, None]
            tiers = np.where(biased & (tiers == 2), 3, tiers)
        self.tier = tiers

    def _tiers_table(self) -> pd.DataFrame:
        T = self.tier
        dec = _to_s(self.cal["decision"])
        entry = np.empty(T.shape, dtype="datetime64[s]")
        exitd = np.full(T.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        entry[:, 0] = dec[0]
        for s in (1, 2):
            entry[:, s] = np.where(T[:, s] == T[:, s - 1], entry[:, s - 1], dec[s])
        for s in (1, 0):
            exitd[:, s] = np.where(T[:, s + 1] != T[:, s], dec[s + 1], exitd[:, s + 1])
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 3),
            "season": _cat(np.tile(np.arange(3), self.n), SEASONS),
            "tier": T.reshape(-1),
            "entry_date": entry.reshape(-1),
            "exit_date": exitd.reshape(-1),
        }, copy=False)

    # ---- interventionists and interventions -----------------------------
    def _staff(self) -> None:
        iv = self.P["interventions"]
        n_int = np.maximum(2, -(-self.school_size // int(iv["students_per_interventionist"])))
        self.n_int = n_int
        self.int_off = np.concatenate([[0], np.cumsum(n_int)[:-1]])
        labels = [f"{self.school_num[s]}-I{k + 1}" for s in range(self.n_schools) for k in range(int(n_int[s]))]
        self.int_labels = labels
        self.int_school = np.repeat(np.arange(self.n_schools), n_int)
        st = self.draws.stream("interventions")
        lo = float(self.P["fidelity"]["min_share"])
        m = len(labels)
        self.adherence = np.clip(self.k["adherence_mean"] + self.k["adherence_sd"] * st.normal(m), lo, 1.0)
        self.dosage = np.clip(self.k["dosage_mean"] + self.k["dosage_sd"] * st.normal(m), lo, 1.0)
        self.iv_stream = st

    def _period(self, s: int) -> tuple[np.datetime64, np.datetime64]:
        dec = self.cal["decision"]
        start = dec[s]
        end = dec[s + 1] - 1 if s < 2 else self.cal["last"]
        return start, end

    def _interventions(self) -> None:
        iv = self.P["interventions"]
        st = self.iv_stream
        rows = []
        for s in range(3):
            mem = np.flatnonzero(self.tier[:, s] >= 2)
            if mem.size == 0:
                continue
            tier = self.tier[mem, s]
            order = np.lexsort((self.ids[mem], self.orf[s][mem], tier, self.grade[mem], self.school[mem]))
            mem, tier = mem[order], tier[order]
            sch, gr = self.school[mem], self.grade[mem]
            run_new = np.concatenate([[True], (sch[1:] != sch[:-1]) | (gr[1:] != gr[:-1]) | (tier[1:] != tier[:-1])])
            run = np.cumsum(run_new) - 1
            run_start = np.flatnonzero(run_new)
            rank = np.arange(mem.size) - run_start[run]
            gmax = np.where(tier == 3, iv["tier3"]["max_group"], iv["tier2"]["max_group"])
            gin = rank // gmax
            gnew = run_new | (rank % gmax == 0)
            gnum = np.cumsum(gnew) - 1
            sch_new = np.concatenate([[True], sch[1:] != sch[:-1]])
            first_g = gnum[np.flatnonzero(sch_new)]
            sch_run = np.cumsum(sch_new) - 1
            ordinal = gnum - first_g[sch_run]
            who = self.int_off[sch] + ordinal % self.n_int[sch]
            start, end = self._period(s)
            days = _school_days_between(start, end)
            spw = np.where(tier == 3, iv["tier3"]["sessions_per_week"], iv["tier2"]["sessions_per_week"])
            mins = np.where(tier == 3, iv["tier3"]["minutes"], iv["tier2"]["minutes"])
            planned = np.rint(days * spw / 5.0).astype(np.int64)
            att = np.clip(iv["attendance_mean"] + iv["attendance_sd"] * st.normal(mem.size), 0.5, 1.0)
            delivered = np.minimum(planned, np.rint(planned * self.dosage[who] * att).astype(np.int64))
            gidx = np.flatnonzero(gnew)
            letter = SEASONS[s][0].upper()
            glabel = [f"{self.school_num[sch[i]]}-{letter}-{gr[i]}-T{tier[i]}-{gin[i] + 1:02d}" for i in gidx]
            rows.append({
                "s": s, "mem": mem, "tier": tier, "gnum": gnum, "glabels": glabel, "who": who,
                "start": start, "end": end, "planned": planned, "delivered": delivered, "mins": mins, "spw": spw,
            })
        self.iv_rows = rows

    def _interventions_table(self) -> pd.DataFrame:
        if not self.iv_rows:
            return pd.DataFrame({c: [] for c, _, _ in _schema("interventions")})
        parts = []
        for r in self.iv_rows:
            k = r["mem"].size
            parts.append(pd.DataFrame({
                "student_id": self.ids[r["mem"]],
                "season": np.full(k, SEASONS[r["s"]], dtype=object),
                "tier": r["tier"],
                "group": np.asarray(r["glabels"], dtype=object)[r["gnum"] - r["gnum"][0]],
                "interventionist": np.asarray(self.int_labels, dtype=object)[r["who"]],
                "start_date": np.full(k, r["start"]).astype("datetime64[s]"),
                "end_date": np.full(k, r["end"]).astype("datetime64[s]"),
                "sessions_planned": r["planned"],
                "sessions_delivered": r["delivered"],
                "minutes_per_session": r["mins"],
                "minutes_planned": r["planned"] * r["mins"],
                "minutes_delivered": r["delivered"] * r["mins"],
            }, copy=False))
        df = pd.concat(parts, ignore_index=True)
        season_code = df["season"].map({s: i for i, s in enumerate(SEASONS)}).to_numpy()
        order = np.lexsort((season_code, df["student_id"].to_numpy()))
        return df.iloc[order].reset_index(drop=True)

    # ---- progress monitoring ----------------------------------------------
    def _growth_norms(self) -> np.ndarray:
        gn = np.zeros(7)
        g1 = str(self.P["progress"]["grade1_growth_measure"]["value"])
        for g in self.grades:
            gn[g] = _norms.typical_growth(g, g1) if g == 1 else _norms.typical_growth(g, "orf")
        return gn

    def _progress(self) -> None:
        pr, fi = self.P["progress"], self.P["fidelity"]
        w = [r for r in self.iv_rows if r["s"] == 1]
        self.monitored = np.zeros(self.n, dtype=bool)
        self.true_slope = np.full(self.n, np.nan)
        self.growth_norm = np.full(self.n, np.nan)
        self.true_level = np.full(self.n, np.nan)
        self.monitor_who = np.zeros(self.n, dtype=np.int64)
        if not w:
            self.prog_mem = np.zeros(0, dtype=np.int64)
            self.prog_who = np.zeros(0, dtype=np.int64)
            return
        r = w[0]
        order = np.argsort(r["mem"], kind="stable")
        mem = r["mem"][order]
        who = r["who"][order]
        share = r["delivered"][order] / np.maximum(r["planned"][order], 1)
        rho = self.r_ind[2]
        innov = (self.ind[2][mem] - rho * self.ind[1][mem]) / math.sqrt(1.0 - rho * rho)
        gn = self._growth_norms()[self.grade[mem]]
        mult = (self.adherence[who] / float(fi["adherence_ref"])) * (share / float(fi["dosage_ref"]))
        slope = np.round(gn * mult + float(pr["slope_sd"]["value"]) * innov, 2)
        level = self._true_orf(1)[mem]
        self.prog_mem, self.prog_who = mem, who
        self.monitored[mem] = True
        self.true_slope[mem] = slope
        self.growth_norm[mem] = gn
        self.true_level[mem] = level

    def _progress_table(self) -> pd.DataFrame:
        mem = self.prog_mem
        k = int(self.k["progress_weeks"])
        days = self.cal["probe_days"][:k]
        weeks = ((days - days[0]).astype("int64") // 7).astype(np.int64)
        st = self.draws.stream("progress")
        E = st.normal((mem.size, k))
        hi = float(self.P["orf"]["max_wcpm"]["value"])
        true = self.true_level[mem][:, None] + self.true_slope[mem][:, None] * weeks[None, :]
        score = np.clip(np.rint(true + self.k["sem"] * E), 0, hi).astype(np.int64)
        return pd.DataFrame({
            "student_id": np.repeat(self.ids[mem], k),
            "week": np.tile(weeks, mem.size),
            "date": np.tile(_to_s(days), mem.size),
            "measure": _cat(np.zeros(mem.size * k, dtype=np.int8), ["orf"]),
            "score": score.reshape(-1),
            "interventionist": np.repeat(np.asarray(self.int_labels, dtype=object)[self.prog_who], k),
        }, copy=False)
