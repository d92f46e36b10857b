"""A lesson cannot drift from its data: every conclusion is computed or checked.

Every sentence in a lesson's prose that states a conclusion from data --
"meets ...", "keep ...", "X of Y ...", "the right call ...", "stands out",
"is (not) significant / reasonable", "falls short" ... -- must be one of:

1. **produced from a library result in the page**: the conclusion's words
   and numbers are {glue} roles filled by an executed cell (so the
   sentence changes with the data); or
2. **checked in the page**: what is left literal in the sentence is pinned
   by an ``assert`` in a code cell of the same section, above the
   sentence (the book build fails when the data stop supporting it); or
3. **not a conclusion from data**: a rule, a definition, a hypothetical
   worked by hand, or a published finding with its citation. Those are
   listed in ``NOT_FROM_DATA`` below, each with the reason, and each
   entry must still occur in its lesson (no stale exemptions).

The patterns are deliberately broad: a new conclusion sentence fails this
test until it is glued, asserted or listed with a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "modules").glob("*/lesson.md"))

# What a conclusion from data sounds like.
CONCLUSION = re.compile(
    r"\bmeets?\b|\bmeeting the\b|\bfalls? short\b|\bkeep (the|going|it)\b|\bthe right call\b"
    r"|\bstands? out\b|\b(is|are) (not )?(significant|reasonable|effective|healthy|in place)\b"
    r"|\b\d[\d,.]*%? of (the )?\d[\d,.]*\b|\b(well )?(above|below) (it|the (national|80|70))"
    r"|\bclose to the\b|\bno flag\b|\bthe gap arises\b|\bkeep\b|\bIt is( not)?\.|\breaches most\b",
    flags=re.I,
)
GLUE = re.compile(r"\{glue(?::\w*)?\}`[^`]+`")
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", flags=re.S | re.M)
HEADING = re.compile(r"^#{2,4} ", flags=re.M)

# (course, start of the sentence) -> why it is not a conclusion from the page's data.
NOT_FROM_DATA: dict[tuple[str, str], str] = {
    ("01-foundations", "Whether the core works is a question about outcomes"): "framing of the measure, cited",
    ("02-screening", "We load the example district and keep"): "describes the method",
    ("05-decision-rules", "Keep that in mind."): "a reading instruction",
    ("05-decision-rules", "It is not."): "answers 'it feels like a finding' about the published rule",
    ("05-decision-rules", "**So what should a team do?** Keep a rule"): "advice, with the evidence glued below",
    ("02-screening", "In practice the second gate"): "describes the method ('keep the example small')",
    ("02-screening", "A yes/no flag is a score of 1 or 0"): "describes the method",
    ("02-screening", "**PPV moves with the base rate.**"): "hypothetical worked by hand, cited minimums",
    ("03-tier1-placement", "Below the range the work is too hard"): "the published ranges' meaning",
    ("03-tier1-placement", "A Tier 1 share *at* 80% proves nothing"): "a rule about the measure",
    ("03-tier1-placement", "It is useful for one thing"): "what the convention is for (a rule)",
    ("05-decision-rules", "All four above the aimline"): "the four-point rule's definition, cited",
    ("05-decision-rules", "More than 0.5 words a week steeper"): "the trend rule's definition",
    ("05-decision-rules", "And because the data are simulated we can check"): "the verdict is the glued truth_action",
    ("05-decision-rules", "The simulator gives each rule"): "describes the simulator",
    ("05-decision-rules", "The right call is \"keep going\""): "the simulated student's definition",
    ("05-decision-rules", "Now run every rule at 6 to 20 weeks"): "the simulated student's definition",
    ("05-decision-rules", "- if the costlier mistake"): "advice; its numbers are glued and the trade-off's "
                                                       "direction is checked in test_lessons_01_05",
    ("07-fidelity", "The School-wide PBIS Tiered Fidelity Inventory is the instrument"): "what the TFI is, cited",
    ("10-capstone", "| Equity | highest computed Tier 3 ratio"): "verdict glued; 'keep suppression' is a standing rule",
    ("10-capstone", "Grade by grade it runs from"): "both counts of grades meeting the expectation are glued",
    ("10-capstone", "When {cite:t}`fuchs1998` proposed"): "the premise of a cited proposal",
}


def _prose_with_cells(text: str):
    """Yield ('cell', source) and ('prose', paragraph) in page order, and headings."""
    pos = 0
    for m in CELL.finditer(text):
        yield "prose", text[pos:m.start()]
        yield "cell", m.group(1)
        pos = m.end()
    yield "prose", text[pos:]


def _sentences(paragraph: str) -> list[str]:
    flat = " ".join(paragraph.split())
    # split after . ? ! : followed by a space and a capital/markup, keeping glue roles whole
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z*{(\"'])", flat)
    return [p.strip() for p in parts if p.strip()]


# Sections that state rules, goals and prompts, not conclusions from the page's data.
SKIP_SECTIONS = re.compile(
    r"^#{2,3} (Why this matters|Learning objectives|The (rules|formulas)|Practice|What MTSS is not"
    r"|When the answer is|The four problem-solving steps)", flags=re.I)


def _conclusions(course: str, text: str):
    """(sentence, has_glue, literal_hit, asserted_in_section) for every conclusion sentence."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    asserted = False
    skipping = False
    out = []
    for kind, chunk in _prose_with_cells(text):
        if kind == "cell":
            if re.search(r"^\s*assert\b", chunk, flags=re.M):
                asserted = True
            continue
        for block in re.split(r"\n\s*\n", chunk):
            b = block.strip()
            if b.startswith("#"):
                asserted = False  # a new section: earlier asserts do not cover it
                if b.startswith("## ") or SKIP_SECTIONS.match(b):
                    skipping = bool(SKIP_SECTIONS.match(b))
                continue
            if skipping or b.startswith((":::", "(", "```", "**Try this.**")):
                continue  # rules, prompts, admonition fences, labels
            rows = [r for r in b.splitlines() if not re.match(r"^\|[-| ]+\|$", r)]
            units = rows[1:] if b.startswith("|") else _sentences(block)  # a table: each body row
            for sentence in units:
                if not CONCLUSION.search(sentence):
                    continue
                has_glue = bool(GLUE.search(sentence))
                if not has_glue and b.startswith("**What the research does not settle.**"):
                    continue  # about the research, not the page's data
                literal = GLUE.sub("#", sentence)
                out.append((sentence, has_glue, bool(CONCLUSION.search(literal)), asserted))
    return out


def _exempt(course: str, sentence: str) -> bool:
    return any(c == course and sentence.lstrip("*").startswith(start.lstrip("*"))
               for (c, start) in NOT_FROM_DATA)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.parent.name)
def test_every_conclusion_is_computed_or_checked(lesson):
    course = lesson.parent.name
    text = lesson.read_text(encoding="utf-8")
    # the self-check, exercise and closing sections hold no data conclusions of the page
    body = re.split(r"^## (Self-check|Exercise|What to do on Monday|Key terms)\b", text, flags=re.M)[0]
    problems = []
    for sentence, has_glue, literal_hit, asserted in _conclusions(course, body):
        if _exempt(course, sentence):
            continue
        if has_glue and (not literal_hit or asserted):
            continue  # produced from the page's results, or checked by an assert above it
        if not has_glue and asserted:
            continue  # a verdict pinned by an assert in its section
        problems.append(sentence)
    assert not problems, f"{course}: conclusions neither glued, asserted nor exempted:\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("key", sorted(NOT_FROM_DATA), ids=lambda k: f"{k[0]}:{k[1][:20]}")
def test_exemptions_are_not_stale(key):
    course, start = key
    text = " ".join((ROOT / "modules" / course / "lesson.md").read_text(encoding="utf-8").split())
    assert start in text, f"{course}: exempted sentence no longer in the lesson: {start!r}"


def test_the_detector_catches_a_drifting_sentence():
    # a literal verdict with literal numbers and no glue or assert is reported
    page = "## Worked example\n\nTier 1 serves 85.5% of students, which meets the 80% expectation.\n"
    found = _conclusions("x", page)
    assert found == [(found[0][0], False, True, False)]
    # the same verdict glued from the page's result is not a literal conclusion any more
    page = ("## Worked example\n\nTier 1 serves {glue:text}`t1:.1f`% of students, which "
            "{glue:text}`verdict` the expectation.\n")
    assert _conclusions("x", page) == []
    # a literal verdict beside glued numbers passes only with an assert above it in its section
    glued = "## Worked example\n\n{glue:}`n` of the {glue:}`m` grades meet it.\n"
    assert _conclusions("x", glued)[0][1:] == (True, True, False)
    cell = "```{code-cell} ipython3\nassert x\n```\n\n"
    assert _conclusions("x", "## Worked example\n\n" + cell + glued.split("\n\n", 1)[1])[0][3] is True
