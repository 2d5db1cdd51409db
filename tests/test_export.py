"""The standalone script reproduces the run it was exported from, with NumPy alone."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.export import command_line, log_line, standalone_script

CASES = {
    "tutorial defaults": TrainConfig(),
    "tanh, cross-entropy": TrainConfig(activation="tanh", loss="bce", seed=3, epochs=3000),
    "relu, 4 units, Xavier": TrainConfig(activation="relu", hidden=4, init="xavier",
                                         epochs=2000, lr=0.5),
    "online": TrainConfig(update="online", seed=5, epochs=2000),
    "noisy cloud": TrainConfig(dataset="xor-cloud", samples=40, lr=0.05, epochs=1500),
}


def _run_script(source: str, tmp_path) -> list[str]:
    path = tmp_path / "run.py"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("config", CASES.values(), ids=CASES.keys())
def test_script_prints_the_same_log_as_the_engine(config, tmp_path):
    every = 500
    lines = _run_script(standalone_script(config, log_every=every), tmp_path)
    run = train(config)
    expected = [log_line(e, run.mse[e]) for e in range(0, len(run.mse), every)]
    got = [line for line in lines if line.startswith("Epoch ")]
    assert got == expected


def test_script_uses_numpy_only():
    tree = ast.parse(standalone_script(TrainConfig(epochs=10)))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy"}


def test_script_starts_from_given_weights(tmp_path):
    config = TrainConfig(epochs=1001)
    start = {k: v * 0.5 for k, v in nn.init_params(2, "normal", 7).items()}
    lines = _run_script(standalone_script(config, start), tmp_path)
    run = train(config, params=start)
    assert lines[:2] == [log_line(0, run.mse[0]), log_line(1000, run.mse[1000])]


def test_script_stops_where_the_engine_stops(tmp_path):
    config = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=16,
                         activation="relu", loss="bce", lr=1000.0, epochs=300)
    run = train(config)
    assert run.stopped, "this config is expected to diverge"
    lines = _run_script(standalone_script(config, log_every=1), tmp_path)
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert epochs == [log_line(e, run.mse[e]) for e in range(len(run.mse))]
    assert any(line.startswith(f"Training stopped at epoch {len(run.mse)}:") for line in lines)


def test_log_line_is_the_tutorials_form():
    # hand-written: the tutorial prints f"Epoch {epoch}, Loss: {loss}"
    assert log_line(1000, 0.25) == "Epoch 1000, Loss: 0.25"
    assert log_line(0, 1 / 3) == "Epoch 0, Loss: 0.333333333333"


def test_command_line_names_only_changed_settings():
    assert command_line(TrainConfig()) == "python -m backprop train"
    assert command_line(TrainConfig(hidden=3, lr=0.5)) == (
        "python -m backprop train --hidden 3 --lr 0.5")


def test_initial_weights_are_written_exactly():
    params = nn.init_params(2, "normal", 0)
    source = standalone_script(TrainConfig(epochs=1), params)
    namespace: dict = {}
    exec(compile(source.split("lr = ")[0], "<script>", "exec"), namespace)  # data and weights
    for name in nn.PARAM_NAMES:
        np.testing.assert_array_equal(namespace[name], params[name], err_msg=name)


def test_step_latex_holds_every_equation_of_the_step_view():
    from backprop.export import step_latex
    from backprop.steps import step_equations

    run = train(TrainConfig(epochs=10))
    sections = step_equations(run.history.at(0), run.X, run.y, 1, "sigmoid", "mse", 0.1,
                              "batch")
    source = step_latex(sections)
    assert source.count("\\begin{document}") == 1 and source.rstrip().endswith("\\end{document}")
    for _, items in sections:
        for _, latex in items:
            assert f"\\[ {latex} \\]" in source


def test_step_latex_escapes_plain_text():
    from backprop.export import step_latex

    source = step_latex([("50% & $5_x", [("a {b} #c", "x^2")])])
    assert "50\\% \\& \\$5\\_x" in source and "a \\{b\\} \\#c" in source
    assert "\\[ x^2 \\]" in source
