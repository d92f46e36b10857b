"""Facilitator guides name the datasets as the apps show them.

The apps show neutral names (District A-E) so that a name does not give away
what the data will show; a guide that says "choose `weak_tier1`" sends the
facilitator looking for an entry the dropdown does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtss_teach.widgets._base import dataset_options

ROOT = Path(__file__).resolve().parents[1]
GUIDES = sorted(ROOT.glob("modules/*/facilitator.md"))
# The on-disk dataset names and the labels the apps show (written out here, not read from the code).
ON_DISK = ("district_small", "weak_tier1", "healthy", "disproportionate", "low_fidelity")
SHOWN = {"District A", "District B", "District C", "District D", "District E"}


def test_there_are_ten_guides():
    assert len(GUIDES) == 10


def test_the_apps_show_the_labels_the_guides_use():
    shown = {label.split(" (")[0] for label, _ in dataset_options(list(ON_DISK))}
    assert shown == SHOWN


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.parent.name)
def test_guide_names_no_dataset_by_its_file_name(guide):
    text = guide.read_text(encoding="utf-8")
    assert not [name for name in ON_DISK if f"`{name}`" in text]
    for label in re.findall(r"District [A-Z]\b", text):
        assert label in SHOWN, label
