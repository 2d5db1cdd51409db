"""Datasets, and your own points as the ``custom`` dataset (the ``data`` setting)."""

from __future__ import annotations

import numpy as np
import pytest
from reference import assert_matches

from backprop import TrainConfig, train
from backprop.config import FIELDS, from_dict, link_fits, read_query, to_query
from backprop.datasets import CUSTOM, load
from backprop.training import dataset
from backprop.userdata import MAX_LINK_CHARS, parse_csv, to_link

XOR_POINTS = "0,0,0;0,1,1;1,0,1;1,1,0"  # the tutorial's table, typed by hand
XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def test_custom_data_is_its_points_in_order():
    X, y = dataset(TrainConfig(dataset=CUSTOM, data="0.5,-2,1;3,4,0;0.001,0,1"))
    assert X.tolist() == [[0.5, 3.0, 0.001], [-2.0, 4.0, 0.0]]
    assert y.tolist() == [[1.0, 0.0, 1.0]]


def test_custom_without_points_is_the_xor_table():
    X, y = load(CUSTOM)
    assert X.tolist() == [[0, 0, 1, 1], [0, 1, 0, 1]] and y.tolist() == [[0, 1, 1, 0]]


def test_the_points_are_copies():
    config = TrainConfig(dataset=CUSTOM, data=XOR_POINTS)
    X, _ = dataset(config)
    X[0, 0] = 99.0
    assert dataset(config)[0][0, 0] == 0.0


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("settings", [{}, {"loss": "bce", "update": "online", "epochs": 3000}],
                         ids=["tutorial", "bce-online"])
def test_the_xor_table_as_a_csv_reproduces_the_tutorial_run(engine, settings):
    """The brief's promise: your own XOR table is the tutorial's run, MSE and weights."""
    X, y = parse_csv(XOR_CSV)
    mine = train(TrainConfig(dataset=CUSTOM, data=to_link(X, y), **settings), engine=engine)
    tutorial = train(TrainConfig(**settings), engine=engine)
    assert_matches({**tutorial.params, "mse": tutorial.mse}, {**mine.params, "mse": mine.mse},
                   atol=1e-12)


@pytest.mark.parametrize("written, canonical", [
    ("0,0,0;1,1,1", "0,0,0;1,1,1"),
    (" 0.50,1e-3,1 ; 2.0,-0,0 ", "0.5,0.001,1;2,-0,0"),
])
def test_points_are_written_one_exact_way(written, canonical):
    assert TrainConfig(dataset=CUSTOM, data=written).data == canonical


@pytest.mark.parametrize("value, fragment", [
    ("0,0,2;1,1,1", "row 1: y must be 0 or 1, got 2"),
    ("0,0,0;1,1,0", "every point has y = 0"),
    ("0,0,0;1,x,1", "row 2: x2 must be a number, got 'x'"),
    (3, "got '3'"),
])
def test_bad_points_are_refused_naming_the_setting_and_the_row(value, fragment):
    with pytest.raises(ValueError, match="^data must be points") as err:
        TrainConfig(dataset=CUSTOM, data=value)
    assert fragment in str(err.value)


def test_points_round_trip_through_a_link():
    config = TrainConfig(dataset=CUSTOM, data="0.1,0.2,0;0.3,0.4,1", epochs=50)
    query = to_query(config)
    assert query["data"] == "0.1,0.2,0;0.3,0.4,1" and link_fits(config)
    assert read_query(query).config == config


def test_points_too_long_for_a_link_stay_out_of_it():
    n = MAX_LINK_CHARS // 10 + 50  # each point "0.12,0.5,1;" is 11 characters
    X = np.array([np.full(n, 0.12), np.full(n, 0.5)])
    y = (np.arange(n) % 2)[None, :]
    config = TrainConfig(dataset=CUSTOM, data=to_link(X, y))
    assert len(config.data) > MAX_LINK_CHARS
    assert "data" not in to_query(config) and not link_fits(config)
    assert set(to_query(config)) == {"v", *FIELDS} - {"data"}


def test_a_link_or_file_without_data_keeps_its_dataset():
    read = read_query({"v": "2", "dataset": "and"})
    assert (read.config.dataset, read.config.data) == ("and", "")
    assert "data" in read.filled
    assert from_dict({"dataset": "circles"}).config.data == ""


def test_a_bad_link_data_warns_and_falls_back():
    read = read_query({"v": "2", "dataset": CUSTOM, "data": "0,0,0;1,1,7"})
    assert read.config.data == ""
    (warning,) = read.warnings
    assert warning.startswith("data must be points") and "row 2: y must be 0 or 1, got 7" \
        in warning and warning.endswith("using none")
