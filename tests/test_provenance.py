"""The evidence chain stays inside the project.

Every table the library ships carries, on each row, the public source it
comes from, the year and an evidence tag; nothing the project ships points
at the team's private working notes or at a path on a build machine.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "mtss_teach" / "data"
#: Evidence tags: S read in the source; S2 secondary source only; derived
#: computed from an S fact; model a modelling choice of the developers;
#: CHECK not confirmed (shipped only behind a note); EXAMPLE an illustrative
#: instrument written for the course, not a published one.
TAGS = {"S", "S2", "derived", "model", "CHECK", "EXAMPLE"}
#: Tables that are not facts from the field (the data dictionary of the synthetic cohorts).
NOT_EVIDENCE = {"cohort_dictionary.csv"}


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines() if line]


@pytest.mark.parametrize("path", sorted(p for p in DATA.glob("*.csv") if p.name not in NOT_EVIDENCE),
                         ids=lambda p: p.name)
def test_every_row_of_a_shipped_table_has_source_year_and_tag(path):
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("source", "year", "tag"):
        assert column in table.columns, f"{path.name}: no {column!r} column"
        empty = table.index[table[column].str.strip() == ""].tolist()
        assert not empty, f"{path.name}: rows {[i + 2 for i in empty]} have no {column}"
    assert set(table["tag"]) <= TAGS, f"{path.name}: unknown tags {set(table['tag']) - TAGS}"
    years = table["year"].str.strip()
    assert years.str.fullmatch(r"(19|20)\d\d(-\d\d)?|n\.d\.").all(), f"{path.name}: a year is not a year or n.d."


def test_nothing_shipped_cites_the_working_note_or_a_build_machine():
    shipped = [p for p in _tracked("mtss_teach", "book", "modules", "datasets", "apps", "deploy", "README.md", "docs")
               if p.suffix in {".py", ".md", ".csv", ".yml", ".yaml", ".json", ".ipynb", ".bib", ".txt"}]
    assert len(shipped) > 50
    pattern = re.compile(r"MTSS_REFERENCE|/work/|/root/")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in shipped
            for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
            if pattern.search(line)]
    assert not hits, "cite the public primary source instead:\n" + "\n".join(hits[:40])
