"""Your own data: points (x1, x2) with a 0/1 label, from a CSV file or a table.

``parse_csv`` trusts nothing. A file must be UTF-8 text of at most ``MAX_BYTES``,
with a header naming the columns ``x1``, ``x2`` and ``y`` (in any order; other
columns are refused, so a typo is not silently ignored), at most ``MAX_ROWS``
rows of finite numbers, ``y`` 0 or 1, and both labels present. Each problem raises
``DataError`` with one line naming the row (as a spreadsheet numbers it: the
header is row 1) and what is wrong.

The result is ``(X, y)`` shaped like every dataset here: ``X`` (2, n), ``y`` (1, n).
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

COLUMNS = ("x1", "x2", "y")
MAX_ROWS = 10_000
MAX_BYTES = 5_000_000
MAX_ABS = 1e6  # inputs beyond this are surely a mistake (and would saturate every unit)
MAX_LINK_CHARS = 2000  # data longer than this stays out of the link (browsers and servers
                       # cut long addresses); the app says so
MAX_POINTS_CHARS = 80 * MAX_ROWS  # the link form of MAX_ROWS points (a point is <= 77 chars)


class DataError(ValueError):
    """A data file or table that cannot be used; the message names the row and the problem."""


def parse_csv(data: bytes | str) -> tuple[np.ndarray, np.ndarray]:
    """Read x1, x2, y points from CSV text or bytes; raise ``DataError`` if anything is wrong."""
    text = _text(data)
    rows = list(csv.reader(io.StringIO(text)))
    rows = [row for row in rows if any(cell.strip() for cell in row)]  # blank lines
    if not rows:
        raise DataError("the file is empty: expected a header x1,x2,y and one row per point")
    header = [cell.strip().lower() for cell in rows[0]]
    order = _columns(header)
    points = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"row {number}: expected {len(header)} values "
                            f"({', '.join(header)}), got {len(row)}")
        points.append([_number(number, name, row[order[name]]) for name in COLUMNS])
        if len(points) > MAX_ROWS:
            raise DataError(f"row {number}: too many rows; at most {MAX_ROWS:,} points")
    return from_rows(points, first_row=2)


def from_rows(points, first_row: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Check a list of (x1, x2, y) rows (e.g. from a table editor); return ``(X, y)``.

    first_row : how the first point is numbered in messages.
    """
    if len(points) == 0:
        raise DataError("no points: add at least one point with y = 0 and one with y = 1")
    if len(points) > MAX_ROWS:
        raise DataError(f"too many points: {len(points):,}; at most {MAX_ROWS:,}")
    array = np.empty((len(points), 3))
    for i, point in enumerate(points):
        number = first_row + i
        if len(point) != 3:
            raise DataError(f"row {number}: expected 3 values (x1, x2, y), got {len(point)}")
        array[i] = [_number(number, name, value) for name, value in zip(COLUMNS, point,
                                                                          strict=True)]
    labels = array[:, 2]
    bad = np.flatnonzero((labels != 0) & (labels != 1))
    if bad.size:
        raise DataError(f"row {first_row + int(bad[0])}: y must be 0 or 1, "
                        f"got {_shown(labels[bad[0]])}")
    for label in (0, 1):
        if not np.any(labels == label):
            raise DataError(f"every point has y = {1 - label}: add at least one point "
                            f"with y = {label}")
    return array[:, :2].T.copy(), labels[None, :].copy()


def to_csv(X, y) -> str:
    """The points as CSV text with a header, floats written exactly (``repr``)."""
    lines = ["x1,x2,y"]
    lines += [f"{float(a)!r},{float(b)!r},{int(t)}" for a, b, t in zip(X[0], X[1], y[0],
                                                                        strict=True)]
    return "\n".join(lines) + "\n"


def to_link(X, y) -> str:
    """The points in a link's compact form, ``x1,x2,y;x1,x2,y;...`` (shortest exact floats)."""
    return ";".join(f"{_short(a)},{_short(b)},{int(t)}" for a, b, t in zip(X[0], X[1], y[0],
                                                                          strict=True))


def fits_link(X, y) -> bool:
    """Whether these points are small enough to travel in a link."""
    return len(to_link(X, y)) <= MAX_LINK_CHARS


def from_link(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Read ``to_link``'s form (a link's or a run file's ``data``); the same checks and
    messages as a table, points numbered from 1."""
    if not isinstance(text, str) or not text.strip():
        raise DataError("no points: expected x1,x2,y;x1,x2,y;...")
    if len(text) > MAX_POINTS_CHARS or text.count(";") >= MAX_ROWS:
        raise DataError(f"too many points ({text.count(';') + 1:,} in {len(text):,} "
                        f"characters); at most {MAX_ROWS:,}")
    return from_rows([chunk.split(",") for chunk in text.split(";")], first_row=1)


def _short(value) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _text(data) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", errors="replace")
    if not isinstance(data, (bytes, bytearray)):
        raise DataError(f"a data file is text or bytes, not {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise DataError(f"too large: {len(data):,} bytes; a data file is at most "
                        f"{MAX_BYTES:,} bytes")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = bytes(data)[:err.start].count(b"\n") + 1
        raise DataError(f"row {line}: not UTF-8 text (invalid byte at position "
                        f"{err.start})") from None


def _columns(header: list[str]) -> dict[str, int]:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or len(set(header)) != len(header):
        problem = (f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown
                   else "a column appears twice")
        raise DataError(f"row 1 (the header): {problem[:80]}; expected exactly x1, x2, y")
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise DataError(f"row 1 (the header): missing column(s) {', '.join(missing)}; "
                        "expected x1, x2, y")
    return {name: header.index(name) for name in COLUMNS}


def _number(row: int, name: str, value) -> float:
    if isinstance(value, bool):
        raise DataError(f"row {row}: {name} must be a number, got {value!r}")
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise DataError(f"row {row}: {name} must be a number, got {_shown(value)}") from None
    if not math.isfinite(number) or abs(number) > MAX_ABS:
        raise DataError(f"row {row}: {name} must be a finite number of size at most "
                        f"{MAX_ABS:g}, got {_shown(value)}")
    return number


def _shown(value) -> str:
    text = repr(value) if not isinstance(value, float) else f"{value:g}"
    return text if len(text) <= 30 else text[:27] + "..."
