"""Tests for mtss_teach.datasets and the committed datasets/ folder."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach import datasets as ds
from mtss_teach.cohorts import GENERATOR_VERSION, TABLES, Cohort, data_dictionary, make_cohort
from mtss_teach.fidelity import tfi_scores
from mtss_teach.norms import benchmark_status

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
NAMES = ["district_small", "healthy", "weak_tier1", "disproportionate", "low_fidelity"]


def test_list_datasets():
    d = ds.list_datasets()
    assert d["name"].tolist() == NAMES
    assert list(d.columns) == ["name", "description", "n_students", "n_schools", "scenario", "seed"]
    assert d.loc[d["name"] == "district_small", ["n_students", "n_schools"]].values.tolist() == [[1200, 2]]
    assert set(d["scenario"]) == {"healthy", "weak_tier1", "disproportionate", "low_fidelity"}
    assert d["description"].str.len().gt(40).all()


@pytest.mark.parametrize("name", NAMES)
def test_load_equals_the_generator(name):
    """The committed CSVs, read back, are exactly make_cohort(**arguments)."""
    c = ds.load(name)
    assert isinstance(c, Cohort)
    args = ds.list_datasets().set_index("name").loc[name]
    fresh = make_cohort(int(args["n_students"]), int(args["seed"]), n_schools=int(args["n_schools"]),
                        scenario=args["scenario"])
    assert list(c.tables()) == list(TABLES)
    for t, df in fresh.tables().items():
        pd.testing.assert_frame_equal(getattr(c, t), df, check_exact=True)
    assert len(c.students) == args["n_students"]
    assert c.students["school"].nunique() == args["n_schools"]


def test_load_one_table_and_errors():
    scr = ds.load("healthy", "screening")
    pd.testing.assert_frame_equal(scr, ds.load("healthy").screening)
    with pytest.raises(DataError, match="district_small, healthy, weak_tier1, disproportionate, low_fidelity"):
        ds.load("big_city")
    with pytest.raises(DataError, match="table"):
        ds.load("healthy", "grades")
    with pytest.raises(DataError, match="valid names"):
        ds.load(3)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=12))
def test_unknown_names_always_list_valid_names(name):
    if name.strip() in NAMES:
        return
    with pytest.raises(DataError) as e:
        ds.load(name)
    assert all(n in str(e.value) for n in NAMES)


def test_wheel_install_regenerates_in_memory(monkeypatch, tmp_path):
    monkeypatch.setattr(ds, "_REPO_DATASETS", tmp_path / "absent")
    assert ds.datasets_folder() is None
    mem = ds.load("low_fidelity")
    monkeypatch.undo()
    disk = ds.load("low_fidelity")
    for t, df in disk.tables().items():
        pd.testing.assert_frame_equal(getattr(mem, t), df, check_exact=True)
    # the in-memory copy cannot be changed through a returned table
    monkeypatch.setattr(ds, "_REPO_DATASETS", tmp_path / "absent")
    x = ds.load("low_fidelity", "students")
    x.loc[0, "grade"] = 99
    assert ds.load("low_fidelity", "students").loc[0, "grade"] != 99


def test_committed_datasets_regenerate_exactly():
    assert ds.regenerate(check=True) == []
    proc = subprocess.run([sys.executable, "-m", "mtss_teach.datasets", "regenerate", "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reproduced exactly" in proc.stdout


def test_check_fails_when_a_file_differs_or_is_missing(tmp_path):
    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy)
    p = copy / "healthy" / "screening.csv"
    lines = p.read_text().splitlines(keepends=True)
    lines[5] = lines[5].replace(",", ";", 1)
    p.write_text("".join(lines))
    (copy / "weak_tier1" / "tfi.csv").unlink()
    (copy / "healthy" / "extra.csv").write_text("a\n1\n")
    problems = ds.regenerate(copy, check=True)
    assert problems == ["not made by the generator: healthy/extra.csv", "differs: healthy/screening.csv",
                        "missing: weak_tier1/tfi.csv"]
    proc = subprocess.run([sys.executable, "-m", "mtss_teach.datasets", "regenerate", "--check",
                           "--folder", str(copy)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1
    assert "differs: healthy/screening.csv" in proc.stdout
    # regenerate repairs the copy exactly
    ds.regenerate(copy)
    assert not (copy / "healthy" / "extra.csv").exists()  # stale CSVs are removed
    assert ds.regenerate(copy, check=True) == []
    assert (copy / "healthy" / "screening.csv").read_bytes() == (DATASETS / "healthy" / "screening.csv").read_bytes()


def test_manifest_names_version_arguments_seed_and_hashes():
    man = json.loads((DATASETS / "manifest.json").read_text())
    assert man["generator"] == "mtss_teach.cohorts.make_cohort"
    assert man["generator_version"] == GENERATOR_VERSION
    assert list(man["datasets"]) == NAMES
    specs = ds.list_datasets().set_index("name")
    for name, entry in man["datasets"].items():
        assert entry["arguments"]["seed"] == specs.loc[name, "seed"]
        assert entry["arguments"]["scenario"] == specs.loc[name, "scenario"]
        assert sorted(entry["files"]) == sorted(f"{t}.csv" for t in TABLES)
        for fname, info in entry["files"].items():
            data = (DATASETS / name / fname).read_bytes()
            assert hashlib.sha256(data).hexdigest() == info["sha256"]
            assert data.count(b"\n") - 1 == info["rows"]  # header + one line per row
    assert ds.manifest() == man


def test_dictionary_file_documents_every_column():
    d = pd.read_csv(DATASETS / "dictionary.csv", keep_default_na=False)
    assert list(d.columns) == ["table", "column", "type", "unit", "allowed", "levels", "meaning"]
    pd.testing.assert_frame_equal(d.astype(str), data_dictionary().astype(str))
    for name in NAMES:
        for t in TABLES:
            header = (DATASETS / name / f"{t}.csv").read_text().splitlines()[0].split(",")
            assert header == d.loc[d["table"] == t, "column"].tolist()
    assert d["meaning"].str.len().gt(3).all()
    assert set(d["type"]) <= {"int", "float", "bool", "category", "date"}


def test_readme_documents_scenarios_and_provenance():
    text = (DATASETS / "README.md").read_text()
    for word in NAMES + ["regenerate --check", "cohort_params.yml", "No real student", "Hasbrouck"]:
        assert word in text


def test_datasets_folder_is_small():
    total = sum(p.stat().st_size for p in DATASETS.rglob("*") if p.is_file())
    assert total < 5 * 2**20


def test_csv_format_is_plain(tmp_path):
    raw = (DATASETS / "healthy" / "tiers.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    first = raw.splitlines()[1].decode()
    assert first.count("-") >= 4  # ISO dates
    truth = (DATASETS / "healthy" / "truth.csv").read_text().splitlines()
    assert any(",," in ln or ln.endswith(",") for ln in truth[1:])  # empty = no value


# --------------------------------------------------------------------------
# the lessons rely on these properties of the shipped data
# --------------------------------------------------------------------------

def test_healthy_datasets_meet_expectations():
    for name in ("district_small", "healthy"):
        c = ds.load(name)
        w = c.tiers[c.tiers["season"] == "winter"]["tier"].value_counts(normalize=True)
        assert w[1] >= 0.75
        for school, sheet in c.tfi.groupby("school", observed=True):
            sc = tfi_scores(sheet[["item", "score"]].assign(item=sheet["item"].astype(str)))
            assert sc["meets"].all(), (name, school, sc["percent"].tolist())


def test_weak_tier1_dataset_grade3_mostly_below_benchmark():
    c = ds.load("weak_tier1")
    s = c.screening
    x = s[(s["measure"] == "orf") & (s["grade"] == 3) & (s["season"] == "winter")]["score"].to_numpy()
    assert np.isin(benchmark_status(x, 3, "winter"), ["below", "well_below"]).mean() > 0.6
    t = c.tfi.groupby("tier")["score"].mean() / 2 * 100
    assert t[1] < 70


def test_disproportionate_dataset_shows_the_gap_above_minimum_cell_size():
    c = ds.load("disproportionate")
    st_ = c.students.set_index("student_id")
    grp = (st_["race_ethnicity"] == "Hispanic/Latino").to_numpy()
    t3 = c.tiers[c.tiers["season"] == "winter"].set_index("student_id").loc[st_.index, "tier"].eq(3).to_numpy()
    assert t3[grp].sum() >= 10  # IDEA presumptively reasonable minimum cell size (34 CFR 300.647)
    assert grp.sum() >= 30  # minimum n-size
    assert t3[grp].mean() / t3[~grp].mean() >= 2
    sus = st_.index.isin(c.behavior.loc[c.behavior["action"] == "out-of-school suspension", "student_id"])
    assert sus[grp].sum() >= 10 and sus[grp].mean() / sus[~grp].mean() >= 2


def test_low_fidelity_dataset_grows_slower_than_healthy():
    def ratio(c):
        t = c.truth[c.truth["monitored"]]
        return (t["true_slope"] / t["growth_norm"]).mean()
    assert ratio(ds.load("low_fidelity")) < 0.7 < 0.9 < ratio(ds.load("healthy"))


@pytest.mark.parametrize("folder", [5, 3.5, True, ["datasets"]])
def test_regenerate_with_a_non_path_folder_raises_dataerror(folder):
    # used to raise TypeError from pathlib (found by the fuzz suite)
    with pytest.raises(DataError, match=r"^folder\b"):
        ds.regenerate(folder, check=True)
