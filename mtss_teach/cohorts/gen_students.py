"""Table builders: schools, grades, classrooms and the ``students`` table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .params import RACE_ETHNICITY, SEASONS, _FIRST_ID
from .quantiles import _pick
from .schema import _cat


def _letters(k: int) -> str:
    s = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(65 + r) + s
    return s


class _StudentsBuilder:
    """Schools, grades, classrooms and students.

    A mixin of the generator (:class:`~mtss_teach.cohorts.generator._Generator`): the methods
    read and set the generator's shared state.
    """

    # ---- schools, grades, classrooms ------------------------------------
    def _structure(self) -> None:
        n, G, S = self.n, len(self.grades), self.n_schools
        idx = np.arange(n)
        school = (idx * S) // n
        size = np.bincount(school, minlength=S)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        pos = idx - start[school]
        gi = (pos * G) // size[school]                       # even split over grades
        grade = np.asarray(self.grades)[gi]
        key = school * G + gi                                 # sorted by construction
        new = np.concatenate([[True], key[1:] != key[:-1]])
        grp = np.cumsum(new) - 1
        gstart = np.flatnonzero(new)
        gsize = np.diff(np.append(gstart, n))
        rank = idx - gstart[grp]
        csize = self.P["demographics"]["class_size"]
        ncls = -(-gsize // csize)
        coff = np.concatenate([[0], np.cumsum(ncls)[:-1]])
        cls = coff[grp] + rank % ncls[grp]
        w = max(2, len(str(S)))
        self.school_num = [f"{s + 1:0{w}d}" for s in range(S)]
        letters = [_letters(k) for k in range(int(ncls.max()))]
        labels = [
            f"{self.school_num[s]}-{gr}{letters[k]}"
            for s, gr, k0 in zip(school[gstart].tolist(), grade[gstart].tolist(), ncls.tolist())
            for k in range(k0)
        ]
        self.cls = cls                                        # class index (generation order)
        if ncls.max() <= 26:                                  # one letter: already sorted
            self.class_labels, self.cls_code = labels, cls
        else:
            order = np.argsort(np.array(labels, dtype=object), kind="stable")
            remap = np.empty_like(order)
            remap[order] = np.arange(len(order))
            self.class_labels = [labels[i] for i in order]
            self.cls_code = remap[cls]                        # code into sorted labels
        self.n_classes = len(labels)
        self.school, self.grade, self.school_size = school, grade, size
        self.ids = _FIRST_ID + idx
        rs = self.draws.stream("school")
        self.race = _pick(rs.random(n), list(self.P["demographics"]["race_ethnicity"].values()))
        self.female = rs.random(n) < self.P["demographics"]["female_share"]
        wg = self.k["weak_grade"]
        self.weak = (grade == wg) if wg is not None else np.zeros(n, dtype=bool)
        fg = self.k["focus_group"]
        self.focus = (self.race == RACE_ETHNICITY.index(fg)) if fg is not None else np.zeros(n, dtype=bool)

    def _shift(self, s: int) -> Any:
        v = self.k["weak_shift"][SEASONS[s]]
        return self.weak * v if (v and self.weak.any()) else 0.0

    def _students_table(self) -> pd.DataFrame:
        n = self.n
        return pd.DataFrame({
            "student_id": self.ids,
            "school": _cat(self.school, [f"School {s}" for s in self.school_num]),
            "grade": self.grade,
            "classroom": _cat(self.cls_code, self.class_labels),
            "race_ethnicity": _cat(self.race, RACE_ETHNICITY),
            "sex": _cat(np.where(self.female, 0, 1), ["female", "male"]),
            "english_learner": self.flags["english_learner"],
            "disability": self.flags["disability"],
            "free_reduced_lunch": self.flags["free_reduced_lunch"],
        }, index=pd.RangeIndex(n), copy=False)
