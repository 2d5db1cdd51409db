"""How the golden run files here were made, once. Do not re-run it to make a test pass.

Each file is a run file as the program of its version wrote it, with the weights and
the MSE curve computed by ``tests/reference.py`` (the tutorial's algorithm written out
plainly), not by the code under test, and written with the ``json`` module, not by
``backprop.runfile``. ``tests/test_runfile.py`` loads every file with today's code,
retrains from its settings and requires the stored weights and curve to 1e-12.

- run-v1-first-design.json: the first design's file, with only its eight settings
  (hidden, lr, epochs, seed, activation, loss, init, dataset), all on one line, as a
  plain ``json.dump`` writes it. It is the tutorial's own run: seed 0, 10,000 epochs.
- run-v1.json: version 1 as the program wrote it with all eleven settings, the curve
  under "loss".
- run-v2.json: version 2, the curve under "mse".
- run-v3.json: version 3, two hidden layers (``"hidden": [3, 2]``, so W1 … b3) trained
  with Adam, computed by ``tests/reference_deep.py``.

Run from the repository root: ``python tests/data/make_golden.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parents[1]))  # reference_deep imports tests.reference

import reference  # noqa: E402  (tests/reference.py, the plain transcription)
from reference_deep import DeepNetwork  # noqa: E402  (any depth, with optimizers)

FIRST = {"hidden": 2, "lr": 0.1, "epochs": 10_000, "seed": 0, "activation": "sigmoid",
         "loss": "mse", "init": "normal", "dataset": "xor"}
V1 = {"dataset": "xor", "hidden": 3, "activation": "tanh", "loss": "bce", "lr": 0.5,
      "epochs": 2000, "seed": 4, "init": "normal", "update": "online", "samples": 200,
      "noise": 0.15}
V2 = {"dataset": "xnor", "hidden": 4, "activation": "sigmoid", "loss": "mse", "lr": 0.3,
      "epochs": 1500, "seed": 7, "init": "normal", "update": "batch", "samples": 200,
      "noise": 0.15}

V3 = {"dataset": "xor", "hidden": [3, 2], "activation": "tanh", "loss": "bce", "lr": 0.01,
      "epochs": 1200, "seed": 5, "init": "normal", "update": "batch", "samples": 200,
      "noise": 0.15, "optimizer": "adam", "momentum": 0.9, "data": ""}


def trained_deep(settings: dict):
    """``trained`` for any depth and optimizer, by the deep reference."""
    net = DeepNetwork(settings["hidden"], settings["activation"], settings["loss"],
                      settings["optimizer"], settings["momentum"], settings["seed"])
    X, y = reference.truth_table(settings["dataset"])
    curve = net.train(X, y, settings["epochs"], settings["lr"], settings["update"],
                      settings["seed"])
    return ({name: value.tolist() for name, value in net.params().items()},
            [float(v) for v in curve])


def trained(settings: dict):
    """The reference's final weights and MSE curve for these settings, as JSON lists."""
    run = SimpleNamespace(**{"update": "batch", "optimizer": "gd", "momentum": 0.9,
                             **settings})  # the first design: batch, plain descent
    params, curve = reference.run(run)
    return {name: value.tolist() for name, value in params.items()}, [float(v) for v in curve]


def one_key_per_line(doc: dict) -> str:
    """The layout the version-1 to version-3 programs write: the curve on its last line."""
    *head, (curve_key, curve) = doc.items()
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in head]
    lines.append(f"  {json.dumps(curve_key)}: {json.dumps(curve, separators=(',', ':'))}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    params, curve = trained(FIRST)
    first = {"format": "backprop-run", "version": 1, "config": FIRST, "params": params,
             "loss": curve}
    (HERE / "run-v1-first-design.json").write_text(json.dumps(first))
    params, curve = trained(V1)
    v1 = {"format": "backprop-run", "version": 1, "config": V1, "params": params,
          "loss": curve}
    (HERE / "run-v1.json").write_text(one_key_per_line(v1))
    params, curve = trained(V2)
    v2 = {"format": "backprop-run", "version": 2, "config": V2, "params": params,
          "mse": curve}
    (HERE / "run-v2.json").write_text(one_key_per_line(v2))
    params, curve = trained_deep(V3)
    v3 = {"format": "backprop-run", "version": 3, "config": V3, "params": params,
          "mse": curve}
    (HERE / "run-v3.json").write_text(one_key_per_line(v3))


if __name__ == "__main__":
    main()
