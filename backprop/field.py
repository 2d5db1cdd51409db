"""One setting's declaration: the ``Field`` that ``config.FIELDS`` lists.

A ``Field`` knows everything about one setting that is not maths: its name, kind,
bounds, default (and the defaults it had in earlier versions), how to read it from
text (URL, CLI) and from JSON (run files), how to say what is allowed, and how the
sidebar, ``--help`` and the README show it. Every kind-specific rule lives here,
so a new kind of setting (``widths``, a comma list of layer widths, was the last) is
one more branch in ``parse``, ``check``, ``from_json``, ``allowed`` and ``text``.
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
# ``widths`` is a tuple of whole numbers, one per layer, written ``3,2`` as text.
KIND_TYPES = {"int": int, "float": float, "choice": str, "points": str, "widths": tuple}


@dataclass(frozen=True)
class Field:
    """One setting, declared once: everything the UI, URL, CLI, run files and docs need.

    name : the one word used as config field, CLI flag, URL parameter and run-file key.
    kind : ``int``, ``float``, ``choice``, ``points`` or ``widths``; ``lo``/``hi`` bound
        numbers, ``choices`` lists the allowed words (the keys of the engine's registry),
        ``points`` holds data points as ``x1,x2,y;...`` text ("" for none), ``widths``
        is 1 to ``most`` whole numbers in ``lo``..``hi`` (``(3, 2)``, written ``3,2``).
    default : the value when nothing sets it (the tutorial's, where it has one).
    earlier : ``(last_version, default)`` pairs, only for a default that changed: a file
        or link of version <= ``last_version`` that leaves this setting out meant that
        default. Empty while the default has never changed.
    label, help : the widget's label and tooltip (also the CLI's ``--help``).
    most : the most numbers a ``widths`` value holds.
    widget : ``select``, ``slider``, ``number``, ``table`` (points: an editor) or
        ``text`` (a text box: widths);
        ``step`` and ``fmt`` shape a number input.
    names : how each choice is shown to a person (``{"mse": "½ squared error"}``).
    live : ``keep`` if live training keeps its weights when this changes, ``reset``
        if it starts over (a new architecture, init or data).
    when : ``(setting, values)`` pairs: this setting means something only while each of
        those settings has one of its values (``(("optimizer", ("momentum",)),)``);
        empty means always. Its widget is hidden otherwise, but its value is kept.
    """

    name: str
    kind: str
    label: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    lo_open: bool = False  # True when ``lo`` itself is not allowed (lr > 0)
    most: int = 1
    default: object = None
    earlier: tuple[tuple[int, object], ...] = ()
    help: str = ""
    widget: str = "number"
    step: float | None = None
    fmt: str | None = None
    names: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    live: str = "reset"
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self):
        if self.kind not in KIND_TYPES:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        for _, value in ((None, self.default), *self.earlier):
            self.parse(value)  # a default outside its own bounds is a declaration bug

    @property
    def type(self) -> type:
        """The Python type of a value: ``int``, ``float``, ``str`` or ``tuple``."""
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

    def applies(self, settings) -> bool:
        """Whether this setting means anything beside ``settings`` (a config, or a mapping
        of every setting's name to its value). ``when`` empty: always."""
        get = settings.get if hasattr(settings, "get") else (
            lambda name: getattr(settings, name, None))
        return all(get(name) in values for name, values in self.when)

    def only_for(self) -> str:
        """``when`` in words, for help and docs: ``only for dataset xor-cloud, circles``."""
        return "; ".join(f"only for {name} {', '.join(values)}" for name, values in self.when)

    def allowed(self) -> str:
        """The allowed range as a sentence fragment, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "points":
            return (f"points x1,x2,y;x1,x2,y;... (at most {userdata.MAX_ROWS:,}, "
                    "y 0 or 1 and both present), or empty")
        show = (lambda v: f"{v:g}") if self.kind == "float" else (lambda v: str(int(v)))
        low = f"> {show(self.lo)}" if self.lo_open else f">= {show(self.lo)}"
        if self.kind == "widths":
            return (f"1 to {self.most} whole numbers {low} and <= {show(self.hi)}, "
                    "separated by commas (2, or 3,2 for two layers)")
        kind = "a whole number" if self.kind == "int" else "a number"
        return f"{kind} {low} and <= {show(self.hi)}"

    def text(self, value) -> str:
        """A value as text, as a URL or ``--flag`` writes it: ``0.1``, ``2``, ``xor``, ``3,2``."""
        if self.kind == "widths":
            return ",".join(str(int(v)) for v in self.parse(value))
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
        if self.kind == "widths":
            return self._widths(text)
        return self._number(text)

    def _widths(self, value) -> tuple[int, ...]:
        """``"3,2"``, ``3``, ``(3, 2)`` or ``[3, 2]`` -> ``(3, 2)``, each width checked."""
        if isinstance(value, str):
            parts = value.replace(" ", "").split(",")
        elif isinstance(value, (tuple, list)):
            parts = list(value)
        else:
            parts = [value]
        if not 1 <= len(parts) <= self.most or any(isinstance(p, bool) for p in parts):
            raise ValueError(self.message(value))
        try:
            return tuple(self._number(p, whole=True) for p in parts)
        except ValueError:
            raise ValueError(self.message(value)) from None

    def _number(self, text, whole: bool = False):
        """A number within bounds; a whole number for ``int`` (or ``whole``)."""
        try:
            number = float(str(text).strip())
        except ValueError:
            raise ValueError(self.message(text)) from None
        if not math.isfinite(number):
            raise ValueError(self.message(text))
        if self.kind == "int" or whole:
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
        if self.kind == "widths":  # one whole number (one layer), or one per layer
            parts = value if isinstance(value, (tuple, list)) else (value,)
            if not all(isinstance(p, numbers.Integral) and not isinstance(p, bool)
                       for p in parts):
                raise ValueError(self.message(value))
        return self.parse(value)

    def from_json(self, value):
        """A value read from a run file's JSON: strictly of this kind's JSON type."""
        if self.kind == "widths":  # a list of whole numbers (one int before version 3)
            return self.check(value)
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
