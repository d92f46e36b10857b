"""Every core function that implements a published method says where it comes from.

House rule (docs/ARCHITECTURE.md): a core function for a published method has
a numpydoc ``References`` section, and each source there is keyed to an
entry of ``book/references.bib`` as ``(``key``)``. This test reads the .bib
file with its own regular expression (not the book's parser) and the
docstrings with ``inspect``.

A public function of these modules that is *not* a published method must be
listed in ``NOT_A_PUBLISHED_METHOD`` with the reason, so a new function has
to make the choice explicitly.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"

# The core modules whose functions implement published methods (written out by hand).
MODULES = ["norms", "screening", "progress", "fidelity", "equity", "behavior", "classwide"]

NOT_A_PUBLISHED_METHOD = {
    "screening.tier_shares": "the 80/15/5 shares are a field convention read only in secondary sources",
    "equity.check_min_cell": "an argument check (the floor for tables people see)",
    "behavior.school_days_by_month": "calendar arithmetic (weekdays minus holidays)",
    "norms.normalize_season": "an argument check (the spellings of a season that exports use)",
}

# Sections a References section can be followed by in numpydoc order.
_NEXT_SECTION = re.compile(r"^(Examples|Notes|See Also)\n-{3,}$", re.M)


def _bib_keys() -> set[str]:
    text = BIB.read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.M))


def _public_functions() -> list[tuple[str, object]]:
    out = []
    for name in MODULES:
        mod = importlib.import_module(f"mtss_teach.{name}")
        for attr in mod.__all__:
            obj = getattr(mod, attr)
            if inspect.isfunction(obj):
                out.append((f"{name}.{attr}", obj))
    return out


def references_section(doc: str) -> str | None:
    """The text of a numpydoc References section, or None when there is none."""
    m = re.search(r"^References\n-{3,}\n", doc, flags=re.M)
    if not m:
        return None
    rest = doc[m.end():]
    nxt = _NEXT_SECTION.search(rest)
    return rest[: nxt.start()] if nxt else rest


def cited_keys(section: str) -> list[str]:
    """Keys written as ``key`` (double back-quotes) in a References section."""
    return re.findall(r"``([A-Za-z][A-Za-z0-9_]*)``", section)


FUNCTIONS = _public_functions()


def test_the_lists_are_not_empty_and_exemptions_exist():
    names = {n for n, _ in FUNCTIONS}
    assert len(names) > 50
    assert set(NOT_A_PUBLISHED_METHOD) <= names, set(NOT_A_PUBLISHED_METHOD) - names


def test_bib_parser_reads_known_entries():
    keys = _bib_keys()
    # Hand-picked entries the book has always had.
    assert {"hanley1982", "delong1988", "fuchs1993", "hasbrouck2017", "drummond1994"} <= keys


def test_section_helpers_on_a_written_docstring():
    doc = ("Summary.\n\nReferences\n----------\nA. (2000). Title (``a2000``).\n\n"
           "Examples\n--------\n>>> f(``x``)\n")
    sec = references_section(doc)
    assert sec is not None and "Examples" not in sec
    assert cited_keys(sec) == ["a2000"]
    assert references_section("Summary.\n\nNotes\n-----\nNone.\n") is None


METHODS = [(n, f) for n, f in FUNCTIONS if n not in NOT_A_PUBLISHED_METHOD]


@pytest.mark.parametrize("qualname,func", METHODS, ids=[n for n, _ in METHODS])
def test_published_method_has_keyed_references(qualname, func):
    doc = inspect.getdoc(func) or ""
    section = references_section(doc)
    assert section is not None, f"{qualname}: no References section"
    keys = cited_keys(section)
    assert keys, f"{qualname}: References cites no book/references.bib key (write it as ``key``)"
    missing = sorted(set(keys) - _bib_keys())
    assert not missing, f"{qualname}: keys not in book/references.bib: {missing}"


def test_exempt_functions_really_have_no_references():
    # An exempt function that gains a References section should leave the list.
    for qualname, func in FUNCTIONS:
        if qualname in NOT_A_PUBLISHED_METHOD:
            assert references_section(inspect.getdoc(func) or "") is None, qualname


def test_classwide_module_docstring_is_keyed():
    mod = importlib.import_module("mtss_teach.classwide")
    section = references_section(mod.__doc__ or "")
    assert section is not None and set(cited_keys(section)) <= _bib_keys()
    assert "burns2006" in cited_keys(section)
