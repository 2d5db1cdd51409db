"""Your own data: CSV files and table rows, every bad input named by row."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.datasets import load
from backprop.userdata import (
    MAX_BYTES,
    MAX_ROWS,
    DataError,
    fits_link,
    from_link,
    from_rows,
    parse_csv,
    to_csv,
    to_link,
)

XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def test_the_xor_table_reads_as_the_xor_dataset():
    X, y = parse_csv(XOR_CSV.encode())
    X0, y0 = load("xor")
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_columns_in_any_order_with_spaces_bom_and_blank_lines():
    X, y = parse_csv("\ufeffY, X2 ,x1\n\n1, 2.5, -1\r\n0,0,3\n")
    np.testing.assert_array_equal(X, [[-1.0, 3.0], [2.5, 0.0]])
    np.testing.assert_array_equal(y, [[1.0, 0.0]])


def test_csv_round_trips_exactly():
    X, y = load("xor-cloud", 30, 0.3, seed=1)
    X2, y2 = parse_csv(to_csv(X, y))
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,b,c\n1,2,0\n", "row 1 (the header): unknown column(s) 'a', 'b', 'c'"),
    ("x1,x2\n1,2\n", "row 1 (the header): missing column(s) y"),
    ("x1,x2,y,y\n1,2,0,1\n", "a column appears twice"),
    ("x1,x2,y\n0,0,0\n1,1\n", "row 3: expected 3 values"),
    ("x1,x2,y\n0,0,0\n1,abc,1\n", "row 3: x2 must be a number, got 'abc'"),
    ("x1,x2,y\n0,0,0\nnan,1,1\n", "row 3: x1 must be a finite number"),
    ("x1,x2,y\n0,0,0\n1e400,1,1\n", "row 3: x1 must be a finite number"),
    ("x1,x2,y\n0,0,0\n1,1,2\n", "row 3: y must be 0 or 1, got 2"),
    ("x1,x2,y\n0,0,0.5\n1,1,1\n", "row 2: y must be 0 or 1, got 0.5"),
    ("x1,x2,y\n0,0,0\n1,1,0\n", "every point has y = 0: add at least one point with y = 1"),
    ("x1,x2,y\n", "no points"),
])
def test_bad_files_get_one_line_naming_the_row(text, message):
    with pytest.raises(DataError) as err:
        parse_csv(text.encode())
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_not_utf8_names_the_row():
    with pytest.raises(DataError, match="row 2: not UTF-8"):
        parse_csv(b"x1,x2,y\n\xff,0,1\n")


def test_size_limits():
    with pytest.raises(DataError, match="too large"):
        parse_csv(b"x1,x2,y\n" + b"0,0,0\n" * (MAX_BYTES // 6 + 1))
    rows = "x1,x2,y\n" + "0,0,0\n0,1,1\n" * (MAX_ROWS // 2) + "1,1,0\n"
    with pytest.raises(DataError, match=f"row {MAX_ROWS + 2}: too many rows"):
        parse_csv(rows.encode())


def test_table_rows_are_checked_the_same_way():
    X, y = from_rows([[0, 0, 0], [1, 1, 1.0]])
    np.testing.assert_array_equal(X, [[0, 1], [0, 1]])
    with pytest.raises(DataError, match="row 2: x1 must be a number, got None"):
        from_rows([[0, 0, 0], [None, 1, 1]])
    with pytest.raises(DataError, match="row 1: x2 must be a number"):
        from_rows([[0, True, 0], [1, 1, 1]])


def test_link_form_is_compact_and_exact():
    X, y = parse_csv(XOR_CSV)
    assert to_link(X, y) == "0,0,0;0,1,1;1,0,1;1,1,0"
    cloud = load("xor-cloud", 20, 0.3, seed=2)
    X2, y2 = from_link(to_link(*cloud))
    np.testing.assert_array_equal(X2, cloud[0])
    np.testing.assert_array_equal(y2, cloud[1])


def test_big_data_does_not_fit_a_link():
    assert fits_link(*load("xor"))
    assert not fits_link(*load("xor-cloud", 500, 0.3, seed=0))


@pytest.mark.parametrize("text, message", [
    ("", "no points"),
    ("0,0,0;1,1", "row 2: expected 3 values"),
    ("0,0,0;1,x,1", "row 2: x2 must be a number"),
    ("0,0,1;1,1,1", "every point has y = 1"),
])
def test_bad_link_data_is_refused_with_a_message(text, message):
    with pytest.raises(DataError, match=message):
        from_link(text)
