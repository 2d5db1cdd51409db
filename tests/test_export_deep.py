"""The standalone script at depth 2 and 3, with each optimizer: the same log as ``train``,
and the same numbers as the plain transcription in tests/reference_deep.py."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.export import log_line, standalone_script
from tests.reference_deep import DeepNetwork
from tests.test_export import _run_script

EVERY = 250
CASES = {f"{'-'.join(map(str, hidden))} {optimizer} {update}":
         TrainConfig(hidden=hidden, optimizer=optimizer, update=update, epochs=1001,
                      lr=0.02 if optimizer == "adam" else 0.1, seed=3)
         for hidden in ((3, 2), (4, 3, 2)) for optimizer in ("gd", "momentum", "adam")
         for update in ("batch", "online")}
CASES["tutorial, momentum"] = TrainConfig(optimizer="momentum", momentum=0.5, epochs=1001)
CASES["tutorial, adam, bce"] = TrainConfig(optimizer="adam", loss="bce", lr=0.05, epochs=1001)
CASES["3,2 tanh bce"] = TrainConfig(hidden=(3, 2), activation="tanh", loss="bce", epochs=1001)
CASES["4,3,2 relu, xavier"] = TrainConfig(hidden=(4, 3, 2), activation="relu", init="xavier",
                                          epochs=1001)


def reference_log(config: TrainConfig) -> list[str]:
    """The log lines the plain transcription gives (normal init: the seed's stream as drawn)."""
    net = DeepNetwork(nn.widths_of(config.hidden), config.activation, config.loss,
                      config.optimizer, config.momentum, config.seed)
    if config.init != "normal":  # rescaled weights, zero biases: start from the engine's draw
        start = nn.init_params(config.hidden, config.init, config.seed)
        net.W = [start[f"W{i}"] for i in range(1, len(net.W) + 1)]
        net.b = [start[f"b{i}"] for i in range(1, len(net.b) + 1)]
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    mse = net.train(X, y, config.epochs, config.lr, config.update, config.seed)
    return [log_line(e, mse[e]) for e in range(0, len(mse), EVERY)]


@pytest.mark.parametrize("config", CASES.values(), ids=CASES.keys())
def test_deep_script_prints_the_engines_log_and_the_references(config, tmp_path):
    lines = _run_script(standalone_script(config, log_every=EVERY), tmp_path)
    got = [line for line in lines if line.startswith("Epoch ")]
    run = train(config)
    assert got == [log_line(e, run.mse[e]) for e in range(0, len(run.mse), EVERY)]
    assert got == reference_log(config)


def test_deep_script_starts_from_given_weights(tmp_path):
    config = TrainConfig(hidden=(4, 3, 2), optimizer="adam", lr=0.01, epochs=301)
    start = {k: v * 0.5 for k, v in nn.init_params((4, 3, 2), "normal", 9).items()}
    lines = _run_script(standalone_script(config, start, log_every=300), tmp_path)
    run = train(config, params=start)
    assert lines[:2] == [log_line(0, run.mse[0]), log_line(300, run.mse[300])]


def test_deep_script_writes_every_layers_weights_exactly():
    params = nn.init_params((4, 3, 2), "normal", 0)
    source = standalone_script(TrainConfig(hidden=(4, 3, 2), epochs=1), params)
    namespace: dict = {}
    exec(compile(source.split("lr = ")[0], "<script>", "exec"), namespace)  # data and weights
    assert [name for name in namespace if name[0] in "Wb" and name[1:].isdigit()] == list(
        nn.param_names(4))
    for name in nn.param_names(4):
        np.testing.assert_array_equal(namespace[name], params[name], err_msg=name)


@pytest.mark.parametrize("hidden, optimizer", [((3, 2), "gd"), (2, "adam"),
                                               ((4, 3, 2), "momentum")])
def test_deep_script_uses_numpy_only(hidden, optimizer):
    tree = ast.parse(standalone_script(TrainConfig(hidden=hidden, optimizer=optimizer, epochs=5)))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy"}


def test_deep_script_stops_where_the_engine_stops(tmp_path):
    config = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=(16, 16, 16, 16),
                         activation="relu", loss="bce", lr=1000.0, epochs=300,
                         optimizer="momentum")
    run = train(config)
    assert run.stopped, "this config is expected to diverge"
    lines = _run_script(standalone_script(config, log_every=1), tmp_path)
    assert [line for line in lines if line.startswith("Epoch ")] == [
        log_line(e, run.mse[e]) for e in range(len(run.mse))]
    assert any(line.startswith(f"Training stopped at epoch {len(run.mse)}:") for line in lines)


@pytest.mark.parametrize("focus", [None, 2])
def test_step_latex_at_depth_3_holds_every_layers_equations(focus):
    from backprop.export import step_latex
    from backprop.steps import step_equations

    run = train(TrainConfig(hidden=(4, 3, 2), epochs=10))
    sections = step_equations(run.history.at(0), run.X, run.y, 1, "sigmoid", "mse", 0.1,
                              "batch", focus)
    source = step_latex(sections)
    assert source.count("\\begin{document}") == 1
    for title, items in sections:
        assert f"\\subsection*{{{title}}}" in source
        for _, latex in items:
            assert f"\\[ {latex} \\]" in source
    shown = range(1, 5) if focus is None else [focus]
    for layer in shown:  # each shown layer's update, hand-written symbols
        symbol = f"W^{{({layer})}}"
        assert f"\\text{{new }}{symbol} &= {symbol} + \\Delta {symbol}" in source
