"""Gradient flow at any depth: norms per layer, the slopes' bound and the caption's numbers.

Norms are checked against ``tests/reference_deep.py``'s gradients; the bound 0.25ᴸ and the
product of the mean slopes are worked out here from the reference's activations.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, flow, nn, train
from backprop.datasets import load
from tests.reference import ACTIVATIONS as REFERENCE
from tests.reference_deep import DeepNetwork

X, Y = load("xor")


def one_checkpoint(hidden, activation, seed=0):
    """The engine's quantities for the reference's initial weights, as one checkpoint."""
    net = DeepNetwork(hidden, activation, seed=seed)
    params = net.params()
    cache = nn.forward(params, X, activation)
    steps = {**params, **cache, **nn.backward(params, X, Y, cache, activation)}
    return net, {name: value[None] for name, value in steps.items()}


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_summary_at_depth_3_against_the_reference(activation):
    net, steps = one_checkpoint((4, 3, 2), activation)
    s = flow.flow_summary(steps, 0, activation)
    dW, _ = net.gradients(X, Y)
    norms = [float(np.sqrt((g ** 2).sum())) for g in dW]
    assert s["hidden"] == 3
    np.testing.assert_allclose(s["norms"], norms, rtol=1e-12)
    assert s["ratio"] == pytest.approx(norms[0] / norms[3])
    slope = REFERENCE[activation][1]
    means = [float(slope(a).mean()) for a in net.forward(X)[1:-1]]
    np.testing.assert_allclose(s["means"], means, rtol=1e-12)
    assert s["product"] == pytest.approx(np.prod(means))
    ceiling = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[activation]
    assert s["ceiling"] == ceiling and s["bound"] == ceiling ** 3
    np.testing.assert_allclose(s["weights"], [np.sqrt((W ** 2).sum()) for W in net.W[1:]])


def test_gradient_norms_name_every_layer():
    _, steps = one_checkpoint((4, 4, 4, 4), "sigmoid")
    assert list(flow.gradient_norms(steps)) == ["dW1", "dW2", "dW3", "dW4", "dW5"]
    assert flow.hidden_layers(steps) == 4


def test_the_deep_sigmoid_caption_states_the_bound_and_the_run_numbers():
    _, steps = one_checkpoint((4, 4, 4, 4), "sigmoid")
    s = flow.flow_summary(steps, 0, "sigmoid")
    text = flow.flow_caption(s, "sigmoid", 0)
    # 0.25⁴ = 1/256: the slopes alone shrink the first layer's error 256× or more
    for words in ["each of the 4 hidden layers", "0.25⁴ = 0.00391 (1/256)", "256× or more",
                  f"‖dW⁽¹⁾‖ = {s['norms'][0]:.3g}", f"‖dW⁽⁵⁾‖ = {s['norms'][-1]:.3g}",
                  ", ".join(f"{m:.3g}" for m in s["means"])]:
        assert words in text, (words, text)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_deep_caption_for_slopes_of_one(activation):
    _, steps = one_checkpoint((3, 3), activation)
    text = flow.flow_caption(flow.flow_summary(steps, 0, activation), activation, 7)
    assert "1² = 1" in text and "need not shrink it" in text
    assert ("exactly 0 or 1" in text) == (activation == "relu")


def test_a_later_epoch_also_quotes_the_start():
    run = train(TrainConfig(hidden=(3, 3), epochs=200))
    h = run.history
    start, now = (flow.flow_summary(h.steps, k, "sigmoid") for k in (0, len(h.epochs) - 1))
    text = flow.flow_caption(now, "sigmoid", 200, start)
    assert f"(at epoch 0: {flow.shrink_words(start['ratio'], 'the first layer')})" in text


def test_the_deep_figure_draws_each_layer_the_product_and_both_ceilings():
    run = train(TrainConfig(hidden=(4, 3, 2), epochs=300))
    h = run.history
    figure = flow.gradient_flow_figure(h.epochs, h.steps, "sigmoid", 150)
    names = [t.name for t in figure.data]
    assert names[:4] == ["‖dW⁽⁴⁾‖ output layer", "‖dW⁽³⁾‖ layer 3", "‖dW⁽²⁾‖ layer 2",
                         "‖dW⁽¹⁾‖ layer 1"]
    assert names[4:] == ["mean σ′ of each layer (colours as above)"] * 3 + [
        "product of the 3 means", "ceiling 0.25", "ceiling 0.25³ = 0.0156"]
    assert [t.showlegend for t in figure.data[4:7]] == [True, False, False]  # one entry
    np.testing.assert_allclose(np.asarray(figure.data[5].y, dtype=float),
                               (h.steps["a2"] * (1 - h.steps["a2"])).mean(axis=(1, 2)),
                               rtol=1e-5)
    first = np.asarray(figure.data[3].y, dtype=float)
    want = np.sqrt((h.steps["dW1"] ** 2).sum(axis=(1, 2)))
    np.testing.assert_allclose(first, want, rtol=1e-6)
    product = np.asarray(figure.data[7].y, dtype=float)
    means = [(a * (1 - a)).mean(axis=(1, 2)) for a in (h.steps[f"a{k}"] for k in (1, 2, 3))]
    np.testing.assert_allclose(product, np.prod(means, axis=0), rtol=1e-5)
    assert list(figure.data[9].y) == [0.25 ** 3] * 2
    low = figure.layout.yaxis2.range[0]  # the ceiling 1/64 is on the chart
    assert low <= np.log10(0.25 ** 3)


@pytest.mark.parametrize("activation, most", [("sigmoid", 0.01), ("tanh", None)])
def test_the_lesson_lands_on_a_deep_net_at_the_start(activation, most):
    """hidden 4,4,4,4 with xavier weights, epoch 0: the sigmoid's first layer gets under
    1/100 of the output layer's gradient and the product of its slopes is under 0.25⁴;
    tanh's first layer is not starved (its slopes' product is above 1/4)."""
    run = train(TrainConfig(hidden=(4, 4, 4, 4), init="xavier", activation=activation,
                            epochs=1))
    s = flow.flow_summary(run.history.steps, 0, activation)
    if most is not None:
        assert s["ratio"] < most and s["product"] < 0.25 ** 4, s
    else:
        assert s["ratio"] > 0.5 and s["product"] > 0.25, s
