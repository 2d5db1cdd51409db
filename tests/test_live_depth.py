"""Live training at depth: chunks continue a 4,3,2 network as one run; a new width starts over."""

from __future__ import annotations

import numpy as np
import pytest
from appsession import FAST, ok, start

from backprop import FIELDS, TrainConfig, live
from backprop.plane import plane_around
from tests.reference_deep import DeepNetwork

DEEP = TrainConfig(hidden=(4, 3, 2), epochs=400)
X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
Y = np.array([[0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("update", ["batch", "online"])
def test_chunks_at_depth_are_the_reference_run(update):
    config = DEEP.replace(update=update)
    state = live.start(config)
    live.step(state, config, 150)
    live.step(state, config, 250)
    net = DeepNetwork((4, 3, 2), seed=0)
    mse = net.train(X, Y, 400, 0.1, update=update, seed=0)
    np.testing.assert_allclose(state.mse, mse, rtol=0, atol=1e-12)
    for name, value in net.params().items():
        np.testing.assert_allclose(state.params[name], value, rtol=0, atol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize("hidden", [(4, 3, 3), (4, 3), (2,), (4, 3, 2, 1)])
def test_a_new_hidden_starts_over(hidden):
    assert FIELDS["hidden"].live == "reset"
    assert live.needs_reset(live.start(DEEP), DEEP.replace(hidden=hidden))
    assert not live.needs_reset(live.start(DEEP), DEEP.replace(hidden=(4, 3, 2), lr=0.5))


def test_score_at_depth_is_the_reference_forward_pass():
    net = DeepNetwork((4, 3, 2), seed=0)
    out = net.forward(X)[-1][0]
    result = live.live_score(live.start(DEEP), DEEP)
    np.testing.assert_allclose(result.predictions, out, rtol=1e-12)
    assert result.right == int(np.sum((out > 0.5) == (Y[0] > 0.5)))
    assert result.mse == pytest.approx(np.mean((out - Y[0]) ** 2), rel=1e-12)


def test_plane_grid_at_depth_is_the_reference_on_every_point():
    plane = plane_around(X, resolution=7)
    grid = live.plane_grid(live.start(DEEP).params, plane.points, plane.shape, "sigmoid")
    a = DeepNetwork((4, 3, 2), seed=0).forward(plane.points)
    assert grid["out"].shape == (7, 7) and grid["deriv1"].shape == (4, 7, 7)
    np.testing.assert_allclose(grid["out"].ravel(), a[-1][0], rtol=1e-12)
    np.testing.assert_allclose(grid["deriv1"].reshape(4, -1), a[1] * (1 - a[1]), rtol=1e-12)


def _epoch(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Epoch "))


def test_the_live_page_steps_a_deep_network_and_resets_on_a_new_width():
    at = start({**FAST, "hidden": "4,3,2"}, page="Live training")
    assert _epoch(at).startswith("**Epoch 0**")
    (step,) = [b for b in at.button if b.label.startswith("Step +")]
    at = ok(step.click().run())
    assert _epoch(at).startswith(f"**Epoch {live.CHUNK}**")
    expected = DeepNetwork((4, 3, 2), seed=0)
    expected.train(X, Y, live.CHUNK, 0.1)
    np.testing.assert_allclose(at.session_state["live"].params["W3"], expected.params()["W3"],
                               atol=1e-12)
    assert any("first of 3 hidden layers" in c.value for c in at.caption)
    at = ok(at.text_input(key="hidden").set_value("4,3,3").run())
    assert _epoch(at).startswith("**Epoch 0**"), "a new width is a new network"
    assert at.session_state["live"].params["W3"].shape == (3, 3)
