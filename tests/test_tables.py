"""mtss_teach.tables.leader_table: plain names, percentages, no index, no raw dtype lines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtss_teach import DataError
from mtss_teach.tables import MISSING, leader_table


def test_renames_selects_and_formats():
    df = pd.DataFrame({"grade": [3, 4], "share": [0.855, 0.8], "n": [1200, 7], "hidden": ["a", "b"]})
    html = leader_table(df, {"grade": "Grade", "share": "Share in Tier 1", "n": "Students"},
                        percent=["share"]).to_html()
    assert "Share in Tier 1" in html and "hidden" not in html
    assert "85.5%" in html and "80.0%" in html and "1,200" in html
    assert "dtype" not in html and "<th" in html


def test_series_missing_and_booleans():
    s = pd.Series([0.25, np.nan], index=pd.Index(["A", "B"], name="School"), name="Risk")
    html = leader_table(s, decimals=2).to_html()
    assert "School" in html and "0.25" in html and MISSING in html
    html2 = leader_table(pd.DataFrame({"ok": [True, False]})).to_html()
    assert ">yes<" in html2.replace(" ", "") or "yes" in html2


def test_bad_arguments_named():
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(DataError, match="'b'"):
        leader_table(df, {"b": "B"})
    with pytest.raises(DataError, match="percent"):
        leader_table(df, percent=["z"])
    with pytest.raises(DataError, match="data"):
        leader_table([1, 2])


def test_blank_index_header():
    t = pd.DataFrame({"Tier 1 in spring": [3, 4]}, index=["Tier 1 in fall", "Tier 2 in fall"])
    styler = leader_table(t, index="")
    assert list(styler.data.columns) == ["", "Tier 1 in spring"]
    assert "group" not in styler.to_html()
