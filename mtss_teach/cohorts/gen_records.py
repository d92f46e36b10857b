"""Table builders: fidelity observations, office discipline referrals, the TFI and the answer key."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import fidelity as _fidelity
from .quantiles import _nb_thresholds, _pick
from .schema import _cat, _schema
from .school_calendar import _next_school_day


class _RecordsBuilder:
    """Fidelity observations, referrals, TFI sheets and the truth table.

    A mixin of the generator (:class:`~mtss_teach.cohorts.generator._Generator`): the methods
    read and set the generator's shared state.
    """

    # ---- fidelity observations --------------------------------------------
    def _fidelity_table(self) -> pd.DataFrame:
        fi, iv = self.P["fidelity"], self.P["interventions"]
        steps = _fidelity.checklist_instrument(fi["instrument"])["step"].tolist()
        st = self.draws.stream("fidelity")
        first = self.cal["first"]
        parts = []
        for r in self.iv_rows:
            # weekly sessions planned per interventionist = sum over their groups
            gfirst = np.flatnonzero(np.concatenate([[True], r["gnum"][1:] != r["gnum"][:-1]]))
            m = len(self.int_labels)
            spw = np.bincount(r["who"][gfirst], weights=r["spw"][gfirst], minlength=m)
            mpw = np.bincount(r["who"][gfirst], weights=(r["spw"] * r["mins"])[gfirst], minlength=m)
            obs = np.flatnonzero(spw > 0)
            day = _next_school_day(r["start"] + 14)
            week = int((day - first).astype("int64") // 7 + 1)
            adh = np.clip(self.adherence[obs] + 0.05 * st.normal(obs.size), 0.0, 1.0)
            dos = np.clip(self.dosage[obs] + 0.05 * st.normal(obs.size), 0.0, 1.0)
            done = st.random((obs.size, len(steps))) < adh[:, None]
            sp = spw[obs].astype(np.int64)
            sd = np.rint(sp * dos).astype(np.int64)
            mp = mpw[obs].astype(np.int64)
            md = np.rint(mp * dos).astype(np.int64)
            k = len(steps)
            parts.append(pd.DataFrame({
                "school": np.repeat(np.asarray([f"School {s}" for s in self.school_num], dtype=object)[self.int_school[obs]], k),
                "interventionist": np.repeat(np.asarray(self.int_labels, dtype=object)[obs], k),
                "week": np.full(obs.size * k, week, dtype=np.int64),
                "date": np.full(obs.size * k, day).astype("datetime64[s]"),
                "step": np.tile(np.asarray(steps, dtype=object), obs.size),
                "done": done.reshape(-1),
                "sessions_planned": np.repeat(sp, k),
                "sessions_delivered": np.repeat(sd, k),
                "minutes_planned": np.repeat(mp, k),
                "minutes_delivered": np.repeat(md, k),
            }, copy=False))
        if not parts:
            return pd.DataFrame({c: [] for c, _, _ in _schema("fidelity")})
        df = pd.concat(parts, ignore_index=True)
        # rows: by interventionist, then date, then checklist order
        step_code = df["step"].map({s: i for i, s in enumerate(steps)}).to_numpy()
        order = np.lexsort((step_code, df["date"].to_numpy(), df["interventionist"].to_numpy()))
        return df.iloc[order].reset_index(drop=True)

    # ---- behaviour --------------------------------------------------------
    def _behavior_table(self) -> pd.DataFrame:
        o = self.P["odr"]
        st = self.draws.stream("behavior")
        n = self.n
        rho = float(o["correlation_with_srss"]["value"])
        ms = float(o["male_shift"]["value"])
        sex = np.where(self.female, -1.0, 1.0)
        lat = (rho * self.b[1] + math.sqrt(1.0 - rho * rho) * st.normal(n) + ms * sex) / math.sqrt(1.0 + ms * ms)
        lat = lat + self.k["odr_shift"] * self.focus
        mj = o["majors"]
        majors = np.searchsorted(_nb_thresholds(mj["mean"], mj["dispersion"], mj["max_count"]), lat, side="right")
        mn = o["minors"]
        c = float(mn["latent_correlation"])
        lat2 = c * lat + math.sqrt(1.0 - c * c) * st.normal(n)
        minors = np.searchsorted(_nb_thresholds(mn["mean"], mn["dispersion"], mn["max_count"]), lat2, side="right")
        who = np.concatenate([np.repeat(np.arange(n), majors), np.repeat(np.arange(n), minors)])
        is_major = np.concatenate([np.ones(int(majors.sum()), bool), np.zeros(int(minors.sum()), bool)])
        m = who.size
        sd = self.cal["school_days"]
        beta = float(o["timing_power"]["value"])
        cum = (np.arange(1, sd.size + 1) / sd.size) ** beta  # constants only
        day = sd[np.minimum(np.searchsorted(cum, st.random(m), side="right"), sd.size - 1)]
        levels = dict((c_, lv) for c_, _, lv in _schema("behavior"))
        loc_levels = list(levels["location"])
        loc_codes = np.array([loc_levels.index(k) for k in o["location"]["shares"]])
        loc = loc_codes[_pick(st.random(m), list(o["location"]["shares"].values()))]
        prob_levels = list(levels["problem"])
        u = st.random(m)
        pm = np.array([prob_levels.index(k) for k in o["problem"]["major"]])[_pick(u, list(o["problem"]["major"].values()))]
        pn = np.array([prob_levels.index(k) for k in o["problem"]["minor"]])[_pick(u, list(o["problem"]["minor"].values()))]
        problem = np.where(is_major, pm, pn)
        act_levels = list(levels["action"])
        base = dict(o["action"]["major"])
        oss = "out-of-school suspension"
        p_oss = base[oss]
        p_f = min(0.95, p_oss * self.k["suspension_multiplier"])
        other = {k: v * (1.0 - p_f) / (1.0 - p_oss) for k, v in base.items() if k != oss}
        focus_tab = {**other, oss: p_f}
        codes_base = np.array([act_levels.index(k) for k in base])
        codes_focus = np.array([act_levels.index(k) for k in focus_tab])
        u = st.random(m)
        a_base = codes_base[_pick(u, list(base.values()))]
        a_focus = codes_focus[_pick(u, list(focus_tab.values()))]
        action = np.where(is_major, np.where(self.focus[who], a_focus, a_base), act_levels.index("teacher-managed"))
        order = np.lexsort((np.arange(m), day, who))
        who, day = who[order], day[order]
        month_levels = list(levels["month"])
        ym = day.astype("datetime64[M]")
        month = (ym - np.datetime64(month_levels[0], "M")).astype(np.int64)
        return pd.DataFrame({
            "student_id": self.ids[who],
            "date": day.astype("datetime64[s]"),
            "month": _cat(month, month_levels),
            "location": _cat(loc[order], loc_levels),
            "type": _cat(np.where(is_major[order], 0, 1), ["major", "minor"]),
            "problem": _cat(problem[order], prob_levels),
            "action": _cat(action[order], act_levels),
        }, copy=False)

    # ---- TFI --------------------------------------------------------------
    def _tfi_table(self) -> pd.DataFrame:
        items = _fidelity.tfi_items()
        item_ids, item_tier = items["item"].tolist(), items["tier"].to_numpy(dtype=np.int64)
        st = self.draws.stream("tfi")
        S, k = self.n_schools, len(item_ids)
        u = st.random((S, k))
        cum = np.array([np.cumsum(self.k[f"tfi_tier{t}"]) for t in (1, 2, 3)])[item_tier - 1]  # (k, 3)
        score = (u[:, :, None] >= cum[None, :, :2]).sum(axis=2)
        return pd.DataFrame({
            "school": np.repeat(np.asarray([f"School {s}" for s in self.school_num], dtype=object), k),
            "item": np.tile(np.asarray(item_ids, dtype=object), S),
            "tier": np.tile(item_tier, S),
            "score": score.reshape(-1).astype(np.int64),
        }, copy=False)

    # ---- truth --------------------------------------------------------------
    def _truth_table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "student_id": self.ids,
            "true_orf_fall": self._true_orf(0),
            "true_orf_winter": self._true_orf(1),
            "true_orf_spring": self._true_orf(2),
            "monitored": self.monitored,
            "growth_norm": self.growth_norm,
            "true_slope": self.true_slope,
        }, copy=False)
