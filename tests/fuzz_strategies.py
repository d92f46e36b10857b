"""Hypothesis strategies and checking helpers for tests/test_fuzz_public_api.py.

Every generated value knows whether it is valid by construction: a number
inside the function's contract ("ok"), a number outside it ("range"), or junk
of a named kind (NaN, inf, text, a date, a duration, a container, ...). The
tests compute the expected outcome from that label -- never from the code
under test -- and then check that the library either raised
:class:`mtss_teach.DataError` naming the problem or returned the answer of an
independent oracle.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from hypothesis import Phase, settings
from hypothesis import strategies as st

from mtss_teach import DataError

# ---------------------------------------------------------------------------
# Budget and the examples-tried counter
# ---------------------------------------------------------------------------

#: Examples per property for a weight-1 function. CI default keeps the file
#: within ~2-3 minutes on 2 cores; raise it locally for a deeper run.
EXAMPLES = int(os.environ.get("MTSS_FUZZ_EXAMPLES", "1000"))

COUNTS: Counter = Counter()
OUTCOMES: dict[str, Counter] = {}


def fuzz(weight: float = 1.0, shrink: bool = True) -> settings:
    """Hypothesis settings for one fuzz property (no deadline, health checks on).

    Reproducible in CI and random on a developer machine: the rest comes
    from the Hypothesis profile that ``tests/conftest.py`` loads.
    """
    extra = {} if shrink else {"phases": [Phase.explicit, Phase.generate]}
    return settings(**extra, max_examples=max(5, int(EXAMPLES * weight)), deadline=None)


def tried(name: str, outcome: str) -> None:
    """Count one example for ``name`` (outcome: "value" or "DataError")."""
    COUNTS[name] += 1
    OUTCOMES.setdefault(name, Counter())[outcome] += 1


def counts_table() -> str:
    rows = sorted(COUNTS.items())
    width = max([len(k) for k, _ in rows] + [8])
    lines = [f"{'function'.ljust(width)}  examples  answered  DataError"]
    for name, n in rows:
        o = OUTCOMES.get(name, Counter())
        lines.append(f"{name.ljust(width)}  {n:8d}  {o['value']:8d}  {o['DataError']:9d}")
    lines.append(f"{'total'.ljust(width)}  {sum(COUNTS.values()):8d}")
    return "\n".join(lines)


def write_counts(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: {"examples": v, **dict(OUTCOMES.get(k, {}))} for k, v in sorted(COUNTS.items())}
    path.write_text(json.dumps({"examples_setting": EXAMPLES, "functions": data}, indent=1) + "\n")


# ---------------------------------------------------------------------------
# The outcome check
# ---------------------------------------------------------------------------


def check(name: str, call: Callable[[], Any], bad: dict, verify: Callable[[Any], None] | None = None) -> Any:
    """Run ``call``; invalid input must raise DataError naming it, valid input must verify.

    ``bad`` says why an example is invalid: {argument name (or phrase, or
    "@label"): predicate on the message, or None}. Empty means valid. The
    DataError's message must name at least one of them (see :func:`names`)
    and pass its predicate (for example: the right position).

    Returns the result for valid input (None after a DataError).
    """
    try:
        result = call()
    except DataError as exc:
        msg = str(exc)
        tried(name, "DataError")
        assert bad, f"{name}: valid input raised DataError: {msg}"
        ok = []
        for arg, pred in bad.items():
            ok.append(names(msg, arg) and (pred is None or pred(msg)))
        assert any(ok), f"{name}: the message does not name the problem {sorted(bad)}: {msg!r}"
        return None
    except Exception as exc:  # noqa: BLE001 - the point of the suite
        raise AssertionError(
            f"{name}: {type(exc).__name__} instead of DataError (bad={sorted(bad)}): {exc}"
        ) from exc
    tried(name, "value")
    assert not bad, f"{name}: invalid input ({sorted(bad)}) returned {result!r:.300}"
    if verify is not None:
        verify(result)
    return result


def check_extreme(name: str, call: Callable[[], Any], verify: Callable[[Any], None]) -> None:
    """Valid input of extreme magnitude: a right answer, or a DataError reporting the overflow."""
    try:
        result = call()
    except DataError as exc:
        tried(name, "DataError")
        assert "too extreme" in str(exc) or "too large" in str(exc), str(exc)
        return
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{name}: {type(exc).__name__} instead of DataError: {exc}") from exc
    tried(name, "value")
    verify(result)


def names(msg: str, arg: str) -> bool:
    """Does the message name ``arg`` as the argument at fault?

    An argument is named as ``arg: ...``, ``arg[...]``, ``'arg'`` or in a
    length-mismatch list (``arg has 3``). A key with a space is a phrase that
    must appear as is.
    """
    if arg.startswith("@"):  # a label for a predicate that does its own checking
        return True
    if " " in arg:
        return arg in msg
    return (msg.startswith(arg) or f"{arg}:" in msg or f"{arg}[" in msg or f"'{arg}'" in msg
            or f"{arg} has" in msg or f"{arg}/" in msg or f"/{arg}" in msg or f"{arg}." in msg)


def at_positions(positions: set[int]) -> Callable[[str], bool]:
    """Predicate: the message names one of ``positions`` ("position 3")."""

    def pred(msg: str) -> bool:
        found = [int(m) for m in re.findall(r"position (\d+)", msg)]
        return bool(found) and found[0] in positions

    return pred


def says(*words: str) -> Callable[[str], bool]:
    """Predicate: the message contains every one of ``words`` (case-insensitive)."""
    return lambda msg: all(w.lower() in msg.lower() for w in words)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    if a is None or b is None:
        return a is b
    a, b = float(a), float(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    if np.isinf(a) or np.isinf(b):
        return a == b
    return abs(a - b) <= abs_ + rel * max(abs(a), abs(b))


# ---------------------------------------------------------------------------
# Elements: numbers (ok / out of range) and junk of named kinds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Elem:
    value: Any
    kind: str  # "ok", "range", or a junk kind
    num: float | None = None  # the number for "ok" (and "range") elements

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


JUNK: dict[str, list[Any]] = {
    "nan": [float("nan"), np.nan, np.float32("nan"), None, pd.NA],
    "inf": [float("inf"), float("-inf"), np.float32("inf"), np.inf],
    "text": ["12", "abc", "", " ", "1,5", "NaN", "\u221212", "3rd"],
    "bytes": [b"1", b""],
    "bool": [True, False, np.True_, np.False_],
    "date": [dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 9, 30), pd.Timestamp("2024-01-15"),
             np.datetime64("2024-01-15"), pd.NaT],
    "duration": [dt.timedelta(days=1), pd.Timedelta(1, "D"), np.timedelta64(1, "D"), np.timedelta64(5, "ns")],
    "container": [[], [1], (1, 2), {}, {"a": 1}, {1}],
    "complex": [1 + 0j, complex(50, 1), np.complex128(2)],
    "bigint": [10**400, -(10**400)],
    "object": [object()],
}


def junk(kinds: tuple[str, ...] | None = None) -> st.SearchStrategy[Elem]:
    kinds = tuple(JUNK) if kinds is None else kinds
    return st.one_of(*[st.sampled_from(JUNK[k]).map(lambda v, k=k: Elem(v, k)) for k in kinds])


def _written(x: float, k: int) -> Any:
    """Way ``k`` of writing the valid number ``x``: float, int, numpy scalars."""
    options: list[Any] = [float(x), np.float64(x)]
    if float(x).is_integer() and abs(x) < 2**62:
        options += [int(x), np.int64(int(x))]
        if -(2**31) <= x < 2**31:
            options.append(np.int32(int(x)))
    if abs(x) < 1e38 and float(np.float32(x)) == x:  # exactly representable in float32
        options.append(np.float32(x))
    return options[k % len(options)]


def numbers(lo: float | None, hi: float | None, integer: bool = False,
            typical: st.SearchStrategy[float] | None = None) -> st.SearchStrategy[Elem]:
    """Valid numbers: inside [lo, hi] (whole when ``integer``), in several Python/numpy types."""
    lo_ = -1e6 if lo is None else lo
    hi_ = 1e6 if hi is None else hi
    if integer:
        base = st.integers(int(np.ceil(lo_)), int(np.floor(hi_))).map(float)
    else:
        base = st.floats(lo_, hi_, allow_nan=False, allow_infinity=False)
    edges = [v for v in (lo, hi) if v is not None]
    strategies = [base]
    if typical is not None:
        strategies.append(typical)
    if edges:
        strategies.append(st.sampled_from([float(e) for e in edges]))

    def make(t: tuple[float, int]) -> Elem:
        v = _written(t[0], t[1])
        return Elem(v, "ok", float(v))

    return st.tuples(st.one_of(*strategies), st.integers(0, 5)).map(make)


def out_of_range(lo: float | None, hi: float | None, integer: bool = False) -> st.SearchStrategy[Elem]:
    """Numbers that break the contract: below lo, above hi, a fraction when whole numbers are needed.

    Includes Excel serial dates (45000 = 2023-03-15) and huge values.
    """
    vals: list[float] = []
    if lo is not None:
        vals += [lo - 1, lo - 0.5, lo - 1e-9 * max(1.0, abs(lo)), lo - 1e12, -1e300]
    if hi is not None:
        vals += [hi + 1, hi + 0.5, hi + 1e-9 * max(1.0, abs(hi)), 45000.0, 45307.0, 1e12, 1e300]
    if integer:
        a = 0.0 if lo is None else lo
        b = a + 10 if hi is None else hi
        if b - a >= 1:
            vals += [a + 0.5, (a + b) / 2 + 0.25]
    vals = [v for v in vals if (lo is not None and v < lo) or (hi is not None and v > hi)
            or (integer and not float(v).is_integer())]
    if not vals:
        return st.nothing()
    return st.sampled_from(vals).map(lambda v: Elem(v, "range", v))


_PCT = st.integers(0, 99)
_SEED = st.integers(0, 2**32 - 1)


@st.composite
def _weighted(draw, good, bad, p_bad):
    # hypothesis favours small draws (and shrinks towards 0): 0 means "good", so a
    # shrunk failing example keeps only the broken arguments it needs
    return draw(bad) if draw(_PCT) >= 100 - p_bad else draw(good)


def weighted(good: st.SearchStrategy, bad: st.SearchStrategy, k: int = 5) -> st.SearchStrategy:
    """``good`` about k times as often as ``bad``.

    (``st.one_of`` picks its first branches far more often than the others, so
    the choice is made with a uniform 0-99 draw instead.)
    """
    return _weighted(good, bad, 100 // (k + 1))


_JUNK_FLAT = [(k, v) for k, vs in JUNK.items() for v in vs]


class Elements:
    """Valid numbers for a contract [lo, hi] (whole when ``integer``), and the ways to break it.

    Vectors draw their elements from a numpy generator seeded by hypothesis
    (one draw per vector instead of several per element: thousands of
    examples per function fit in CI time). ``typical(rng)`` gives the values
    most often seen in practice.
    """

    def __init__(self, lo=None, hi=None, integer=False, typical=None, junk_kinds=None, edges=True):
        self.lo, self.hi, self.integer, self.typical = lo, hi, integer, typical
        self.lo_ = -1e6 if lo is None else lo
        self.hi_ = 1e6 if hi is None else hi
        self.edges = [float(v) for v in (lo, hi) if v is not None] if edges else []
        vals = []
        if lo is not None:
            vals += [lo - 1, lo - 0.5, lo - 1e-9 * max(1.0, abs(lo)), lo - 1e12, -1e300]
        if hi is not None:
            vals += [hi + 1, hi + 0.5, hi + 1e-9 * max(1.0, abs(hi)), 45000.0, 45307.0, 1e12, 1e300]
        if integer:
            a = 0.0 if lo is None else lo
            b = a + 10 if hi is None else hi
            if b - a >= 1:
                vals += [a + 0.5, (a + b) / 2 + 0.25]
        self.bad_numbers = [v for v in vals if (lo is not None and v < lo) or (hi is not None and v > hi)
                            or (integer and not float(v).is_integer())]
        kinds = set(JUNK) if junk_kinds is None else set(junk_kinds)
        self.junk = [(k, v) for k, v in _JUNK_FLAT if k in kinds]

    def good(self, rng: np.random.Generator) -> Elem:
        r = rng.random()
        if self.lo is None and self.hi is None and r < 0.04:  # unbounded contract: extremes are valid too
            x = float(rng.choice([1e300, -1e300, 1e-300, 45000.0, 2.0**53, -(2.0**60)]))
        elif self.edges and r < 0.08:
            x = self.edges[int(rng.integers(len(self.edges)))]
        elif self.typical is not None and r < 0.55:
            x = float(self.typical(rng))
        elif self.integer:
            x = float(rng.integers(int(np.ceil(self.lo_)), int(np.floor(self.hi_)) + 1))
        else:
            x = float(rng.uniform(self.lo_, self.hi_))
            if r > 0.8:
                x = float(np.round(x, int(rng.integers(0, 3))))
        if self.lo is not None or self.hi is not None:
            x = min(max(x, self.lo_), self.hi_)
        if self.integer:
            x = float(np.clip(np.round(x), np.ceil(self.lo_), np.floor(self.hi_)))
        v = _written(x, int(rng.integers(6)))
        return Elem(v, "ok", float(v))

    def bad(self, rng: np.random.Generator) -> Elem:
        if self.bad_numbers and rng.random() < 0.35:
            v = self.bad_numbers[int(rng.integers(len(self.bad_numbers)))]
            return Elem(v, "range", v)
        k, v = self.junk[int(rng.integers(len(self.junk)))]
        return Elem(v, k)

    @property
    def good_st(self) -> st.SearchStrategy[Elem]:
        return _SEED.map(lambda seed: self.good(np.random.default_rng(seed)))

    @property
    def bad_st(self) -> st.SearchStrategy[Elem]:
        return _SEED.map(lambda seed: self.bad(np.random.default_rng(seed)))


def elements(lo=None, hi=None, integer=False, typical=None, junk_kinds=None, edges=True) -> Elements:
    return Elements(lo, hi, integer, typical, junk_kinds, edges)


# ---------------------------------------------------------------------------
# Vectors (scalar, list, tuple, numpy array, Series) with container problems
# ---------------------------------------------------------------------------


@dataclass
class Vec:
    value: Any
    elems: list[Elem]
    kind: str  # scalar / list / tuple / array / series / frame / text / 2d
    problem: str | None = None  # container-level problem: empty, 2d, text, frame
    index: list | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None and all(e.ok for e in self.elems)

    @property
    def nums(self) -> np.ndarray:
        return np.array([e.num for e in self.elems], dtype=float)

    @property
    def bad_positions(self) -> set[int]:
        return {i for i, e in enumerate(self.elems) if not e.ok}

    def __len__(self) -> int:
        return len(self.elems)

    def __repr__(self) -> str:  # short, for hypothesis' falsifying example
        return f"Vec({self.kind}, problem={self.problem}, value={self.value!r:.200})"


def _container(elems: list[Elem], kind: str, index_kind: str, as_object: bool) -> tuple[Any, list | None]:
    vals = [e.value for e in elems]
    floaty = not as_object and all(
        (e.kind in ("ok", "range") and abs(float(e.num)) < 1e308)
        or (e.kind == "nan" and isinstance(e.value, float)) for e in elems)
    if kind == "list":
        return vals, None
    if kind == "tuple":
        return tuple(vals), None
    if kind == "array":
        if floaty:
            return np.array([float(v) for v in vals], dtype=float), None
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        return arr, None
    n = len(vals)
    if index_kind == "range":
        index = list(range(n))
    elif index_kind == "shuffled":
        index = [int(i) for i in np.random.default_rng(n).permutation(n) + 100]
    else:
        index = [f"r{i}" for i in range(n)]
    if kind == "nullable":  # pandas' nullable Float64 with <NA> for missing values
        if all(e.kind in ("ok", "range") or (e.kind == "nan" and e.value is not None and not
                                            isinstance(e.value, np.floating)) for e in elems):
            data = [pd.NA if e.kind == "nan" else float(e.value) for e in elems]
            return pd.Series(pd.array(data, dtype="Float64"), index=index), index
        kind = "series"
    if floaty:
        return pd.Series([float(v) for v in vals], index=index, dtype=float), index
    return pd.Series(vals, index=index, dtype=object), index


_BOOL = st.booleans()
_INDEX = st.sampled_from(["range", "shuffled", "labels"])


@st.composite
def vectors(draw, elem: Elements, min_size: int = 1, max_size: int = 12,
            scalar: bool = True, kinds: tuple[str, ...] = ("list", "tuple", "array", "series", "nullable"),
            problems: bool = True, size: int | None = None) -> Vec:
    """A vector argument: valid or not, with its label."""
    if problems and size is None and draw(_PCT) < 3:
        which = draw(st.sampled_from(["empty", "2d", "text", "frame"]))
        if which == "empty":
            k = draw(st.sampled_from(["list", "array", "series"]))
            v = {"list": [], "array": np.array([], dtype=float), "series": pd.Series([], dtype=float)}[k]
            return Vec(v, [], k, "empty")
        if which == "2d":
            rows = draw(st.integers(2, 3))
            cols = draw(st.integers(2, 3))
            arr = np.arange(rows * cols, dtype=float).reshape(rows, cols)
            v = arr if draw(st.booleans()) else arr.tolist()
            return Vec(v, [], "2d", "2d")
        if which == "text":
            return Vec(draw(st.sampled_from(["abc", "12", ""])), [], "text", "text")
        return Vec(pd.DataFrame({"a": [1.0, 2.0]}), [], "frame", "frame")
    n = size if size is not None else draw(st.integers(min_size, max_size))
    pct = draw(_PCT)
    mode = 0 if pct < 60 else 2 if pct < 82 else 3  # clean; one bad element; each element bad 1 in 4
    rng = np.random.default_rng(draw(_SEED))

    def one(m: int) -> Elem:
        if m == 0 or (m == 3 and rng.random() >= 0.25):
            return elem.good(rng)
        return elem.bad(rng)

    if scalar and size in (None, 1) and n == 1 and draw(_PCT) < 30:
        e = one(mode)
        if isinstance(e.value, (list, tuple, dict, set)):  # a container is not a scalar
            e = Elem(float(e.num) if e.num is not None else float("nan"), "nan" if e.num is None else e.kind,
                     e.num)
        return Vec(e.value, [e], "scalar")
    elems = [one(0 if mode == 2 else mode) for _ in range(n)]
    if mode == 2:
        elems[int(rng.integers(n))] = elem.bad(rng)
    kind = draw(st.sampled_from(kinds))
    value, index = _container(elems, kind, draw(_INDEX), draw(_BOOL))
    if isinstance(value, pd.Series):
        kind = "series"
    return Vec(value, elems, kind, None, index)


def vec_bad(name: str, v: Vec, allow_empty: bool = False) -> dict:
    """The Bad entry for a vector argument (empty dict when valid)."""
    if v.problem == "empty":
        return {} if allow_empty else {name: says("empty")}
    if v.problem == "2d":
        return {name: says("1-D")}
    if v.problem == "text":
        return {name: None}
    if v.problem == "frame":
        return {name: says("DataFrame")}
    bad = v.bad_positions
    if not bad:
        return {}
    if v.kind == "scalar":
        return {name: None}
    pos = at_positions(bad)
    if any(v.elems[i].kind == "container" for i in bad):  # a list inside a list may read as a 2-D table
        return {name: lambda m: pos(m) or "1-D" in m or "could not read" in m}
    return {name: pos}


def assert_same_shape(v: Vec, got: Any, expected: np.ndarray, eq: Callable[[Any, Any], bool]) -> None:
    if v.kind == "scalar":
        assert np.ndim(got) == 0, f"scalar in, {type(got).__name__} out"
        assert eq(got, expected[0]), (got, expected[0])
        return
    if v.kind == "series":
        assert isinstance(got, pd.Series), type(got)
        assert list(got.index) == list(v.value.index)
        got = got.to_numpy()
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert eq(a, b), (list(got), list(expected))


# ---------------------------------------------------------------------------
# Scalar arguments (a choice or a number), valid or not
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    value: Any
    ok: bool
    canon: Any = None  # the meaning of a valid value (e.g. "fall" for " BOY ")

    def __repr__(self) -> str:
        return f"Arg({self.value!r}, ok={self.ok})"


def _spelled(word: str, k: int) -> str:
    return [word, word.upper(), word.title(), f" {word} ", f"{word}\t"][k % 5]


def choice_arg(valid: dict[str, Any], invalid_extra: list[Any] = ()) -> st.SearchStrategy[Arg]:
    """A choice argument: valid spellings ({spelling: meaning}) or junk."""
    good = st.tuples(st.sampled_from(sorted(valid)), st.integers(0, 4)).map(
        lambda t: Arg(_spelled(t[0], t[1]), True, valid[t[0]]))
    bad_vals = ["", "none", "summer", "x", None, 1, 2.5, True, [list(valid)[0]],
                np.array([list(valid)[0], "x"]), {}, float("nan"), *invalid_extra]
    bad = st.sampled_from(bad_vals).map(lambda v: Arg(v, False))
    return weighted(good, bad, 8)


def number_arg(lo: float | None = None, hi: float | None = None, integer: bool = False,
               lo_open: bool = False, typical: st.SearchStrategy[float] | None = None) -> st.SearchStrategy[Arg]:
    """A single-number argument: valid, out of range, or junk."""
    def in_range(e: Elem) -> Arg:
        ok = e.ok and not (lo_open and lo is not None and e.num == lo)
        return Arg(e.value, ok, e.num if ok else None)

    good = numbers(lo, hi, integer, typical).map(in_range)
    bad = st.one_of(out_of_range(lo, hi, integer).map(lambda e: Arg(e.value, False)),
                    junk().filter(lambda e: e.kind != "nan" or e.value is not None).map(lambda e: Arg(e.value, False)),
                    st.sampled_from([[1], np.array([1.0, 2.0]), "5"]).map(lambda v: Arg(v, False)))
    return weighted(good, bad, 8)


def flag_arg() -> st.SearchStrategy[Arg]:
    return weighted(
        st.sampled_from([True, False, np.True_, np.False_]).map(lambda v: Arg(v, True, bool(v))),
        st.sampled_from(["no", "yes", 0, 1, None, "False"]).map(lambda v: Arg(v, False)),
    )


# ---------------------------------------------------------------------------
# Reference tables, typed in from their published sources (not read from the package)
# ---------------------------------------------------------------------------

from reference_values import HT2017, IRIS_GROWTH as IRIS  # noqa: E402,F401 (published values, one place)

PCTS = (10, 25, 50, 75, 90)
#: Acadience ORF goals: grade -> season -> (benchmark, cut for risk, above).
ACADIENCE = {
    1: {"winter": (23, 16, 34), "spring": (47, 32, 67)},
    2: {"fall": (52, 37, 68), "winter": (72, 55, 91), "spring": (87, 65, 104)},
    3: {"fall": (70, 55, 90), "winter": (86, 68, 105), "spring": (100, 80, 118)},
}
SEASON_WORDS = {"fall": "fall", "winter": "winter", "spring": "spring", "boy": "fall", "moy": "winter",
                "eoy": "spring", "autumn": "fall", "beginning of year": "fall", "middle of year": "winter",
                "end of year": "spring"}


def grade_arg(valid: range | tuple) -> st.SearchStrategy[Arg]:
    """A grade: whole numbers in several types (3, 3.0, np.int64(3)), or junk."""
    good = st.tuples(st.sampled_from(list(valid)), st.integers(0, 3)).map(
        lambda t: Arg([t[0], float(t[0]), np.int64(t[0]), np.float64(t[0])][t[1]], True, t[0]))
    outside = [g for g in range(-2, 15) if g not in valid]
    bad = st.one_of(
        st.sampled_from(outside).map(lambda g: Arg(g, False)),
        st.sampled_from([2.5, "3", "grade 3", None, float("nan"), float("inf"), True, [3], {}, 10**400,
                         pd.Timestamp("2024-01-01"), np.datetime64("2024-01-01"), 45000]).map(lambda v: Arg(v, False)),
    )
    return weighted(good, bad, 8)


class Flags(Elements):
    """Yes/no values: True/False and 1/0 in Python and numpy types; anything else is bad."""

    GOOD = [True, False, 1, 0, 1.0, 0.0, np.True_, np.False_, np.int64(1), np.float64(0.0), np.int8(0)]
    BAD_NUMBERS = [2, -1, 0.5, 1.0000001, 45000]

    def __init__(self):
        super().__init__(0, 1, True)
        self.junk = [(k, v) for k, v in _JUNK_FLAT if k not in ("bool",)]

    def good(self, rng: np.random.Generator) -> Elem:
        v = self.GOOD[int(rng.integers(len(self.GOOD)))]
        return Elem(v, "ok", float(v))

    def bad(self, rng: np.random.Generator) -> Elem:
        if rng.random() < 0.3:
            v = self.BAD_NUMBERS[int(rng.integers(len(self.BAD_NUMBERS)))]
            return Elem(v, "range", float(v))
        k, v = self.junk[int(rng.integers(len(self.junk)))]
        return Elem(v, k)


@st.composite
def paired(draw, *elems: Elements, min_size: int = 1, max_size: int = 12, scalar: bool = True):
    """Vectors meant to be of one length (a length mismatch 1 time in 8)."""
    n = draw(st.integers(min_size, max_size))
    out = []
    for e in elems:
        m = n
        if draw(_PCT) < 12:
            m = max(0, n + draw(st.sampled_from([-1, 1, 2])))
        if m == 0:
            out.append(Vec([], [], "list", "empty"))
        elif draw(_PCT) < 4:  # any vector, container problems included
            out.append(draw(vectors(e, scalar=scalar, max_size=max_size, min_size=min_size)))
        else:
            out.append(draw(vectors(e, size=m, scalar=scalar)))
    return tuple(out)


def length_bad(*vecs: Vec) -> dict:
    """Bad entry for a length mismatch between otherwise readable vectors."""
    lengths = {len(v) for v in vecs if v.problem is None}
    return {"length mismatch": None} if len(lengths) > 1 else {}
