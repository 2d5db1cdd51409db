"""Run files across versions: golden files of every version, migrations, and what a
file that leaves settings out is read as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reference import assert_matches
from setting_cases import SMALL

from backprop import TrainConfig, train
from backprop.config import FIELDS, VERSION, filled_message
from backprop.nn import PARAM_NAMES
from backprop.runfile import KEYS, MIGRATIONS, RunFileError, loads, run_to_json

DATA = Path(__file__).resolve().parent / "data"


def test_a_written_file_sets_everything_so_nothing_is_filled(valid_text):
    loaded = loads(valid_text)
    assert (loaded.filled, loaded.version) == ((), VERSION)
    assert filled_message("run.json", loaded) == ""


# --- golden files: every version ever written still loads and reproduces its run -----------
# Written once by tests/data/make_golden.py from tests/reference.py (not from this code).
# The version and the settings each must read as are written here by hand.
GOLDEN = {
    "run-v1-first-design.json": (1, TrainConfig()),  # the tutorial's own run
    "run-v1.json": (1, TrainConfig(hidden=3, activation="tanh", loss="bce", lr=0.5,
                                   epochs=2000, seed=4, update="online")),
    "run-v2.json": (2, TrainConfig(dataset="xnor", hidden=4, lr=0.3, epochs=1500, seed=7)),
    "run-v3.json": (3, TrainConfig(hidden=(3, 2), activation="tanh", loss="bce", lr=0.01,
                                   epochs=1200, seed=5, optimizer="adam")),
}


def test_there_is_a_golden_file_for_every_version():
    on_disk = {path.name for path in DATA.glob("*.json")}
    assert on_disk == set(GOLDEN)
    assert {version for version, _ in GOLDEN.values()} == set(range(1, VERSION + 1))


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_file_loads_as_its_writer_meant(name):
    version, config = GOLDEN[name]
    text = (DATA / name).read_text(encoding="utf-8")
    loaded = loads(text)
    assert (loaded.version, loaded.config) == (version, config)
    left_out = tuple(name for name in FIELDS if name not in json.loads(text)["config"])
    assert loaded.filled == left_out


def test_the_first_design_file_has_only_the_eight_first_settings():
    doc = json.loads((DATA / "run-v1-first-design.json").read_text(encoding="utf-8"))
    assert list(doc["config"]) == ["hidden", "lr", "epochs", "seed", "activation", "loss",
                                   "init", "dataset"]
    assert {"update", "samples", "noise"} <= set(loads(json.dumps(doc)).filled)


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_file_reproduces_its_run_to_1e_12(name):
    loaded = loads((DATA / name).read_bytes())
    run = train(loaded.config)
    assert_matches({**run.params, "mse": run.mse}, {**loaded.params, "mse": loaded.mse},
                   atol=1e-12)


def test_a_current_file_without_a_setting_takes_the_current_default(valid_text):
    doc = json.loads(valid_text)
    del doc["config"]["noise"], doc["config"]["init"]
    loaded = loads(json.dumps(doc))
    assert loaded.config == SMALL and loaded.filled == ("init", "noise")
    assert filled_message("run.json", loaded) == (
        "run.json does not set init, noise; using what version 3 ran with: "
        "init normal, noise 0.15.")


def test_every_layout_change_has_a_migration():
    layouts = [KEYS[max(v for v in KEYS if v <= version)] for version in range(1, VERSION + 1)]
    changed = {version for version in range(2, VERSION + 1)
               if layouts[version - 1] != layouts[version - 2]}
    assert changed <= set(MIGRATIONS) <= set(range(2, VERSION + 1))


def as_version_1(doc):
    """The valid file as the version-1 program wrote it: the curve under "loss"."""
    doc["version"] = 1
    doc["loss"] = doc.pop("mse")


def test_a_version_1_file_reads_as_the_same_run(valid_text, small_run):
    doc = json.loads(valid_text)
    as_version_1(doc)
    loaded = loads(json.dumps(doc))
    assert loaded.config == SMALL and (loaded.version, loaded.filled) == (1, ())
    for name in PARAM_NAMES:
        assert (loaded.params[name] == small_run.params[name]).all(), name
    assert (loaded.mse == small_run.mse).all()


@pytest.mark.parametrize("change, fragment", [
    (lambda doc: doc.update(loss=doc["mse"]), "unknown key(s): 'loss'; a version-3 run file "
                                              "has only format, version, config, params, mse"),
    (lambda doc: (as_version_1(doc), doc.update(mse=[])), "unknown key(s): 'mse'; a version-1 "
                                                          "run file has only format, version, "
                                                          "config, params, loss"),
    (lambda doc: (as_version_1(doc), doc["loss"].__setitem__(3, "x")),
     "loss[3] must be a number, got the string 'x'"),
    (lambda doc: (as_version_1(doc), doc["config"].update(epochs=10)),
     "loss has 50 entries, more than epochs = 10"),
], ids=["v2-with-loss", "v1-with-mse", "v1-bad-curve-entry", "v1-curve-too-long"])
def test_each_version_is_checked_against_its_own_keys(valid_text, change, fragment):
    doc = json.loads(valid_text)
    change(doc)
    with pytest.raises(RunFileError) as caught:
        loads(json.dumps(doc))
    assert fragment in str(caught.value), f"message was: {caught.value}"


def test_a_file_from_before_your_own_data_reads_as_no_points_and_says_nothing_of_them():
    loaded = loads((DATA / "run-v2.json").read_bytes())
    assert "data" not in json.loads((DATA / "run-v2.json").read_text())["config"]
    assert loaded.config.data == "" and "data" in loaded.filled
    assert "data" not in filled_message("run-v2.json", loaded)


def test_a_file_with_points_round_trips_them(small_run):
    config = SMALL.replace(dataset="custom", data="0,0,0;0,1,1;1,0,1;1,1,0")
    run = train(config)
    loaded = loads(run_to_json(run))
    assert (loaded.config, loaded.filled) == (config, ())
    # The XOR table typed in is the tutorial's own run.
    assert_matches({**small_run.params, "mse": small_run.mse},
                   {**loaded.params, "mse": loaded.mse}, atol=1e-12)
