"""The Backprop step at depth 3 against an independent transcription (tests/reference_deep.py).

The printed numbers are read back with the checker of ``test_steps``; the values they
must match come from ``DeepNetwork`` (a plain loop over the layers), never from the
code that prints them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop import TrainConfig, train
from backprop.steps import layer_summary, step_equations, unstack
from tests.reference_deep import DeepNetwork
from tests.test_steps import latex_of, printed_update, result_of

HIDDEN = (4, 3, 2)
LAYERS = len(HIDDEN) + 1  # weight layers: 4, the output is layer 4


def reference_at(snap: dict, activation: str, loss: str) -> DeepNetwork:
    """A DeepNetwork holding the snapshot's weights (its own code does the rest)."""
    net = DeepNetwork(HIDDEN, activation, loss)
    net.W = [np.array(snap[f"W{layer}"], dtype=float) for layer in range(1, LAYERS + 1)]
    net.b = [np.array(snap[f"b{layer}"], dtype=float) for layer in range(1, LAYERS + 1)]
    return net


def share_sizes(net: DeepNetwork, X, y) -> dict:
    """Σ over samples of |each sample's share| of each gradient: the scale of its rounding."""
    sizes = {}
    for k in range(X.shape[1]):
        a = net.forward(X[:, [k]])
        dW, db = net.gradients(X[:, [k]], y[:, [k]])
        for layer in range(1, LAYERS + 1):
            w = np.abs(db[layer - 1]) @ np.abs(a[layer - 1]).T  # |delta| |input|^T
            sizes[f"W{layer}"] = sizes.get(f"W{layer}", 0) + w
            sizes[f"b{layer}"] = sizes.get(f"b{layer}", 0) + np.abs(db[layer - 1])
    return sizes


@pytest.fixture(scope="module")
def deep_run():
    config = TrainConfig(hidden=HIDDEN, epochs=200, seed=1)
    return config, train(config, checkpoints=[200])


def _symbol(name: str) -> str:
    return f"{name[0]}^{{({name[1:]})}}"


@pytest.mark.parametrize("activation, loss", [("sigmoid", "mse"), ("tanh", "bce"),
                                              ("relu", "mse")])
@pytest.mark.parametrize("sample", [0, 2])
def test_batch_update_shown_is_the_references_next_weights(activation, loss, sample):
    config = TrainConfig(hidden=HIDDEN, activation=activation, loss=loss, epochs=30, seed=2)
    run = train(config, checkpoints=[30])
    snap = run.history.at(0)
    net = reference_at(snap, activation, loss)
    net.step(run.X, run.y, config.lr)
    after = net.params()
    text = latex_of(step_equations(snap, run.X, run.y, sample, activation, loss, config.lr))
    sizes = share_sizes(net, run.X, run.y)
    for name, expected in after.items():
        printed, half = printed_update(text, _symbol(name))
        err = np.abs(printed.reshape(expected.shape) - expected)
        # each share is worked from 4-digit numbers, and the rounding of each layer's
        # delta adds up going down (about 0.3% per layer), hence 1% of the shares' size
        bound = 1e-2 * config.lr * sizes[name] + half.reshape(err.shape) + 1e-12
        assert np.all(err <= bound), f"{name}: printed {printed}, reference {expected}"


def test_online_update_shown_is_one_reference_step_on_that_sample():
    config = TrainConfig(hidden=HIDDEN, update="online", epochs=5, seed=4)
    run = train(config, checkpoints=[5])
    snap, sample = run.history.at(0), 3
    net = reference_at(snap, "sigmoid", "mse")
    net.step(run.X[:, [sample]], run.y[:, [sample]], config.lr)
    text = latex_of(step_equations(snap, run.X, run.y, sample, "sigmoid", "mse", config.lr,
                                   "online"))
    assert r"\textstyle\sum" not in text
    for name, expected in net.params().items():
        printed, half = printed_update(text, _symbol(name))
        change = np.abs(expected - snap[name])
        err = np.abs(printed.reshape(expected.shape) - expected)
        assert np.all(err <= 5e-3 * change.max() + half.reshape(err.shape) + 1e-12), name


def _printed_delta(text: str, layer: int) -> np.ndarray:
    """δ⁽ˡ⁾ as the Errors section prints it (the result of its defining equation)."""
    line = next(t for t in text.splitlines() if t.startswith(rf"\delta^{{({layer})}} = "))
    return np.atleast_1d(np.squeeze(result_of(line.rsplit(" = ", 1)[1])[0]))


@pytest.mark.parametrize("sample", [0, 1, 2, 3])
def test_every_delta_is_the_references(deep_run, sample):
    config, run = deep_run
    snap = run.history.at(0)
    net = reference_at(snap, "sigmoid", "mse")
    # for one sample, the bias gradient of layer l is that sample's delta of layer l
    _, db = net.gradients(run.X[:, [sample]], run.y[:, [sample]])
    text = latex_of(step_equations(snap, run.X, run.y, sample, "sigmoid", "mse", config.lr))
    for layer in range(1, LAYERS + 1):
        expected = db[layer - 1].ravel()
        got = _printed_delta(text, layer)
        # 4-digit factors, rounded again at each layer: within 1% of the layer's largest
        # delta (an entry that is a near-cancelling sum keeps only that absolute accuracy)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-2 * np.abs(expected).max(),
                                   err_msg=f"delta of layer {layer}")


def test_batch_sums_are_the_references_gradients(deep_run):
    config, run = deep_run
    snap = run.history.at(0)
    net = reference_at(snap, "sigmoid", "mse")
    dW, db = net.gradients(run.X, run.y)
    sizes = share_sizes(net, run.X, run.y)
    text = latex_of(step_equations(snap, run.X, run.y, 0, "sigmoid", "mse", config.lr))
    for layer in range(1, LAYERS + 1):
        head = rf"\textstyle\sum \delta^{{({layer})}}"
        w_line = next(t for t in text.splitlines() if t.startswith(head) and "^T" in
                      t.split(" = ")[0])
        b_line = next(t for t in text.splitlines() if t.startswith(head + " = "))
        shares = re.findall(r"\\text\{\((\d),(\d)\): \}\\delta\^\{\(" + str(layer) + r"\)\}",
                            text)
        assert len(shares) == 4, f"layer {layer}: one share per sample"
        # the printed sum adds printed shares: within 1% of the shares' total size
        for line, expected, size in ((w_line, dW[layer - 1], sizes[f"W{layer}"]),
                                     (b_line, db[layer - 1], sizes[f"b{layer}"])):
            printed = np.ravel(result_of(line.rsplit(" = ", 1)[1])[0])
            err = np.abs(printed - expected.ravel())
            assert np.all(err <= 1e-2 * size.ravel() + 1e-12), (line[:40], printed, expected)


def test_many_samples_show_each_layers_batch_gradient():
    config = TrainConfig(hidden=HIDDEN, dataset="xor-cloud", samples=40, epochs=10, seed=0)
    run = train(config, checkpoints=[0])
    snap = run.history.at(0)
    dW, _ = reference_at(snap, "sigmoid", "mse").gradients(run.X, run.y)
    text = latex_of(step_equations(snap, run.X, run.y, 5, "sigmoid", "mse", config.lr))
    assert "#5: " not in text, "forty samples are not listed one by one"
    for layer in range(1, LAYERS + 1):
        line = next(t for t in text.splitlines()
                    if t.startswith(rf"\textstyle\sum \delta^{{({layer})}}"))
        np.testing.assert_allclose(np.ravel(result_of(line.rsplit(" = ", 1)[1])[0]),
                                   dW[layer - 1].ravel(), rtol=1e-3, atol=1e-9)


@pytest.mark.parametrize("focus", [1, 2, 3, 4])
def test_focus_keeps_one_layers_equations_and_summarises_all(deep_run, focus):
    config, run = deep_run
    snap = run.history.at(0)
    sections = step_equations(snap, run.X, run.y, 1, "sigmoid", "mse", config.lr,
                              focus=focus)
    assert sections[0][0] == "Every layer"
    text = latex_of(sections[1:])
    others = [layer for layer in range(1, LAYERS + 1) if layer != focus]
    assert rf"\text{{new }}W^{{({focus})}} = " in text
    for layer in others:
        assert rf"\text{{new }}W^{{({layer})}} = " not in text, f"layer {layer} is shown"
    # no section lost its explanation to the filter
    for title, items in sections:
        assert items and items[0][0], f"section {title!r} starts without words"


def test_summary_lists_every_layers_activation_and_delta(deep_run):
    config, run = deep_run
    snap = run.history.at(0)
    sample = 2
    net = reference_at(snap, "sigmoid", "mse")
    activations = net.forward(run.X[:, [sample]])
    _, db = net.gradients(run.X[:, [sample]], run.y[:, [sample]])
    lines = [unstack(latex) for _, latex in layer_summary(snap, run.X, run.y, sample,
                                                          "sigmoid", "mse")]
    assert len(lines) == LAYERS
    for layer, line in enumerate(lines, start=1):
        found = re.fullmatch(rf"a\^\{{\({layer}\)\}}=(.*),\\quad \\delta\^\{{\({layer}\)\}}=(.*)",
                             line)
        assert found, line
        a, d = (np.ravel(result_of(part)[0]) for part in found.groups())
        np.testing.assert_allclose(a, activations[layer].ravel(), rtol=1e-3)
        np.testing.assert_allclose(d, db[layer - 1].ravel(), rtol=0,
                                   atol=1e-2 * np.abs(db[layer - 1]).max())


@pytest.mark.parametrize("focus", [0, 5, -1])
def test_a_focus_outside_the_network_is_refused(deep_run, focus):
    config, run = deep_run
    with pytest.raises(ValueError, match=f"focus must be a layer between 1 and 4, got {focus}"):
        step_equations(run.history.at(0), run.X, run.y, 0, "sigmoid", "mse", 0.1, focus=focus)
