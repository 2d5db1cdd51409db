"""Gradient flow (backprop/flow.py): norms, ratios and the caption against hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, flow, nn, train


def test_gradient_norms_are_the_frobenius_norm_of_each_matrix_at_each_checkpoint():
    steps = {"dW1": np.array([[[3.0, 4.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]]),  # (2, 2, 2)
             "dW2": np.array([[[6.0, 8.0]], [[0.0, 0.0]]])}  # (2, 1, 2)
    norms = flow.gradient_norms(steps)
    assert norms["dW1"].tolist() == [5.0, 1.0]  # sqrt(9 + 16), sqrt(1)
    assert norms["dW2"].tolist() == [10.0, 0.0]  # sqrt(36 + 64)


def test_mean_derivative_averages_over_units_and_samples():
    deriv1 = np.array([[[0.25, 0.25], [0.0, 0.5]]])  # one checkpoint, 2 units x 2 samples
    assert flow.mean_derivative({"deriv1": deriv1}).tolist() == [0.25]


@pytest.mark.parametrize(("top", "bottom", "want"), [(1.0, 4.0, 0.25), (3.0, 1.5, 2.0),
                                                       (0.0, 2.0, 0.0)])
def test_ratio(top, bottom, want):
    assert flow.ratio(top, bottom) == want


@pytest.mark.parametrize(("top", "bottom"), [(1.0, 0.0), (np.inf, 1.0), (np.nan, 1.0)])
def test_ratio_is_undefined_without_a_finite_nonzero_output_gradient(top, bottom):
    assert np.isnan(flow.ratio(top, bottom))


def hand_network(activation: str):
    """W1 = 0, b1 = 0, W2 = [1 1], b2 = 0; one sample x = (1, 0), target 0.

    Worked by hand for the sigmoid: z1 = 0, so a1 = ½ and σ′(z1) = ¼ for both units.
    z2 = ½ + ½ = 1, a2 = σ(1) = 0.7310586, δ2 = (a2 − 0) a2 (1 − a2) = 0.1437350.
    dW2 = δ2 a1ᵀ = (0.0718675, 0.0718675): norm 0.1016359.
    δ1 = W2ᵀ δ2 · ¼ = (0.0359338, 0.0359338), dW1 = δ1 xᵀ: norm 0.0508179, half of ‖dW2‖.
    """
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1)), "W2": np.array([[1.0, 1.0]]),
              "b2": np.zeros((1, 1))}
    X, y = np.array([[1.0], [0.0]]), np.array([[0.0]])
    cache = nn.forward(params, X, activation)
    steps = {**params, **cache, **nn.backward(params, X, y, cache, activation)}
    return {name: value[None] for name, value in steps.items()}  # one checkpoint


def test_flow_summary_of_the_hand_worked_sigmoid_network():
    s = flow.flow_summary(hand_network("sigmoid"), 0, "sigmoid")
    assert s["dW2"] == pytest.approx(0.1016359, abs=1e-7)
    assert s["dW1"] == pytest.approx(0.0508179, abs=1e-7)
    assert s["ratio"] == pytest.approx(0.5)
    assert s["mean_deriv"] == pytest.approx(0.25) and s["ceiling"] == 0.25
    assert s["w2"] == pytest.approx(np.sqrt(2))


def test_tanh_hidden_outputs_of_zero_leave_the_output_gradient_zero():
    # tanh(0) = 0: a1 = 0, so dW2 = δ2 a1ᵀ = 0 and the ratio is undefined; tanh′(0) = 1.
    s = flow.flow_summary(hand_network("tanh"), 0, "tanh")
    assert s["dW2"] == 0.0 and s["mean_deriv"] == 1.0 and s["ceiling"] == 1.0
    assert np.isnan(s["ratio"])
    assert "undefined" in flow.flow_caption(s, "tanh", 0)


@pytest.mark.parametrize(("activation", "words"), [
    ("sigmoid", ["at most 0.25", "by 4× or more"]),
    ("tanh", ["at most 1", "need not shrink"]),
    ("relu", ["at most 1", "exactly 0 or 1"]),
])
def test_the_caption_states_the_bound_of_each_activation(activation, words):
    s = {"dW1": 0.05, "dW2": 0.1, "ratio": 0.5, "mean_deriv": 0.2, "w2": 1.5,
         "ceiling": nn.DERIVATIVE_MAX[activation]}
    text = flow.flow_caption(s, activation, 1234)
    for word in words:
        assert word in text, text
    assert "epoch 1,234" in text and "2.0× smaller" in text
    # 0.5 is above the sigmoid's ceiling only: then the caption says where the rest came from
    assert ("‖W⁽²⁾‖ = 1.5" in text) == (activation == "sigmoid"), text


def test_a_dead_relu_layer_gets_no_gradient():
    s = {"dW1": 0.0, "dW2": 0.1, "ratio": 0.0, "mean_deriv": 0.0, "w2": 1.0, "ceiling": 1.0}
    assert "zero: no gradient reaches the hidden layer" in flow.flow_caption(s, "relu", 5)


@pytest.mark.parametrize(("activation", "ceiling"), [("sigmoid", 0.25), ("tanh", 1.0),
                                                      ("relu", 1.0)])
def test_the_figure_has_log_axes_the_ceiling_and_the_selected_epoch(activation, ceiling):
    run = train(TrainConfig(epochs=300, activation=activation))
    h = run.history
    figure = flow.gradient_flow_figure(h.epochs, h.steps, activation, 150)
    layout = figure.to_plotly_json()["layout"]
    assert layout["yaxis"]["type"] == "log" and layout["yaxis2"]["type"] == "log"
    assert [s["x0"] for s in layout["shapes"]] == [150, 150]
    names = [t.name for t in figure.data]
    assert names[:2] == ["‖dW⁽²⁾‖ output layer", "‖dW⁽¹⁾‖ hidden layer"]
    assert list(figure.data[3].y) == [ceiling, ceiling]
    low, high = layout["yaxis2"]["range"]  # log10 units, shared by every activation
    mean = flow.mean_derivative(h.steps)
    assert high == 0.1 and low <= min(-2, np.log10(mean[mean > 0].min())), (low, high)
    hidden = np.asarray(figure.data[1].y, dtype=float)
    want = np.sqrt((h.steps["dW1"] ** 2).sum(axis=(1, 2)))
    np.testing.assert_allclose(hidden, np.where(want > 0, want, np.nan), rtol=1e-6)


def test_zero_gradients_are_left_off_the_log_axis():
    steps = {"dW1": np.zeros((2, 1, 2)), "dW2": np.ones((2, 1, 1)),
             "deriv1": np.zeros((2, 1, 1))}
    figure = flow.gradient_flow_figure([0, 10], steps, "relu")
    assert np.isnan(np.asarray(figure.data[1].y, dtype=float)).all()
    assert not figure.layout.shapes
