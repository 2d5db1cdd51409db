"""The Seed census and Sweep pages at depth, in the app (AppTest)."""

from __future__ import annotations

import numpy as np
import pytest
from appsession import charts, ok, start

from backprop import FIELDS, explore, nn


@pytest.fixture(autouse=True)
def tutorial_sweep_done():
    """A stand-in for the tutorial's sweep (tens of seconds), where the app shares it."""
    from ui.common import shared_results
    from ui.explore import TUTORIAL_SWEEP as key

    rows = explore.sweep_rows(explore.TrainConfig())
    store = shared_results("sweep-tutorial", 1)
    if key not in store:
        store.get(key, lambda: explore.Sweep(explore.SWEEP_LRS, rows, explore.SWEEP_SEEDS,
                                             np.zeros((len(rows), len(explore.SWEEP_LRS)))))


def test_the_census_page_works_at_depth_3():
    at = start({"hidden": "4,3,2", "activation": "tanh", "epochs": "200"}, page="Seed census",
               census_n=10)
    ok(at)
    (metric,) = [m for m in at.metric if m.label == "Solved"]
    assert metric.value.endswith(" of 10")
    grids = [c for c in charts(at) if any(t["type"] == "contour" for t in c["data"])]
    assert grids, "the example decision surfaces are drawn"
    # The census by optimizer: one metric per optimizer, each out of the same 10 seeds.
    names = FIELDS["optimizer"]
    optimizers = [m for m in at.metric if m.label != "Solved"]
    assert [m.label for m in optimizers] == [names.show(o) for o in nn.OPTIMIZERS]
    assert all(m.value.endswith(" of 10") for m in optimizers)


def test_the_sweep_page_at_depth_2_sweeps_both_layers_together():
    at = start({"hidden": "3,2", "epochs": "30"}, page="Sweep", sweep_seeds=10)
    ok(at)
    assert any("all 2 hidden layers" in c.value for c in at.caption)
    (button,) = [b for b in at.button if b.label == "Run sweep for these settings"]
    ok(button.click().run())
    (heatmap,) = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["y"] == ["1,1", "2,2", "3,3", "4,4", "8,8"]
    assert any("these settings" in m.value for m in at.markdown)
