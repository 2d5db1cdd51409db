"""Benchmarks for the census and the sweep (issue: seed census and lr x width sweep).

Run with ``python -m bench.explore``. The sweep's reference is its budget (20 s on
2 cores); the census's is the same seeds trained one by one with ``train``.
``python -m bench.explore --deep`` adds the same sweep at depth 2 (rows 1,1 ... 8,8),
against the default sweep's time.
"""

from __future__ import annotations

import sys
import time

from backprop import TrainConfig, train
from backprop.explore import SWEEP_HIDDEN, SWEEP_LRS, SWEEP_SEEDS, census, sweep


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(deep: bool = False) -> list[dict]:
    config = TrainConfig()
    rows = []
    sweep_s, result = _timed(lambda: sweep(config))
    cells = len(SWEEP_LRS) * len(SWEEP_HIDDEN)
    rows.append({"name": f"sweep, {cells} cells x {SWEEP_SEEDS} seeds, tutorial defaults",
                 "value": sweep_s, "unit": "s", "reference": 20.0,
                 "ratio": sweep_s / 20.0, "target": "<= 1.0x of the 20 s budget"})
    census_s, many = _timed(lambda: census(config, 200))
    one_s, _ = _timed(lambda: [train(config.replace(seed=s)) for s in range(5)])
    one_by_one = one_s / 5 * 200
    rows.append({"name": "census, 200 seeds (vs train() seed by seed)", "value": census_s,
                 "unit": "s", "reference": one_by_one, "ratio": census_s / one_by_one,
                 "target": f"solved {many.solved.mean():.1%}"})
    if deep:  # the sweep keeps the config's depth: two layers of each width
        deep_s, _ = _timed(lambda: sweep(config.replace(hidden=(2, 2))))
        rows.append({"name": f"sweep at depth 2, {cells} cells x {SWEEP_SEEDS} seeds",
                     "value": deep_s, "unit": "s", "reference": sweep_s,
                     "ratio": deep_s / sweep_s, "target": "vs the default sweep"})
    return rows


def print_rows(rows) -> None:
    for r in rows:
        ref = f"{r['reference']:.3g} {r['unit']}" if r.get("reference") else "-"
        ratio = f"{r['ratio']:.3g}x" if r.get("ratio") is not None else "-"
        print(f"{r['name']:<62} {r['value']:>9.3g} {r['unit']:<4} ref {ref:<12} "
              f"{ratio:<9} {r['target']}")


if __name__ == "__main__":
    print_rows(measure(deep="--deep" in sys.argv[1:]))
