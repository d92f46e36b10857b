"""Self-check component: construction, YAML loading, and instant feedback in a browser.

The browser tests load the rendered HTML with the network blocked (file://
only): once as a standalone page, and once inside a throwaway Jupyter Book
build (slow), the way a lesson displays it from a hidden-input code cell.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mtss_teach import DataError
from mtss_teach.selfcheck import SelfCheck, choice, from_dict, load_selfcheck, numeric

ROOT = Path(__file__).resolve().parents[1]


def demo() -> SelfCheck:
    return SelfCheck(
        "Check your understanding",
        [
            choice(
                "A student's tier describes ...",
                [
                    ("the support the student receives now", True, "EXPL-A: tiers are levels of support."),
                    ("a label the student keeps", False, "EXPL-B: a tier is not a label."),
                    ("a place in the building", False, "EXPL-C: MTSS is not a place."),
                ],
            ),
            # Hasbrouck & Tindal (2017), grade 3 winter 50th percentile = 97 WCPM.
            numeric("Grade 3 winter median ORF?", answer=97, tolerance=0.5, unit="WCPM",
                    explanation="EXPL-N: Hasbrouck & Tindal 2017 print 97."),
        ],
    )


# ---------------------------------------------------------------------------
# construction and validation
# ---------------------------------------------------------------------------


def test_numeric_tolerance_is_inclusive():
    q = numeric("x?", answer=10, tolerance=0.5, explanation="e")
    assert q.is_correct(10.5) and q.is_correct(9.5) and q.is_correct("10")
    assert not q.is_correct(10.51) and not q.is_correct("ten") and not q.is_correct(float("nan"))


def test_choice_correct_option():
    q = demo().questions[0]
    assert [q.is_correct(i) for i in range(3)] == [True, False, False]
    assert not q.is_correct(3)


def test_choice_needs_a_correct_option_and_explanations():
    with pytest.raises(DataError, match="no option is marked correct"):
        choice("q", [("a", False, "x"), ("b", False, "y")])
    with pytest.raises(DataError, match=r"options\[1\].explanation"):
        choice("q", [("a", True, "x"), ("b", False, "")])
    with pytest.raises(DataError, match="at least 2 options"):
        choice("q", [("a", True, "x")])
    with pytest.raises(DataError, match="position 0"):
        choice("q", [("a", True)])


def test_numeric_rejects_bad_numbers():
    with pytest.raises(DataError, match="answer"):
        numeric("q", answer="97", explanation="e")
    with pytest.raises(DataError, match="tolerance"):
        numeric("q", answer=1, tolerance=-1, explanation="e")
    with pytest.raises(DataError, match="explanation"):
        numeric("q", answer=1)


def test_empty_selfcheck_is_an_error():
    with pytest.raises(DataError, match="at least one question"):
        SelfCheck("t", [])


@settings(max_examples=60, deadline=None)
@given(answer=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
       tol=st.floats(min_value=0, max_value=100, allow_nan=False),
       delta=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_property_numeric_accepts_within_and_rejects_outside(answer, tol, delta):
    q = numeric("q", answer=answer, tolerance=tol, explanation="e")
    assert q.is_correct(answer + delta * tol)
    assert not q.is_correct(answer + tol + 1.0 + delta)


@settings(max_examples=60, deadline=None)
@given(bad=st.one_of(st.none(), st.text(max_size=5), st.just(float("inf")), st.just(float("nan")), st.booleans()))
def test_property_numeric_bad_answer_is_dataerror(bad):
    # text (even "5"), None, booleans and non-finite numbers are not answers
    with pytest.raises(DataError):
        numeric("q", answer=bad, explanation="e")


def test_html_is_self_contained_and_stable():
    html = demo()._repr_html_()
    assert "<script>" in html and "<style>" in html
    # nothing loaded from anywhere: no src=, no href=, no URL
    assert not re.search(r"\b(src|href)\s*=", html)
    assert "http://" not in html and "https://" not in html
    # every option's explanation is in the page (self-study answers may be)
    for expl in ("EXPL-A", "EXPL-B", "EXPL-C", "EXPL-N"):
        assert expl in html
    assert html == demo()._repr_html_()  # deterministic ids (stable book builds, nbval)


def test_html_escapes_text():
    sc = SelfCheck("<b>t</b>", [numeric("<script>alert(1)</script>?", answer=1, explanation="a & b")])
    html = sc.to_html()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "a &amp; b" in html


def test_yaml_with_live_answer(tmp_path):
    p = tmp_path / "selfcheck.yml"
    p.write_text(textwrap.dedent("""
        title: Screening
        questions:
          - prompt: Grade 2 fall 25th percentile?
            answer: {call: mtss_teach.norms.orf_norm, args: [2, fall, 25]}
            tolerance: 0
            unit: WCPM
            explanation: From the norm table.
          - prompt: Sensitivity is
            options:
              - {text: TP/(TP+FN), correct: true, explanation: Right.}
              - {text: TP/(TP+FP), correct: false, explanation: That is PPV.}
        """))
    sc = load_selfcheck(p)
    # Hasbrouck & Tindal 2017, grade 2 fall 25th percentile = 36 WCPM
    assert sc.questions[0].answer == 36
    assert sc.questions[1].options[1].explanation == "That is PPV."


def test_yaml_only_calls_the_library(tmp_path):
    with pytest.raises(DataError, match="must name a function in mtss_teach"):
        from_dict({"title": "t", "questions": [{"prompt": "p", "answer": {"call": "os.system", "args": ["true"]},
                                                "explanation": "e"}]})
    with pytest.raises(DataError, match="needs 'options'"):
        from_dict({"title": "t", "questions": [{"prompt": "p"}]})
    p = tmp_path / "bad.yml"
    p.write_text("title: [unclosed\n")
    with pytest.raises(DataError, match="not valid YAML"):
        load_selfcheck(p)
    with pytest.raises(DataError, match="no self-check file"):
        load_selfcheck("99-no-such-course")


# ---------------------------------------------------------------------------
# in the browser, offline
# ---------------------------------------------------------------------------


def _exercise_page(page):
    """Drive one rendered self-check; returns nothing, asserts as it goes."""
    q1 = page.locator(".sc-choice").first
    fb1 = q1.locator(".sc-feedback")
    assert fb1.is_hidden()
    # every option shows its own explanation when picked
    for i, (label, want) in enumerate([("EXPL-B", "Not quite."), ("EXPL-C", "Not quite."), ("EXPL-A", "Correct.")]):
        q1.locator("input[type=radio]").nth([1, 2, 0][i]).check()
        text = fb1.inner_text()
        assert text.startswith(want) and label in text, text
    q2 = page.locator(".sc-numeric").first
    fb2 = q2.locator(".sc-feedback")
    q2.locator("input").fill("96.5")  # within 97 +/- 0.5
    q2.locator("button").click()
    assert fb2.inner_text().startswith("Correct.") and "EXPL-N" in fb2.inner_text()
    q2.locator("input").fill("95")
    q2.locator("input").press("Enter")
    assert fb2.inner_text().startswith("Not quite.")
    q2.locator("input").fill("lots")
    q2.locator("button").click()
    assert fb2.inner_text() == "Type a number first."


@pytest.mark.browser
def test_selfcheck_feedback_in_standalone_page(offline_page, tmp_path):
    page_file = tmp_path / "sc.html"
    page_file.write_text("<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>"
                         + demo()._repr_html_() + "</body></html>", encoding="utf-8")
    page = offline_page.page
    page.goto(page_file.as_uri())
    _exercise_page(page)
    assert offline_page.console_errors == []
    assert offline_page.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_selfcheck_feedback_in_a_built_book_page(offline_page, tmp_path):
    """A throwaway Jupyter Book build: a hidden-input code cell displays the self-check."""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copytree(ROOT / "_static", book / "_static")
    (book / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "_toc.yml").write_text("format: jb-book\nroot: selfcheck-demo\n")
    (book / "selfcheck-demo.md").write_text(textwrap.dedent('''\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        # Self-check demo

        ```{code-cell} python
        :tags: [remove-input]
        import sys
        sys.path.insert(0, %r)
        from test_selfcheck import demo
        demo()
        ```
        ''' % str(Path(__file__).resolve().parent)))
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(book), "-W", "-n", "--keep-going"], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html_file = book / "_build" / "html" / "selfcheck-demo.html"
    html = html_file.read_text(encoding="utf-8")
    assert "mtss-selfcheck" in html and "from test_selfcheck import demo" not in html  # input hidden
    page = offline_page.page
    page.goto(html_file.as_uri())
    _exercise_page(page)
    assert offline_page.console_errors == []
    assert offline_page.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_selfchecks_in_the_built_book_give_feedback(offline_page, built_book):
    """Every self-check on every built page: each option explains itself; the right number is accepted."""
    pages = [p for p in sorted(built_book.rglob("*.html")) if "mtss-selfcheck" in p.read_text(encoding="utf-8")]
    if not pages:
        pytest.skip("no built page shows a self-check yet")
    page = offline_page.page
    for p in pages:
        page.goto(p.as_uri())
        blocks = page.locator(".mtss-selfcheck")
        assert blocks.count() >= 1, p
        for fs in page.locator(".mtss-selfcheck .sc-choice").all():
            fb = fs.locator(".sc-feedback")
            radios = fs.locator("input[type=radio]")
            for i in range(radios.count()):
                r = radios.nth(i)
                r.check()
                want = "Correct." if r.get_attribute("data-correct") == "1" else "Not quite."
                text = fb.inner_text()
                assert text.startswith(want) and r.get_attribute("data-explanation")[:40] in text, (p.name, text)
        for fs in page.locator(".mtss-selfcheck .sc-numeric").all():
            fs.locator("input").fill(fs.get_attribute("data-answer"))
            fs.locator("button").click()
            assert fs.locator(".sc-feedback").inner_text().startswith("Correct."), p.name
    assert offline_page.blocked == []
    assert not [e for e in offline_page.console_errors if "selfcheck" in e.lower() or "mtssSelfCheck" in e]


# ---------------------------------------------------------------------------
# percentages: "49%" is 0.49 on a proportion question (issue #15)
# ---------------------------------------------------------------------------

# (typed text, unit of the question, the number a reader means) -- by hand.
PERCENT_CASES = [
    ("49%", "", 0.49),
    ("49 %", "", 0.49),
    ("0,49", "", 0.49),
    ("0.49%", "", 0.0049),
    ("49%", "%", 49.0),
    ("49", "%", 49.0),
    ("12.5%", "students", 0.125),
]


@pytest.mark.parametrize("typed, unit, meant", PERCENT_CASES)
def test_parse_response_reads_a_percent_sign_as_hundredths(typed, unit, meant):
    from mtss_teach.selfcheck import parse_response

    assert parse_response(typed, unit) == pytest.approx(meant, abs=1e-12)


def test_a_proportion_answer_accepts_49_percent_and_rejects_0_49_percent():
    q = numeric("Share of decisions right? Give a proportion.", answer=0.49, tolerance=0.005, explanation="x")
    assert q.is_correct("49%") and q.is_correct("0.49") and q.is_correct("0,49")
    assert not q.is_correct("0.49%") and not q.is_correct("49")
    p = numeric("Percentage served by Tier 1?", answer=85.5, tolerance=0.5, unit="%", explanation="x")
    assert p.is_correct("85.5%") and p.is_correct("85.5") and not p.is_correct("0.855")


@pytest.mark.browser
def test_the_page_reads_percentages_like_the_library(offline_page, tmp_path):
    """The page's script and :func:`parse_response` agree on every case above."""
    qs = [numeric(f"Q{i}", answer=meant, tolerance=1e-9, unit=unit, explanation=f"E{i}")
          for i, (_typed, unit, meant) in enumerate(PERCENT_CASES)]
    page_file = tmp_path / "pct.html"
    page_file.write_text("<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>"
                         + SelfCheck("Percent", qs)._repr_html_() + "</body></html>", encoding="utf-8")
    page = offline_page.page
    page.goto(page_file.as_uri())
    for i, (typed, _unit, _meant) in enumerate(PERCENT_CASES):
        fs = page.locator(".sc-numeric").nth(i)
        fs.locator("input").fill(typed)
        fs.locator("button").click()
        assert fs.locator(".sc-feedback").inner_text().startswith("Correct."), typed
    wrong = page.locator(".sc-numeric").first  # answer 0.49
    wrong.locator("input").fill("0.49%")
    wrong.locator("button").click()
    assert wrong.locator(".sc-feedback").inner_text().startswith("Not quite.")
    assert offline_page.console_errors == []
