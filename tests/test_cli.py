"""The command line, run in-process through ``main`` (and once as ``python -m backprop``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from setting_cases import BAD_TEXTS

from backprop import TrainConfig, train
from backprop.cli import BROKEN_PIPE, main
from backprop.config import FIELDS, settings_table
from backprop.nn import PARAM_NAMES
from backprop.runfile import loads, run_to_json

ROOT = Path(__file__).resolve().parents[1]
FIRST_DESIGN = ROOT / "tests" / "data" / "run-v1-first-design.json"
# A run that overflows within 100 epochs: relu and cross-entropy keep pushing on noisy data.
DIVERGES = ["--dataset", "xor-cloud", "--hidden", "1", "--activation", "relu", "--loss", "bce",
            "--lr", "1000", "--samples", "8", "--noise", "1", "--seed", "1", "--epochs", "300"]

pytestmark = pytest.mark.filterwarnings("error")  # a RuntimeWarning anywhere fails the test


def run_cli(capsys, *argv):
    """``main(argv)`` as the shell would see it: (exit status, stdout, stderr)."""
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def epoch_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Epoch ")]


def expected_log(loss, every) -> list[str]:
    return [f"Epoch {epoch}, Loss: {loss[epoch]:.12g}" for epoch in range(0, len(loss), every)]


def assert_one_line_error(code, err, *fragments):
    assert code == 2, f"exit status {code}, stderr: {err!r}"
    assert err.startswith("backprop: error: "), err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


# --- training output ------------------------------------------------------------------


def test_log_is_the_tutorials(capsys):
    code, out, err = run_cli(capsys, "train", "--epochs", 300, "--log-every", 100)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == expected_log(train(TrainConfig(epochs=300)).mse, 100)
    assert lines[0].startswith("Epoch 0, Loss: 0.2768094")
    assert len(epoch_lines(out)) == 3


@pytest.mark.parametrize("every, count", [(0, 0), (1, 20), (7, 3), (20, 1), (1000, 1)])
def test_log_every(capsys, every, count):
    code, out, _ = run_cli(capsys, "train", "--epochs", 20, "--log-every", every)
    assert code == 0
    assert epoch_lines(out) == (expected_log(train(TrainConfig(epochs=20)).mse, every)
                                if every else [])
    assert len(epoch_lines(out)) == count


def test_every_flag_reaches_the_config(capsys):
    config = TrainConfig(dataset="xor-cloud", hidden=3, activation="tanh", loss="bce", lr=0.5,
                         epochs=40, seed=7, init="xavier", update="online", samples=20,
                         noise=0.2)
    flags = [part for name in FIELDS if FIELDS[name].kind != "points"  # --data FILE: below
             for part in (f"--{name}", FIELDS[name].text(getattr(config, name)))]
    code, out, _ = run_cli(capsys, "train", *flags, "--log-every", 10)
    assert code == 0
    assert epoch_lines(out) == expected_log(train(config).mse, 10)


def test_verdict_and_prediction_table(capsys):
    run = train(TrainConfig(epochs=50))
    code, out, _ = run_cli(capsys, "train", "--epochs", 50)
    assert code == 0
    assert run.verdict.text in out
    table = out[out.index("x1"):].splitlines()
    assert table[0].split() == ["x1", "x2", "target", "prediction", "correct"]
    widths = {len(line) for line in table[:5]}
    assert len(widths) == 1, f"columns not aligned:\n{out}"
    for i, line in enumerate(table[1:5]):
        right = (run.predictions[i] > 0.5) == (run.y[0, i] > 0.5)
        assert line.split() == [f"{run.X[0, i]:g}", f"{run.X[1, i]:g}", f"{run.y[0, i]:g}",
                                f"{run.predictions[i]:.4f}", "yes" if right else "no"]
    assert table[5].startswith("Accuracy: ")


def test_continuous_data_shows_eight_rows_and_the_accuracy(capsys):
    config = TrainConfig(dataset="circles", samples=50, epochs=20)
    run = train(config)
    code, out, _ = run_cli(capsys, "train", "--dataset", "circles", "--samples", 50,
                           "--epochs", 20)
    assert code == 0
    table = out[out.index("x1"):].splitlines()
    assert len(table) == 1 + 8 + 2, out
    assert table[9] == "... 42 more samples"
    right = int(np.sum((run.predictions > 0.5) == (run.y[0] > 0.5)))
    assert table[10] == f"Accuracy: {right} of 50 on the right side of 0.5 ({right / 50:.1%})"


def test_help_lists_every_flag(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in [*FIELDS, "load", "save", "log-every"]:
        assert f"--{flag}" in out, flag
    assert main(["--help"]) == 0
    assert "train" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(FIELDS))
def test_each_flags_help_comes_from_its_declaration(capsys, name):
    assert main(["train", "--help"]) == 0
    words = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    field = FIELDS[name]
    metavar = "{" + ",".join(field.choices) + "}" if field.choices else name.upper()
    if field.kind == "points":
        metavar = "FILE"
    flag = f"--{name} {metavar}"
    after = words[words.rindex(flag) + len(flag):]  # its entry, after the usage line
    assert after.lstrip().startswith(" ".join(field.help.split())), after[:200]
    assert f"Default: {field.text(field.default) or 'none'}." in after.split(" --")[0]
    if field.kind in ("int", "float"):
        assert field.allowed().capitalize() in after.split(" --")[0]
    if field.kind == "points":
        assert "a CSV with a header x1,x2,y" in after.split(" --")[0]


def test_settings_prints_the_readme_table(capsys):
    code, out, err = run_cli(capsys, "settings")
    assert (code, err) == (0, "")
    assert out == settings_table() + "\n"
    assert [line.split(" | ")[0] for line in out.splitlines()[2:]] == [
        f"| `{name}`" for name in FIELDS]


# --- run files ----------------------------------------------------------------------------


def test_save_then_load_continues_the_run(capsys, tmp_path):
    path = tmp_path / "run.json"
    code, out, _ = run_cli(capsys, "train", "--epochs", 100, "--save", path)
    assert code == 0 and f"Saved the run to {path}" in out
    first = train(TrainConfig(epochs=100))
    assert path.read_text() == run_to_json(first)

    code, out, _ = run_cli(capsys, "train", "--epochs", 100, "--load", path,
                           "--log-every", 25, "--save", path)
    assert code == 0
    whole = train(TrainConfig(epochs=200))
    assert epoch_lines(out) == expected_log(whole.mse[100:], 25)
    continued = loads(path.read_bytes())
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(continued.params[name], whole.params[name], name)


def test_load_takes_settings_from_the_flags_not_the_file(capsys, tmp_path):
    path = tmp_path / "run.json"
    path.write_text(run_to_json(train(TrainConfig(epochs=10, lr=0.5))))
    code, out, _ = run_cli(capsys, "train", "--load", path, "--epochs", 30, "--lr", 2,
                           "--log-every", 10)
    assert code == 0
    start = loads(path.read_text()).params
    assert epoch_lines(out) == expected_log(train(TrainConfig(epochs=30, lr=2), start).mse, 10)


def test_hidden_must_match_the_file(capsys, tmp_path):
    path = tmp_path / "four.json"
    path.write_text(run_to_json(train(TrainConfig(hidden=4, epochs=5))))
    code, out, err = run_cli(capsys, "train", "--load", path, "--epochs", 5)
    assert_one_line_error(code, err, "hidden = 4", "--hidden is 2", "pass --hidden 4")
    assert out == ""


def bad_file(text):
    return lambda path: path.write_text(text)


@pytest.mark.parametrize("write, fragment", [
    (None, "cannot read run file"),
    (lambda path: path.mkdir(), "cannot read run file"),
    (bad_file(""), "the file is empty"),
    (bad_file("{not json"), "not valid JSON"),
    (bad_file('{"format": "backprop-run", "version": 99}'), "written by version 99; this "
                                                           "program reads versions 1–"),
    (bad_file("[" * 50_000), "nested too deeply"),
    (lambda path: path.write_bytes(b" " * 4_000_001), "too large"),
    (bad_file('{"format": "backprop-run", "version": 2, "config": {"a\\nb": 1}, '
              '"params": {}, "mse": []}'), "unknown setting"),
], ids=["missing", "directory", "empty", "not-json", "future-version", "nested",
        "too-large", "newline-in-a-key"])
def test_unreadable_or_invalid_load_file(capsys, tmp_path, write, fragment):
    path = tmp_path / "run.json"
    if write is not None:
        write(path)
    code, out, err = run_cli(capsys, "train", "--load", path, "--epochs", 5)
    assert_one_line_error(code, err, fragment, str(path))
    assert out == ""


@pytest.mark.parametrize("target, fragment", [
    ("missing-folder/run.json", "there is no directory"),
    (".", "it is a directory"),
], ids=["missing-folder", "directory"])
def test_unwritable_save_path_fails_before_training(capsys, tmp_path, target, fragment):
    code, out, err = run_cli(capsys, "train", "--save", tmp_path / target)
    assert_one_line_error(code, err, "cannot save to", fragment)
    assert out == "", "trained before finding out the file can't be written"


def test_loading_an_older_file_says_which_settings_it_left_out(capsys, tmp_path):
    doc = json.loads(run_to_json(train(TrainConfig(epochs=5))))
    doc["version"], doc["loss"] = 1, doc.pop("mse")
    del doc["config"]["update"], doc["config"]["noise"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    code, out, err = run_cli(capsys, "train", "--load", path, "--epochs", 10, "--log-every", 0)
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        f"Starting from the weights in {path}",
        f"{path} does not set update, noise; using what version 1 ran with: update batch, "
        f"noise 0.15."]


def test_loading_the_first_design_file_works(capsys):
    code, out, err = run_cli(capsys, "train", "--load", FIRST_DESIGN, "--epochs", 10,
                             "--log-every", 0)
    assert (code, err) == (0, "")
    note = out.splitlines()[1]
    assert note.startswith(f"{FIRST_DESIGN} does not set "), note
    left_out = note.split(" does not set ")[1].split(";")[0].split(", ")
    assert {"update", "samples", "noise"} <= set(left_out), note


def test_loading_a_complete_file_says_nothing_more(capsys, tmp_path):
    path = tmp_path / "run.json"
    path.write_text(run_to_json(train(TrainConfig(epochs=5))))
    code, out, _ = run_cli(capsys, "train", "--load", path, "--epochs", 5, "--log-every", 0)
    assert code == 0 and "does not set" not in out


# --- bad flags ------------------------------------------------------------------------------
# The cases come from each setting's declaration (tests/setting_cases.py), plus values that
# begin with "-", which argparse would otherwise take for a flag.
DASHED = [("lr", "-inf"), ("lr", "-1e-3"), ("hidden", "-x"), ("dataset", "-xor"),
          ("seed", "-1")]


@pytest.mark.parametrize("name, value", [(name, value) for name, value in BAD_TEXTS + DASHED
                                         if FIELDS[name].kind != "points"])  # a file: below
def test_bad_setting_gives_the_urls_message(capsys, name, value):
    with pytest.raises(ValueError) as parsed:
        FIELDS[name].parse(value)
    code, out, err = run_cli(capsys, "train", f"--{name}", value)
    assert_one_line_error(code, err, f"--{name}", str(parsed.value))
    assert out == ""


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--log-every", "-5"], "--log-every"),
    (["train", "--log-every", "often"], "--log-every"),
    (["train", "--colour", "0.9"], "unrecognized arguments: --colour"),
    (["train", "--hid", "4"], "unrecognized arguments: --hid"),
    (["train", "--lr"], "--lr: expected one argument"),
    (["train", "--lr", "--epochs", "5"], "--lr: expected one argument"),
    (["tarin"], "invalid choice: 'tarin'"),
    ([], "required: COMMAND"),
], ids=["negative-log-every", "text-log-every", "unknown-flag", "abbreviated-flag",
        "missing-value", "value-is-the-next-flag", "unknown-command", "no-command"])
def test_argparse_errors_are_one_line(capsys, argv, fragment):
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, fragment)
    assert out == ""


# --- divergence -----------------------------------------------------------------------------


def test_huge_learning_rate_is_refused_quietly(capsys):
    code, _, err = run_cli(capsys, "train", "--lr", "1e300", "--activation", "relu")
    assert_one_line_error(code, err, "--lr", "lr must be a number >= 1e-06 and <= 1000")


def test_divergence_prints_the_log_then_exits_1(capsys, tmp_path):
    config = TrainConfig(dataset="xor-cloud", hidden=1, activation="relu", loss="bce",
                         lr=1000, samples=8, noise=1, seed=1, epochs=300)
    run = train(config)
    assert run.stopped, "this config no longer diverges: pick another for the test"
    path = tmp_path / "run.json"
    code, out, err = run_cli(capsys, "train", *DIVERGES, "--log-every", 10, "--save", path)
    assert code == 1
    assert epoch_lines(out) == expected_log(run.mse, 10)
    assert err == f"backprop: {run.stopped} Nothing was saved to {path}.\n"
    assert not path.exists()


def test_python_m_backprop_prints_the_tutorial_log():
    done = subprocess.run([sys.executable, "-W", "error", "-m", "backprop", "train",
                           "--epochs", "2001"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    # The tutorial prints 0.2768094258807294, which rounds to 0.27680943.
    assert first.startswith("Epoch 0, Loss: 0.2768094"), first
    assert round(float(first.split("Loss: ")[1]), 8) == 0.27680943, first
    assert f"Epoch 2000, Loss: {train(TrainConfig(epochs=2001)).mse[2000]:.12g}" in done.stdout
    assert done.stderr == ""


def test_saved_file_is_json(capsys, tmp_path):
    path = tmp_path / "run.json"
    assert run_cli(capsys, "train", "--epochs", 3, "--log-every", 0, "--save", path)[0] == 0
    assert json.loads(path.read_text())["config"]["epochs"] == 3


# --- a reader that goes away: python -m backprop train | head ----------------------------


def test_a_closed_pipe_ends_quietly_like_a_unix_tool(tmp_path):
    """The reader stops after two lines, as ``| head -2`` does, while lines still come."""
    path = tmp_path / "run.json"
    child = subprocess.Popen([sys.executable, "-W", "error", "-m", "backprop", "train",
                              "--epochs", "20000", "--log-every", "1", "--save", str(path)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = [child.stdout.readline() for _ in range(2)]
    child.stdout.close()  # the reader goes away; 20,000 lines do not fit in a pipe's buffer
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=120) == BROKEN_PIPE == 141, err
    assert err == "", f"not quiet:\n{err}"
    assert first[0].startswith(b"Epoch 0, Loss: 0.2768094")
    assert loads(path.read_bytes()).config.epochs == 20000, "the pipe closing lost --save"


def test_train_piped_into_head():
    """The exact command from the issue, through a real shell pipe into head."""
    if os.name != "posix":
        pytest.skip("needs a POSIX shell and head")
    done = subprocess.run(f"set -o pipefail; '{sys.executable}' -m backprop train --epochs 5000 "
                          "--log-every 1 | head -n 3", shell=True, executable="/bin/bash",
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stderr == "", done.stderr
    assert done.stdout.splitlines()[2].startswith("Epoch 2, Loss: ")
    assert done.returncode == BROKEN_PIPE, "python's own status, through pipefail"


def test_script_command_prints_a_script_that_logs_like_train(tmp_path):
    flags = ["--hidden", "3", "--lr", "0.5", "--epochs", "1500", "--log-every", "500"]
    script = subprocess.run([sys.executable, "-m", "backprop", "script", *flags],
                            capture_output=True, text=True, timeout=120, check=True).stdout
    (tmp_path / "run.py").write_text(script)
    ran = subprocess.run([sys.executable, str(tmp_path / "run.py")], capture_output=True,
                         text=True, timeout=120, check=True, cwd=tmp_path).stdout
    trained = subprocess.run([sys.executable, "-m", "backprop", "train", *flags],
                             capture_output=True, text=True, timeout=120).stdout
    epochs = [line for line in ran.splitlines() if line.startswith("Epoch ")]
    assert len(epochs) == 3
    assert epochs == [line for line in trained.splitlines() if line.startswith("Epoch ")]


def test_script_command_writes_out_and_refuses_bad_flags(capsys, tmp_path):
    code, out, err = run_cli(capsys, "script", "--epochs", "10", "--out",
                             str(tmp_path / "s.py"))
    assert code == 0 and (tmp_path / "s.py").read_text().startswith('"""A Backprop Lab run')
    code, out, err = run_cli(capsys, "script", "--lr", "abc")
    assert_one_line_error(code, err, "lr must be")


# --- your own data: --data FILE -----------------------------------------------------------

XOR_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"  # the tutorial's table, typed by hand


def test_data_file_of_the_xor_table_prints_the_tutorials_run(capsys, tmp_path):
    path = tmp_path / "xor.csv"
    path.write_text(XOR_CSV, encoding="utf-8")
    code, mine, err = run_cli(capsys, "train", "--data", path, "--epochs", 300)
    assert (code, err) == (0, "")
    _, tutorial, _ = run_cli(capsys, "train", "--epochs", 300)
    assert mine == tutorial  # log, verdict and predictions, line for line


def test_data_file_sets_the_custom_dataset_and_saves_its_points(capsys, tmp_path):
    path, saved = tmp_path / "mine.csv", tmp_path / "run.json"
    path.write_text("y,x1,x2\n1,0.5,-2\n0,3,4\n1,1e-3,0\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "train", "--data", path, "--epochs", 20, "--save", saved)
    assert (code, err) == (0, "")
    config = loads(saved.read_text(encoding="utf-8")).config
    assert (config.dataset, config.data) == ("custom", "0.5,-2,1;3,4,0;0.001,0,1")
    assert "Accuracy: " in out and " of 3 " in out


@pytest.mark.parametrize("text, fragment", [
    ("x1,x2,y\n0,0,0\n0,1,2\n", "row 3: y must be 0 or 1, got 2"),
    ("x1,x2\n0,0\n", "row 1 (the header): missing column(s) y"),
    ("x1,x2,y\n0,0,0\n1,1,0\n", "every point has y = 0"),
    ("x1,x2,y\n0,zero,0\n1,1,1\n", "row 2: x2 must be a number, got 'zero'"),
    ("x1,x2,y\n0,0,0,9\n1,1,1\n", "row 2: expected 3 values"),
    ("", "the file is empty"),
])
def test_bad_data_file_is_one_line_naming_the_row(capsys, tmp_path, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, "train", "--data", path)
    assert_one_line_error(code, err, "--data", "bad.csv", fragment)
    assert out == ""


def test_data_file_that_is_missing_or_too_large(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", "--data", tmp_path / "none.csv")
    assert_one_line_error(code, err, "cannot read data file", "none.csv")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x1,x2,y\n" + b"0,0,0\n" * 900_000)  # 5.4 MB
    code, _, err = run_cli(capsys, "train", "--data", big)
    assert_one_line_error(code, err, "too large", "at most 5,000,000 bytes")


def test_data_file_with_another_dataset_is_refused(capsys, tmp_path):
    path = tmp_path / "xor.csv"
    path.write_text(XOR_CSV, encoding="utf-8")
    code, _, err = run_cli(capsys, "train", "--data", path, "--dataset", "and")
    assert_one_line_error(code, err, "--data FILE", "--dataset custom")
