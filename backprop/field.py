"""One setting's declaration: the ``Field`` that ``config.FIELDS`` lists.

A ``Field`` knows everything about one setting that is not maths: its name, kind,
bounds, default (and the defaults it had in earlier versions), how to read it from
text (URL, CLI) and from JSON (run files), how to say what is allowed, and how the
sidebar, ``--help`` and the README show it. Every kind-specific rule lives here,
so a new kind of setting (say, a comma list of layer widths) is one more branch in
``parse``, ``from_json``, ``allowed`` and ``text``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from dataclasses import dataclass

from . import userdata

# The Python type of each kind's value, as the TrainConfig field is annotated.
# ``points`` is a set of (x1, x2, y) points in ``userdata.to_link``'s text form
# (``x1,x2,y;x1,x2,y;...``), or "" for none: text, so a config stays hashable.
KIND_TYPES = {"int": int, "float": float, "choice": str, "points": str}


@dataclass(frozen=True)
class Field:
    """One setting, declared once: everything the UI, URL, CLI, run files and docs need.

    name : the one word used as config field, CLI flag, URL parameter and run-file key.
    kind : ``int``, ``float``, ``choice`` or ``points``; ``lo``/``hi`` bound numbers,
        ``choices`` lists the allowed words (the keys of the engine's registry),
        ``points`` holds data points as ``x1,x2,y;...`` text ("" for none).
    default : the value when nothing sets it (the tutorial's, where it has one).
    earlier : ``(last_version, default)`` pairs, only for a default that changed: a file
        or link of version <= ``last_version`` that leaves this setting out meant that
        default. Empty while the default has never changed.
    label, help : the widget's label and tooltip (also the CLI's ``--help``).
    widget : ``select``, ``slider``, ``number`` or ``table`` (points: an editor);
        ``step`` and ``fmt`` shape a number input.
    names : how each choice is shown to a person (``{"mse": "½ squared error"}``).
    live : ``keep`` if live training keeps its weights when this changes, ``reset``
        if it starts over (a new architecture, init or data).
    when : the datasets this setting applies to; empty means all (its widget is
        hidden otherwise, but its value is kept).
    """

    name: str
    kind: str
    label: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    lo_open: bool = False  # True when ``lo`` itself is not allowed (lr > 0)
    default: object = None
    earlier: tuple[tuple[int, object], ...] = ()
    help: str = ""
    widget: str = "number"
    step: float | None = None
    fmt: str | None = None
    names: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    live: str = "reset"
    when: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KIND_TYPES:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        for _, value in ((None, self.default), *self.earlier):
            self.parse(value)  # a default outside its own bounds is a declaration bug

    @property
    def type(self) -> type:
        """The Python type of a value: ``int``, ``float`` or ``str``."""
        return KIND_TYPES[self.kind]

    def default_at(self, version: int):
        """The value a file or link of ``version`` meant when it left this setting out."""
        for last, value in sorted(self.earlier):
            if version <= last:
                return value
        return self.default

    def show(self, value) -> str:
        """A choice as a person reads it (its ``names`` entry), else the value itself."""
        return self.names.get(value, str(value))

    def applies(self, dataset: str) -> bool:
        """Whether this setting means anything for ``dataset`` (``when`` empty: always)."""
        return not self.when or dataset in self.when

    def allowed(self) -> str:
        """The allowed range as a sentence fragment, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "points":
            return (f"points x1,x2,y;x1,x2,y;... (at most {userdata.MAX_ROWS:,}, "
                    "y 0 or 1 and both present), or empty")
        show = (lambda v: str(int(v))) if self.kind == "int" else (lambda v: f"{v:g}")
        low = f"> {show(self.lo)}" if self.lo_open else f">= {show(self.lo)}"
        kind = "a whole number" if self.kind == "int" else "a number"
        return f"{kind} {low} and <= {show(self.hi)}"

    def text(self, value) -> str:
        """A value as text, the way a URL or ``--flag`` writes it: ``0.1``, ``2``, ``xor``."""
        return repr(value) if isinstance(value, float) else str(value)

    def parse(self, text):
        """Turn text (or a Python value) into this field's type, or raise ValueError."""
        if self.kind == "choice":
            value = str(text).strip().lower()
            if value not in self.choices:
                raise ValueError(self.message(text))
            return value
        if self.kind == "points":
            try:
                return _points_text(str(text).strip())
            except userdata.DataError as err:
                raise ValueError(f"{self.message(text)} ({err})") from None
        try:
            number = float(str(text).strip())
        except ValueError:
            raise ValueError(self.message(text)) from None
        if not math.isfinite(number):
            raise ValueError(self.message(text))
        if self.kind == "int":
            if number != int(number):
                raise ValueError(self.message(text))
            number = int(number)
        too_low = number <= self.lo if self.lo_open else number < self.lo
        if too_low or number > self.hi:
            raise ValueError(self.message(text))
        return number

    def check(self, value):
        """A Python value (a constructor argument), strictly: no bools, no "3" for 3."""
        if isinstance(value, bool) or (self.kind == "points" and not isinstance(value, str)):
            raise ValueError(self.message(value))
        if self.kind == "int" and not isinstance(value, numbers.Integral):
            raise ValueError(self.message(value))
        return self.parse(value)

    def from_json(self, value):
        """A value read from a run file's JSON: strictly of this kind's JSON type."""
        wanted = str if self.kind in ("choice", "points") else (int, float)
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ValueError(self.message(value))
        return self.parse(value)

    def message(self, value) -> str:
        """``lr must be a number >= 1e-06 and <= 1000, got 'abc'`` (long values shortened)."""
        shown = str(value)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        return f"{self.name} must be {self.allowed()}, got {shown!r}"


@functools.lru_cache(maxsize=32)
def _points_text(text: str) -> str:
    """Points text checked and written the one exact way (``to_link``); "" stays "".

    Cached: every ``TrainConfig`` checks its data, and 10,000 points take a while.
    """
    return userdata.to_link(*userdata.from_link(text)) if text else ""
