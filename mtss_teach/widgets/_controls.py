"""Controls and how a link writes their values: a Dropdown that can show
``None``, "all" options, and the encoding of a control's value in a link.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import ipywidgets as W
from traitlets import observe

__all__ = ["Dropdown", "options_with_all"]


class Dropdown(W.Dropdown):
    """An ipywidgets Dropdown that shows its current choice when that choice is ``None``.

    ipywidgets 8 shows a blank box for the value ``None`` even when an
    option ``("All schools", None)`` exists (it clears the selection
    instead of selecting that option). Here ``None`` selects the option
    whose value is ``None``, if there is one.

    Examples
    --------
    >>> from mtss_teach.widgets._base import Dropdown
    >>> d = Dropdown()
    >>> d.options = [("All schools", None), ("School 01", "School 01")]
    >>> d.value = None
    >>> d.index, d.label
    (0, 'All schools')
    """

    def _none_index(self) -> int | None:
        vals = getattr(self, "_options_values", ())
        for i, v in enumerate(vals):
            if v is None:
                return i
        return None

    @observe("options")
    def _propagate_options(self, change: Any) -> None:
        super()._propagate_options(change)
        if self.index is None and self.value is None and not self._initializing_traits_:
            i = self._none_index()
            if i is not None:
                self.index = i

    @observe("value")
    def _propagate_value(self, change: Any) -> None:
        if change.new is None:
            i = self._none_index()
            if i is not None:
                if self.index != i:
                    self.index = i
                return
        super()._propagate_value(change)


def options_with_all(values: Sequence[Any], all_label: str) -> list[tuple[str, Any]]:
    """Dropdown options: ``(all_label, None)`` then each value.

    Use them with :class:`Dropdown` (not ``ipywidgets.Dropdown``, which
    shows a blank box for the value ``None``).
    """
    return [(all_label, None)] + [(str(v), v) for v in values]


def _encode(value: Any) -> str:
    """A control's value as a link writes it."""
    if value is None:
        return "all"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def _decode(widget: W.Widget, text: str) -> Any:
    """A link's text as a value for ``widget``; ValueError when the widget cannot take it."""
    opts = getattr(widget, "options", None)
    if opts is not None and not isinstance(widget, (W.IntSlider, W.FloatSlider)):
        for o in opts:
            v = o[1] if isinstance(o, tuple) else o
            if _encode(v) == text or (isinstance(v, str) and v.lower() == text.lower()):
                return v
        raise ValueError(text)
    if isinstance(widget, W.Checkbox):
        t = text.lower()
        if t in ("yes", "true", "1", "on"):
            return True
        if t in ("no", "false", "0", "off"):
            return False
        raise ValueError(text)
    if isinstance(widget, (W.IntSlider, W.IntText, W.BoundedIntText)):
        v = float(text)
        if not math.isfinite(v) or v != int(v):
            raise ValueError(text)
        lo, hi = getattr(widget, "min", None), getattr(widget, "max", None)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValueError(text)
        return int(v)
    if isinstance(widget, (W.FloatText, W.FloatSlider, W.BoundedFloatText)):
        return float(text)
    return text
