"""Random sub-streams of one seed (one per component) and correlated normal draws."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import DataError
from .params import _STREAMS


class _Draws:
    """Named random sub-streams of one seed; counts the variates drawn."""

    def __init__(self, seed: int):
        self.seed = seed
        self.normals = 0

    def stream(self, name: str) -> "_Stream":
        ss = np.random.SeedSequence(self.seed, spawn_key=(_STREAMS[name],))
        return _Stream(np.random.Generator(np.random.PCG64(ss)), self)


class _Stream:
    def __init__(self, rng: np.random.Generator, owner: _Draws):
        self.rng = rng
        self.owner = owner

    def normal(self, size: Any) -> np.ndarray:
        out = self.rng.standard_normal(size)
        self.owner.normals += out.size
        return out

    def random(self, size: Any) -> np.ndarray:
        return self.rng.random(size)


def _chol3(r01: float, r02: float, r12: float) -> list[list[float]]:
    """Cholesky factor of a 3x3 correlation matrix in plain floats (portable)."""
    l00 = 1.0
    l10 = r01
    l11 = math.sqrt(1.0 - l10 * l10)
    l20 = r02
    l21 = (r12 - l20 * l10) / l11
    arg = 1.0 - l20 * l20 - l21 * l21
    if arg <= 0:
        raise DataError("season correlations do not form a valid correlation matrix")
    return [[l00, 0.0, 0.0], [l10, l11, 0.0], [l20, l21, math.sqrt(arg)]]


def _correlated3(N: np.ndarray, L: list[list[float]]) -> list[np.ndarray]:
    """Three correlated standard-normal rows from three independent rows."""
    a = L[0][0] * N[0]
    b = L[1][0] * N[0] + L[1][1] * N[1]
    c = L[2][0] * N[0] + L[2][1] * N[1] + L[2][2] * N[2]
    return [a, b, c]
