"""Exceptions raised by :mod:`mtss_teach`."""

from __future__ import annotations

__all__ = ["DataError"]


class DataError(ValueError):
    """Bad input: the message names the argument and the row or position.

    A subclass of :class:`ValueError`, so ``except ValueError`` still works.

    Examples
    --------
    >>> from mtss_teach import DataError
    >>> issubclass(DataError, ValueError)
    True
    """
