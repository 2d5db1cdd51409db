"""The training replay: an offline HTML page with one frame per checkpoint."""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.replay import replay_figure, replay_html


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(seed=2, epochs=3000))


def test_one_frame_per_checkpoint_with_that_epochs_surface(run):
    figure = replay_figure(run, resolution=5)
    assert [int(f.name) for f in figure.frames] == list(run.history.epochs)
    k = len(run.history.epochs) // 2
    params = {name: run.history.steps[name][k] for name in nn.PARAM_NAMES}
    xs = figure.data[0].x
    gx, gy = np.meshgrid(xs, figure.data[0].y)
    expected = nn.forward(params, np.vstack([gx.ravel(), gy.ravel()]))["a2"].reshape(gx.shape)
    np.testing.assert_allclose(np.asarray(figure.frames[k].data[0].z), expected, atol=5e-4)
    # the marker on the curve sits at that epoch's MSE
    marker = figure.frames[k].data[1]
    assert marker.x[0] == run.history.epochs[k]
    assert marker.y[0] == pytest.approx(run.mse[run.history.epochs[k]])


def test_page_is_self_contained(run):
    page = replay_html(run)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", page), "must not load scripts from the network"
    assert "plotly" in page.lower() and len(page) < 12_000_000


def test_title_is_escaped(run):
    page = replay_html(run, title="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
