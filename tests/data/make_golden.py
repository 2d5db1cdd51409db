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

Run from the repository root: ``python tests/data/make_golden.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import reference  # noqa: E402  (tests/reference.py, the plain transcription)

FIRST = {"hidden": 2, "lr": 0.1, "epochs": 10_000, "seed": 0, "activation": "sigmoid",
         "loss": "mse", "init": "normal", "dataset": "xor"}
V1 = {"dataset": "xor", "hidden": 3, "activation": "tanh", "loss": "bce", "lr": 0.5,
      "epochs": 2000, "seed": 4, "init": "normal", "update": "online", "samples": 200,
      "noise": 0.15}
V2 = {"dataset": "xnor", "hidden": 4, "activation": "sigmoid", "loss": "mse", "lr": 0.3,
      "epochs": 1500, "seed": 7, "init": "normal", "update": "batch", "samples": 200,
      "noise": 0.15}


def trained(settings: dict):
    """The reference's final weights and MSE curve for these settings, as JSON lists."""
    run = SimpleNamespace(**{"update": "batch", **settings})  # the first design: batch only
    params, curve = reference.run(run)
    return {name: value.tolist() for name, value in params.items()}, [float(v) for v in curve]


def one_key_per_line(doc: dict) -> str:
    """The layout the version-1 and version-2 programs write: the curve on its last line."""
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


if __name__ == "__main__":
    main()
