"""The sweep at a fixed depth, and the census at any depth (issue 12: census and sweep)."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, explore, nn, train
from backprop import explore_figures as xfig
from backprop.compare import census_by_optimizer
from backprop.plane import plane_around


@pytest.mark.parametrize("hidden, rows", [
    (2, ((1,), (2,), (3,), (4,), (8,))),
    ((3, 2), ((1, 1), (2, 2), (3, 3), (4, 4), (8, 8))),
    ((4, 3, 2), ((1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4), (8, 8, 8))),
])
def test_the_sweep_rows_keep_the_depth_and_vary_every_layer(hidden, rows):
    assert explore.sweep_rows(TrainConfig(hidden=hidden)) == rows


SMALL = TrainConfig(hidden=(4, 4), epochs=400, seed=9)  # the seed is ignored by the sweep
LRS, WIDTHS, SEEDS = (0.5, 2.0), (1, 3), 4


@pytest.fixture(scope="module")
def deep_sweep():
    return explore.sweep(SMALL, LRS, WIDTHS, SEEDS)


def test_a_depth_2_sweep_is_each_cells_seeds_trained_one_by_one(deep_sweep):
    assert deep_sweep.hidden == ((1, 1), (3, 3)) and deep_sweep.depth == 2
    expected = [[np.mean([train(SMALL.replace(hidden=(w, w), lr=lr, seed=s)).verdict.solved
                          for s in range(SEEDS)]) for lr in LRS] for w in WIDTHS]
    np.testing.assert_array_equal(deep_sweep.solved, expected)


def test_one_unit_per_layer_never_solves_xor(deep_sweep):
    # Width 1 squeezes the plane onto a line w.x + b; XOR's corners satisfy
    # s(0,0) + s(1,1) = s(0,1) + s(1,0) on any line, so no threshold after any monotone
    # layers puts both 1s above both 0s.
    assert deep_sweep.solved[0].tolist() == [0.0, 0.0]


def test_the_sweep_figure_labels_rows_with_the_layer_widths(deep_sweep):
    (heat,) = xfig.sweep_figure(deep_sweep.lrs, deep_sweep.hidden, deep_sweep.solved,
                                deep_sweep.seeds).data
    assert list(heat.y) == ["1,1", "3,3"]
    figure = xfig.sweep_figure(deep_sweep.lrs, deep_sweep.hidden, deep_sweep.solved, 4)
    assert "2 hidden layers" in figure.layout.yaxis.title.text


def test_the_tutorial_sweep_figure_is_labelled_as_before():
    rows = explore.sweep_rows(TrainConfig())
    figure = xfig.sweep_figure(explore.SWEEP_LRS, rows, np.zeros((len(rows), 6)), 100)
    assert list(figure.data[0].y) == ["1", "2", "3", "4", "8"]
    assert figure.layout.yaxis.title.text == "hidden units"


def test_the_shared_tutorial_sweep_is_only_the_tutorials_depth():
    from ui.explore import TUTORIAL_SWEEP, _sweep_key

    assert _sweep_key(TrainConfig(hidden=5, lr=0.3, seed=4), 100) == TUTORIAL_SWEEP
    deep = _sweep_key(TrainConfig(hidden=(3, 2)), 100)
    assert deep != TUTORIAL_SWEEP and deep[1].hidden == (2, 2)
    assert _sweep_key(TrainConfig(hidden=(5, 7)), 100) == deep  # only the depth counts


# --- the census at depth -------------------------------------------------------------------

DEEP = TrainConfig(hidden=(4, 3, 2), activation="tanh", epochs=400)


@pytest.fixture(scope="module")
def deep_census():
    return explore.census(DEEP, 6)


def test_a_depth_3_census_is_each_seed_trained_alone(deep_census):
    assert set(deep_census.params) == set(nn.param_names(4))
    for seed in range(6):
        run = train(DEEP.replace(seed=seed))
        assert deep_census.solved[seed] == run.verdict.solved, f"seed {seed}"
        assert deep_census.final_mse[seed] == pytest.approx(run.mse[-1], abs=1e-12)


def test_census_example_surfaces_work_at_depth_3(deep_census):
    X = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]])
    plane = plane_around(X, resolution=7)
    picks = explore.census_examples(deep_census, per_kind=2)
    surfaces = explore.example_surfaces(deep_census, picks, plane)
    for k, surface in zip(picks, surfaces, strict=True):
        alone = train(DEEP.replace(seed=int(deep_census.seeds[k])))
        expected = nn.forward(alone.params, plane.points, "tanh")["out"].reshape(7, 7)
        np.testing.assert_allclose(surface, expected, atol=1e-9)


def test_the_census_by_optimizer_answer_at_the_tutorials_settings_is_unchanged():
    """The README's answer (seeds 0-199, lr 0.1): gd 136, momentum 147, Adam 95."""
    counts = census_by_optimizer(TrainConfig(), 200)
    assert counts == {"gd": (136, 200), "momentum": (147, 200), "adam": (95, 200)}
