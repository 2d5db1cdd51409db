"""The command line at depth: --hidden 3,2 for train, script and settings; --load checks layers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from test_cli import assert_one_line_error, epoch_lines, expected_log, run_cli

from backprop import TrainConfig, train
from backprop.runfile import loads, run_to_json
from tests.reference_deep import DeepNetwork

X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
Y = np.array([[0.0, 1.0, 1.0, 0.0]])
ALLOWED = "hidden must be 1 to 4 whole numbers >= 1 and <= 16, separated by commas"

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize("flag, hidden", [("3,2", (3, 2)), ("4,3,2", (4, 3, 2)),
                                          (" 3, 2 ", (3, 2)), ("5", (5,))])
def test_train_at_depth_logs_the_reference_run(capsys, flag, hidden):
    code, out, err = run_cli(capsys, "train", "--hidden", flag, "--epochs", 300,
                             "--log-every", 100)
    assert (code, err) == (0, "")
    mse = DeepNetwork(hidden, seed=0).train(X, Y, 300, 0.1)
    lines = epoch_lines(out)
    assert [line.split(",")[0] for line in lines] == ["Epoch 0", "Epoch 100", "Epoch 200"]
    for line, epoch in zip(lines, (0, 100, 200), strict=True):
        assert float(line.split("Loss: ")[1]) == pytest.approx(mse[epoch], rel=1e-10), line


def test_save_and_load_at_depth_continue_the_run(capsys, tmp_path):
    path = tmp_path / "deep.json"
    code, _, _ = run_cli(capsys, "train", "--hidden", "3,2", "--epochs", 100, "--save", path)
    assert code == 0
    saved = loads(path.read_bytes())
    assert saved.config.hidden == (3, 2) and set(saved.params) == {
        "W1", "b1", "W2", "b2", "W3", "b3"}
    assert saved.params["W2"].shape == (2, 3) and saved.params["W3"].shape == (1, 2)
    code, out, err = run_cli(capsys, "train", "--hidden", "3,2", "--epochs", 100, "--load",
                             path, "--log-every", 50)
    assert code == 0, err
    net = DeepNetwork((3, 2), seed=0)
    mse = net.train(X, Y, 200, 0.1)  # 100 epochs, saved, then 100 more
    lines = epoch_lines(out)
    assert len(lines) == 2
    for line, epoch in zip(lines, (100, 150), strict=True):
        assert float(line.split("Loss: ")[1]) == pytest.approx(mse[epoch], rel=1e-10), line


@pytest.mark.parametrize("file_hidden, flags, fragments", [
    ((3, 2), [], ["hidden = 3,2 (2 hidden layers of 3 and 2 units)",
                  "--hidden is 2 (1 hidden layer of 2 units)", "pass --hidden 3,2"]),
    ((3, 2), ["--hidden", "3,3"], ["hidden = 3,2", "--hidden is 3,3 (2 hidden layers",
                                   "pass --hidden 3,2"]),
    ((3, 2), ["--hidden", "3,2,1"], ["--hidden is 3,2,1 (3 hidden layers of 3, 2 and 1 "
                                     "units)"]),
    ((4,), ["--hidden", "4,4"], ["hidden = 4 (1 hidden layer of 4 units)", "pass --hidden 4"]),
])
@pytest.mark.parametrize("command", ["train", "script"])
def test_load_names_both_depths_and_widths(capsys, tmp_path, command, file_hidden, flags,
                                           fragments):
    path = tmp_path / "run.json"
    path.write_text(run_to_json(train(TrainConfig(hidden=file_hidden, epochs=5))))
    code, out, err = run_cli(capsys, command, "--load", path, "--epochs", 5, *flags)
    assert_one_line_error(code, err, *fragments)
    assert out == ""


@pytest.mark.parametrize("value", ["3,,2", "0", "17", "2,2,2,2,2", "abc", ",", "3,2,", "2.5",
                                   "-1", "3;2", ""])
@pytest.mark.parametrize("command", ["train", "script"])
def test_bad_hidden_is_one_line_naming_the_range(capsys, command, value):
    code, out, err = run_cli(capsys, command, f"--hidden={value}")
    assert_one_line_error(code, err, "--hidden", ALLOWED, "separated by commas", repr(value))
    assert out == ""


def test_script_at_depth_prints_the_same_lines_as_train(capsys, tmp_path):
    flags = ("--hidden", "3,2", "--optimizer", "adam", "--lr", "0.01", "--epochs", 300)
    code, script, _ = run_cli(capsys, "script", *flags)
    assert code == 0 and script.startswith('"""A Backprop Lab run')
    path = tmp_path / "deep.py"
    path.write_text(script, encoding="utf-8")
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, check=True)
    code, trained, _ = run_cli(capsys, "train", *flags)
    epochs = [line for line in trained.splitlines() if line.startswith("Epoch ")]
    assert epochs and [line for line in ran.stdout.splitlines()
                       if line.startswith("Epoch ")] == epochs


def test_settings_and_help_say_how_to_write_layers(capsys):
    code, out, _ = run_cli(capsys, "settings")
    (row,) = [line for line in out.splitlines() if line.startswith("| `hidden`")]
    assert "1 – 4 layers of 1 – 16 units" in row and "3,2" in row
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0 and "3,2 has two layers" in " ".join(out.split())


def test_log_matches_train_at_depth(capsys):
    code, out, _ = run_cli(capsys, "train", "--hidden", "4,3,2", "--epochs", 50,
                           "--log-every", 10, "--activation", "tanh")
    run = train(TrainConfig(hidden=(4, 3, 2), epochs=50, activation="tanh"))
    assert code == 0 and epoch_lines(out) == expected_log(run.mse, 10)
