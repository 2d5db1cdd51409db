"""The training replay at depth 3: each frame is the output of that checkpoint's network."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, train
from backprop.replay import replay_figure, replay_html
from tests.reference_deep import DeepNetwork

HIDDEN = (4, 3, 2)


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(hidden=HIDDEN, optimizer="adam", lr=0.02, epochs=1500))


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_each_frame_is_the_output_of_that_checkpoints_network(run, which):
    figure = replay_figure(run, resolution=5)
    assert [int(f.name) for f in figure.frames] == list(run.history.epochs)
    k = {"first": 0, "middle": len(run.history.epochs) // 2, "last": -1}[which]
    net = DeepNetwork(HIDDEN)
    net.W = [run.history.steps[f"W{i}"][k] for i in range(1, 5)]
    net.b = [run.history.steps[f"b{i}"][k] for i in range(1, 5)]
    gx, gy = np.meshgrid(figure.data[0].x, figure.data[0].y)
    expected = net.forward(np.vstack([gx.ravel(), gy.ravel()]))[-1].reshape(gx.shape)
    np.testing.assert_allclose(np.asarray(figure.frames[k].data[0].z), expected, atol=5e-4)
    marker = figure.frames[k].data[1]
    assert marker.y[0] == pytest.approx(run.mse[min(run.history.epochs[k], len(run.mse) - 1)])


def test_the_title_names_the_output_layer(run):
    figure = replay_figure(run, resolution=5)
    assert figure.layout.annotations[0].text == "output a⁽⁴⁾ over the input plane"
    tutorial = replay_figure(train(TrainConfig(epochs=10)), resolution=5)
    assert tutorial.layout.annotations[0].text == "output a⁽²⁾ over the input plane"


def test_deep_page_names_its_settings(run):
    page = replay_html(run)
    assert page.startswith("<!DOCTYPE html>")
    assert "hidden=[4, 3, 2]" in page and "optimizer=adam" in page
