"""One public vocabulary: every label table covers what the core accepts, and has no copies.

The expected lists are written out by hand here (not read from the module
under test), so a rule, action, trend method or season added to the core
without a label -- or a label table copied into a chart, explorer, widget
or lesson -- fails this file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mtss_teach import charts, norms, progress
from mtss_teach.errors import DataError
from mtss_teach.formatting import sentence_case

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mtss_teach"

# What the core accepts, written out by hand.
RULES = {"four_point", "trend", "trend_ci"}
ACTIONS = {"raise_goal", "continue", "change_intervention", "collect_more_data"}
TREND_METHODS = {"ols", "tukey", "theil_sen", "endpoint"}
SEASONS = ("fall", "winter", "spring")


def test_the_core_accepts_what_this_file_expects():
    assert set(progress.RULES) == RULES
    assert set(progress.ACTIONS) == ACTIONS
    assert set(progress.TREND_METHODS) == TREND_METHODS
    assert tuple(norms.SEASONS) == SEASONS


@pytest.mark.parametrize("table,keys", [
    ("RULE_LABELS", RULES),
    ("ACTION_LABELS", ACTIONS),
    ("TREND_METHOD_LABELS", TREND_METHODS),
])
def test_every_label_table_covers_every_choice(table, keys):
    labels = getattr(progress, table)
    assert set(labels) == keys
    assert all(isinstance(v, str) and v.strip() == v and v for v in labels.values())
    assert len(set(labels.values())) == len(labels), "two choices share a label"


def test_the_labels_read_as_published():
    assert progress.RULE_LABELS == {"four_point": "four-point rule", "trend": "trend rule",
                                    "trend_ci": "trend rule with a confidence interval"}
    assert progress.ACTION_LABELS == {"raise_goal": "Raise the goal", "continue": "Keep the intervention going",
                                      "change_intervention": "Change the intervention",
                                      "collect_more_data": "Collect more data"}
    assert progress.TREND_METHOD_LABELS == {"ols": "ordinary least squares", "tukey": "Tukey split-middle",
                                            "theil_sen": "Theil-Sen", "endpoint": "endpoint slope"}
    assert sentence_case(progress.RULE_LABELS["trend_ci"]) == "Trend rule with a confidence interval"
    assert sentence_case(progress.TREND_METHOD_LABELS["theil_sen"]) == "Theil-Sen"


def test_old_import_paths_give_the_one_table():
    from mtss_teach.widgets.aimline import ACTION_LABELS as app_labels

    assert charts.ACTION_LABELS is progress.ACTION_LABELS
    assert app_labels is progress.ACTION_LABELS


SPELLINGS = {
    "fall": "fall", "Fall": "fall", " autumn ": "fall", "BOY": "fall", "beginning of year": "fall",
    "winter": "winter", "MOY": "winter", "Middle of Year": "winter",
    "spring": "spring", "eoy": "spring", "end of year": "spring",
}


@pytest.mark.parametrize("spelling,season", sorted(SPELLINGS.items()))
def test_one_season_table_for_norms_and_exports(spelling, season):
    import pandas as pd

    from mtss_teach.io import read_screening

    assert norms.normalize_season(spelling) == season
    # orf_norm and read_screening agree on every spelling (grade 2, 50th percentile:
    # Hasbrouck & Tindal 2017 publish 50 / 84 / 100 WCPM).
    assert norms.orf_norm(2, spelling, 50) == {"fall": 50, "winter": 84, "spring": 100}[season]
    got = read_screening(pd.DataFrame({"student_id": ["0001"], "grade": [2], "season": [spelling],
                                       "score": [60]}), measure="orf")
    assert got.data["season"].astype(str).tolist() == [season]


@pytest.mark.parametrize("bad", ["summer", "fall winter", "", "q1", 3, None])
def test_unknown_seasons_are_refused_by_both(bad):
    import pandas as pd

    from mtss_teach.io import read_screening

    with pytest.raises(DataError, match="season"):
        norms.normalize_season(bad)
    if isinstance(bad, str) and bad:
        got = read_screening(pd.DataFrame({"student_id": ["0001"], "grade": [2], "season": [bad],
                                           "score": [60]}), measure="orf")
        assert len(got.data) == 0
        assert "season" in got.rejected.to_string()


# ---------------------------------------------------------------------------
# No copies: no other module spells a label table of its own
# ---------------------------------------------------------------------------

OWNERS = {"progress.py": ("RULE_LABELS", "ACTION_LABELS", "TREND_METHOD_LABELS"), "norms.py": ("SEASON_ALIASES",)}
LABEL_WORDS = {
    # every label, lower case, as it is spelled today or was spelled in a copy
    *(v.lower() for v in ("four-point rule", "trend rule with a confidence interval", "trend rule with a 95% interval",
                          "Raise the goal", "Keep the intervention going", "Change the intervention",
                          "Collect more data", "ordinary least squares", "OLS regression", "Tukey split-middle",
                          "Theil-Sen", "endpoint slope", "Endpoint (first to last)")),
}
CHOICE_SETS = {"rule": RULES, "action": ACTIONS, "trend method": TREND_METHODS,
               "season alias": {"boy", "moy", "eoy"}}


def _copies(path: Path) -> list[str]:
    """String literals equal to a label, and dict literals keyed by a whole set of choices."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.strip().lower() in LABEL_WORDS:
                found.append(f"{path.name}:{node.lineno} spells the label {node.value!r}")
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            for what, choices in CHOICE_SETS.items():
                # a label is short; a dict of longer texts keyed by action (a self-check's
                # explanations) is not a label table
                if choices <= keys and all(isinstance(v, ast.Constant) and isinstance(v.value, str)
                                           and len(v.value) <= 40 for v in node.values):
                    found.append(f"{path.name}:{node.lineno} has its own {what} label table")
    return found


def test_no_module_but_the_owner_spells_a_label():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        if path.parent == PKG and path.name in OWNERS:
            continue
        found += _copies(path)
    assert not found, "\n".join(found)


def test_the_owners_hold_the_tables():
    assert _copies(PKG / "progress.py") and _copies(PKG / "norms.py")


def test_the_copy_check_sees_a_copy(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text('LABELS = {"four_point": "Four-point rule", "trend": "Trend rule", "trend_ci": "x"}\n'
                   'OK = {"ols": 1}\nX = "Keep the intervention going"\n')
    assert len(_copies(bad)) == 3  # the table, the label inside it, the stray label


def _code_cells(path: Path):
    """(first line number, source) of each code cell of a lesson (prose may quote a label)."""
    cell, start = None, 0
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```{code-cell}"):
            cell, start = [], i + 1
        elif line.startswith("```") and cell is not None:
            yield start, "\n".join("" if ln.startswith((":", "%")) else ln for ln in cell)
            cell = None
        elif cell is not None:
            cell.append(line)


def test_no_lesson_spells_a_label_in_code(tmp_path):
    found, cells = [], 0
    for lesson in sorted(ROOT.glob("modules/*/lesson.md")):
        for start, src in _code_cells(lesson):
            cells += 1
            f = tmp_path / f"{lesson.parent.name}_line{start}.py"
            f.write_text(src, encoding="utf-8")
            found += _copies(f)
    assert cells > 50  # the lessons were read
    assert not found, "\n".join(found)
