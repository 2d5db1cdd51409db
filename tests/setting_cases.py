"""Test cases generated from each setting's declaration, so a new setting needs no test edit.

Only a new *kind* of setting (as ``widths``, a comma list of layer widths, was) needs a
branch here.
"""

from __future__ import annotations

from hypothesis import strategies as st

from backprop import userdata
from backprop.config import FIELDS, TrainConfig

SMALL = TrainConfig(epochs=50)  # a run small enough for every run-file test

# A point: x1, x2 any size the data allows, and a label.
_POINT = st.tuples(st.floats(-userdata.MAX_ABS, userdata.MAX_ABS),
                   st.floats(-userdata.MAX_ABS, userdata.MAX_ABS), st.sampled_from([0, 1]))


def _points_text(points) -> str:
    X = [[p[0] for p in points], [p[1] for p in points]]
    return userdata.to_link(X, [[p[2] for p in points]])


def other_value(field):
    """A valid value of ``field`` other than its default (one per kind of setting)."""
    if field.kind == "choice":
        return next(c for c in field.choices if c != field.default)
    if field.kind == "points":
        return "0,0,0;1,1,1"
    if field.kind == "widths":  # one layer more
        return (*field.default, 2) if len(field.default) < field.most else field.default[:-1]
    if field.kind == "int":
        return field.default + 1 if field.default + 1 <= field.hi else field.default - 1
    return round((field.default + min(field.hi, 2 * field.default + 1)) / 2, 4)


def valid(field):
    """A hypothesis strategy for every allowed value of ``field``."""
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    if field.kind == "points":  # none, or a few points with both labels
        both = st.lists(_POINT, min_size=1, max_size=6).map(
            lambda pts: [*pts, (0.0, 0.0, 0), (1.0, 1.0, 1)])
        return st.one_of(st.just(""), both.map(_points_text))
    if field.kind == "widths":
        return st.lists(st.integers(int(field.lo), int(field.hi)), min_size=1,
                        max_size=field.most).map(tuple)
    if field.kind == "int":
        return st.integers(int(field.lo), int(field.hi))
    return st.floats(field.lo, field.hi, exclude_min=field.lo_open)


def _below(field) -> float:
    if field.lo_open:
        return field.lo
    return field.lo - 1 if field.kind in ("int", "widths") else field.lo - abs(field.lo) / 2 - 0.01


def _above(field) -> float:
    if field.kind in ("int", "widths"):
        return field.hi + 1
    return field.hi + max(abs(field.hi) / 100, 0.01)


def bad_texts(field) -> list[str]:
    """Text a URL or a ``--flag`` may carry that ``field`` must refuse."""
    if field.kind == "choice":
        return ["", f"not-a-{field.name}", field.choices[0] + "x", field.choices[0] + ";drop"]
    if field.kind == "points":  # a short row, a bad label, one label only, not numbers
        return ["0,0", "0,0,2;1,1,1", "0,0,0;1,1,0", "a,b,c", "nan,0,0;1,1,1", "0,0,0;1,1,1;",
                "1e7,0,0;1,1,1"]
    if field.kind == "widths":  # a width out of bounds, too many layers, no width, not numbers
        lo, hi, most = int(field.lo), int(field.hi), field.most
        return [f"{lo - 1}", f"{hi + 1}", f"2,{hi + 1}", ",".join(["2"] * (most + 1)), "",
                ",", "2,", "3,,2", "abc", "2;3", "2.5", "nan", "inf", "1e999", "3,-1"]
    texts = [field.text(field.type(_below(field))), field.text(field.type(_above(field))),
             "", "abc", "nan", "inf", "-inf", "1e999"]
    if field.kind == "int":
        texts.append(f"{int(field.lo) + 0.5}")
    return texts


def bad_values(field) -> list:
    """Python values the ``TrainConfig`` constructor must refuse for ``field``."""
    if field.kind == "choice":
        return [f"not-a-{field.name}", 3]
    if field.kind == "points":
        return [3, True, "0,0,0", ["0,0,0", "1,1,1"]]
    if field.kind == "widths":
        lo, hi = int(field.lo), int(field.hi)
        return [lo - 1, hi + 1, (2, hi + 1), (2,) * (field.most + 1), (), True, (2, True),
                2.5, "2", ("2",), None]
    values = [field.type(_below(field)), field.type(_above(field)), True]
    if field.kind == "int":
        return [*values, int(field.lo) + 0.5, str(int(field.lo))]
    return [*values, float("nan"), float("inf")]


BAD_TEXTS = [(name, text) for name, field in FIELDS.items() for text in bad_texts(field)]
BAD_VALUES = [(name, value) for name, field in FIELDS.items() for value in bad_values(field)]
