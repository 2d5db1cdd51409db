"""The shared stores of ``ui.cache``: what they hand out equals what Plotly and the
table builder give when asked directly, however the store got there."""

from __future__ import annotations

import numpy as np
import pytest

import ui.cache as cache
from backprop import TrainConfig, look, tables
from backprop.datasets import LABEL_EVERY_SAMPLE

XOR = TrainConfig(epochs=600, seed=3)
CIRCLES = TrainConfig(dataset="circles", samples=40, lr=0.02, epochs=400, seed=1)


@pytest.fixture(autouse=True)
def cold_stores():
    cache.clear()
    yield
    cache.clear()


def built(name, config, k, *options) -> dict:
    """The figure as Plotly's own ``to_dict`` gives it, freshly built: the reference."""
    return cache.FIGURES[name](cache.cached_run(config), None, k, *options).to_dict()


def checkpoints(config) -> list[int]:
    n = len(cache.cached_run(config).history.epochs)
    return [n - 1, 0, n // 2, 1]  # the first asked for is the one a store builds from


@pytest.mark.parametrize("config", [XOR, CIRCLES], ids=["xor", "circles"])
@pytest.mark.parametrize("log", [False, True])
def test_the_loss_figure_at_every_checkpoint_is_the_one_plotly_builds(config, log):
    for k in checkpoints(config):
        got = cache.cached_figure("loss", config, None, k, log).to_dict()
        assert got == built("loss", config, k, log), f"loss figure differs at checkpoint {k}"


def test_moving_the_epoch_moves_only_the_red_line():
    first, last = (cache.cached_figure("loss", XOR, None, k, False).to_dict()
                   for k in checkpoints(XOR)[1::-1])
    epochs = cache.cached_run(XOR).history.epochs
    lines = [[s for s in f["layout"]["shapes"] if s["xref"] == "x"] for f in (first, last)]
    assert [(ln[0]["x0"], ln[0]["x1"]) for ln in lines] == [(epochs[0],) * 2, (epochs[-1],) * 2]
    assert first["data"] == last["data"]


@pytest.mark.parametrize("name, options", [
    ("surface", ()), ("derivatives", ()), ("activations", ()), ("timeline", ()),
    ("hidden space", ((0, 1),)), ("network", ()), ("gradient flow", ())])
def test_every_stored_figure_equals_plotlys_own_dict(name, options):
    for k in checkpoints(XOR)[:2]:
        got = cache.cached_figure(name, XOR, None, k, *options).to_dict()
        assert got == built(name, XOR, k, *options), f"{name} differs at checkpoint {k}"


MAP_RUNS = {
    "xor": XOR, "circles": CIRCLES,
    "relu, 3 units": TrainConfig(hidden=3, activation="relu", lr=0.5, epochs=300, seed=2),
    "two layers of 6 (thumbnails)": TrainConfig(hidden=(6, 6), activation="tanh", epochs=200),
    "diverged": TrainConfig(lr=1000, epochs=300, seed=1),
}


@pytest.mark.parametrize("validate", [False, True], ids=["as the app runs", "validated"])
@pytest.mark.parametrize("config", MAP_RUNS.values(), ids=MAP_RUNS)
def test_the_map_figures_at_every_checkpoint_are_the_ones_built_afresh(monkeypatch, config,
                                                                       validate):
    """The surface and the σ′ maps are stored once per run and restamped with each
    checkpoint's maps: that must be what building the figure there gives, everywhere."""
    monkeypatch.setattr(look, "VALIDATE", validate)
    ks = range(len(cache.cached_run(config).history.epochs))
    for name in cache.MAPS:
        for k in ks:
            got = cache.cached_figure(name, config, None, k).to_dict()
            assert got == cache.spec_of(cache.FIGURES[name](cache.cached_run(config), None, k),
                                        True), f"{name} differs at checkpoint {k}"
    lines = {cache.draws_boundary(cache.cached_plane(config, None, k)["out"]) for k in ks}
    if config is XOR:
        assert lines == {False, True}, "XOR's early checkpoints have no 0.5 line, later ones do"


@pytest.mark.parametrize("validate", [False, True], ids=["as the app runs", "validated"])
@pytest.mark.parametrize("name, options", [
    ("loss", (False,)), ("surface", ()), ("derivatives", ()), ("activations", ()),
    ("timeline", ()), ("hidden space", ((0, 1),)), ("network", ()), ("gradient flow", ()),
    ("landscape", ())])
def test_a_figure_is_stored_as_plotlys_own_dict_with_or_without_validation(
        monkeypatch, name, options, validate):
    monkeypatch.setattr(look, "VALIDATE", validate)
    figure = cache.FIGURES[name](cache.cached_run(XOR), None, 2, *options)
    want = figure.to_dict()
    assert cache.spec_of(figure, name in cache.ENCODED) == want


def test_the_truth_table_is_the_tables_one_at_that_checkpoint():
    run = cache.cached_run(XOR)
    k = 2
    want = tables.truth_table(run.X, run.y, run.history.at(k)["a2"][0])
    shown = cache.cached_truth_table(XOR, None, k)
    got = shown["table"].to_pandas()
    assert list(got.columns) == list(want.columns)
    assert got.to_dict("list") == want.to_dict("list")
    assert shown["samples"] == 4
    assert shown["right"] == np.mean(want.correct == "✓")


def test_quiz_mode_leaves_the_outputs_out_of_the_table():
    got = cache.cached_truth_table(XOR, None, 0, hide_outputs=True)["table"]
    assert "prediction" not in got.column_names and "correct" not in got.column_names
    assert got.num_rows == 4


def test_many_samples_show_the_first_few_and_count_them_all():
    shown = cache.cached_truth_table(CIRCLES, None, 1)
    assert shown["table"].num_rows == LABEL_EVERY_SAMPLE
    assert shown["samples"] == 40
    assert 0.0 <= shown["right"] <= 1.0
