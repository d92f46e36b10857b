"""The one set of number-writing rules (mtss_teach.formatting).

Every expected string is written by hand from the rule in the module's
docstring; none is produced by the code under test.
"""

from __future__ import annotations

import ast
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from mtss_teach import formatting as f

PKG = Path(__file__).resolve().parents[1] / "mtss_teach"


@pytest.mark.parametrize("x,digits,want", [
    (1.5, 2, "1.5"), (2.0, 2, "2"), (-0.25, 2, "-0.25"), (1.2345, 2, "1.23"), (1.236, 2, "1.24"),
    (0.0, 2, "0"), (-0.001, 2, "0"), (-0.0, 2, "0"), (120.0, 0, "120"), (100.0, 2, "100"), (99.999, 2, "100"),
    (2.5, 4, "2.5"), (1 / 3, 4, "0.3333"), (7, 4, "7"), (np.float64(1.1), 1, "1.1"), (np.int64(3), 2, "3"),
    (1234.5, 1, "1234.5"),
])
def test_number(x, digits, want):
    assert f.number(x, digits) == want


@pytest.mark.parametrize("x", [None, float("nan"), np.nan, math.inf, -math.inf])
def test_number_missing(x):
    assert f.number(x) == "n/a"
    assert f.number(x, missing="") == ""
    assert f.fixed(x) == "n/a"
    assert f.percent(x) == "n/a"
    assert f.count(x, missing="not computed") == "not computed"


@pytest.mark.parametrize("x,digits,thousands,want", [
    (0.5, 2, False, "0.50"), (5 / 6, 3, False, "0.833"), (1.0, 3, False, "1.000"), (1234.5, 1, True, "1,234.5"),
    (1234567.891, 2, True, "1,234,567.89"), (1234.5, 1, False, "1234.5"), (-0.5, 2, False, "-0.50"),
])
def test_fixed(x, digits, thousands, want):
    assert f.fixed(x, digits, thousands=thousands) == want


@pytest.mark.parametrize("x,want", [(1234, "1,234"), (12.0, "12"), (12.6, "13"), (0, "0"), (np.int64(1000000), "1,000,000")])
def test_count(x, want):
    assert f.count(x) == want


@pytest.mark.parametrize("share,digits,trim,want", [
    (0.4875, 1, False, "48.8%"),   # 48.75 in binary is 48.7500000000000000 or just above: rounds up
    (0.49, 0, False, "49%"),       # a share of 0.49 is forty-nine percent, never "0.49%"
    (0.49, 1, False, "49.0%"),
    (0.6425, 0, False, "64%"),
    (5 / 6, 1, False, "83.3%"),
    (1.0, 0, False, "100%"),
    (0.0, 1, False, "0.0%"),
    (0.8, 1, False, "80.0%"),
    (0.8, 1, True, "80%"),
    (0.125, 1, True, "12.5%"),
    (0.15, 2, True, "15%"),
    (1 / 3, 1, True, "33.3%"),
    (0.0049, 1, False, "0.5%"),
])
def test_percent(share, digits, trim, want):
    assert f.percent(share, digits, trim=trim) == want


def test_percent_multiplies_by_100_once():
    # A number already on the 0-100 scale is not a share: the formatter does not guess.
    assert f.percent(49) == "4900.0%"
    assert f.number(49) + "%" == "49%"


@pytest.mark.parametrize("bad", ["12", "abc", [1.0], {}])
def test_not_a_number_raises_rather_than_hiding(bad):
    with pytest.raises((TypeError, ValueError)):
        f.number(bad)
    with pytest.raises((TypeError, ValueError)):
        f.percent(bad)


def test_decimal_input_is_a_number():
    assert f.number(Decimal("2.50")) == "2.5"


@pytest.mark.parametrize("x,want", [(0.1 + 0.2, "0.3"), (2.0, "2"), (1e-5, "1e-05"), (1 / 3, "0.3333333333"),
                                    (123456789012, "1.23456789e+11")])
def test_machine(x, want):
    assert f.machine(x) == want


@pytest.mark.parametrize("text,want", [("four-point rule", "Four-point rule"), ("Theil-Sen", "Theil-Sen"),
                                       ("trend rule with a confidence interval", "Trend rule with a confidence interval"),
                                       ("ordinary least squares", "Ordinary least squares"), ("", ""), ("a", "A")])
def test_sentence_case(text, want):
    assert f.sentence_case(text) == want


def test_callers_use_it():
    """The old private formatters are gone; the modules that had one import formatting."""
    old = {"_fmt_rate", "_pct", "fmt_number", "fmt_proportion"}
    users = ["progress.py", "norms.py", "lms.py", "selfcheck.py", "tables.py", "charts.py", "widgets/_html.py"]
    defined = []
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in old:
                defined.append(f"{path.relative_to(PKG)}:{node.lineno} {node.name}")
    assert not defined, defined
    for name in users:
        assert "formatting" in (PKG / name).read_text(encoding="utf-8"), name
    assert (PKG / "explorers").is_dir() or "formatting" in (PKG / "explorers.py").read_text(encoding="utf-8")


def test_app_and_table_formatters_follow_the_rules():
    from mtss_teach.tables import leader_table
    from mtss_teach.widgets._base import fmt

    assert (fmt(5 / 6, "prop"), fmt(5 / 6, "pct"), fmt(1234.4, "int"), fmt(1.50), fmt(None)) == (
        "0.833", "83.3%", "1,234", "1.5", "n/a")
    assert (fmt(math.inf), fmt(-math.inf), fmt("<b>")) == ("all", "none", "&lt;b&gt;")
    import pandas as pd

    html = leader_table(pd.DataFrame({"n": [1234], "share": [0.4875], "x": [float("nan")]}),
                        percent=["share"], decimals=1).to_html()
    for cell in (">1,234<", ">48.8%<", ">not computed<"):
        assert cell in html
