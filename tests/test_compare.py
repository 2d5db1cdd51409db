"""Two runs side by side (backprop/compare.py): which settings differ, the same start, the
default B, and B in the link."""

from __future__ import annotations

import numpy as np
import pytest
from setting_cases import BAD_TEXTS, other_value

from backprop import FIELDS, TrainConfig, nn, train
from backprop import compare as cmp
from backprop.training import dataset

A = TrainConfig(epochs=300)


def test_differences_lists_the_settings_b_changes_in_fields_order():
    b = A.replace(seed=3, lr=0.5, optimizer="adam")
    assert cmp.differences(A, b) == ("lr", "seed", "optimizer")
    assert cmp.differences(A, A) == ()


@pytest.mark.parametrize("name", [n for n in FIELDS
                                  if n not in cmp.START_SETTINGS + cmp.DATA_SETTINGS])
def test_a_setting_outside_the_start_list_leaves_weights_and_data_as_they_were(name):
    # What makes "same start" honest: for these, A's start is exactly B's own start.
    b = A.replace(**{name: other_value(FIELDS[name])})
    assert cmp.same_start(A, b)
    for key, value in nn.init_params(A.hidden, A.init, A.seed).items():
        np.testing.assert_array_equal(value, nn.init_params(b.hidden, b.init, b.seed)[key])
    for mine, theirs in zip(dataset(A), dataset(b), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize(("name", "value"), [("hidden", 3), ("init", "xavier"), ("seed", 1),
                                             ("dataset", "and"),
                                             ("samples", 100), ("noise", 0.3)])
def test_a_start_setting_means_a_different_start(name, value):
    b = A.replace(**{name: value})
    assert not cmp.same_start(A, b)
    if name in cmp.START_SETTINGS:
        weights = nn.init_params(b.hidden, b.init, b.seed)
        start = nn.init_params(A.hidden, A.init, A.seed)
        assert any(weights[k].shape != start[k].shape or not np.array_equal(weights[k], start[k])
                   for k in start), f"{name}={value} should draw other weights"
    elif name == "dataset":
        assert not np.array_equal(dataset(A)[1], dataset(b)[1])
    else:  # samples and noise shape the continuous clouds
        cloud = A.replace(dataset="circles")
        assert not np.array_equal(dataset(cloud)[0], dataset(cloud.replace(**{name: value}))[0])


def test_train_pair_starts_b_from_a_s_weights_when_only_the_optimizer_differs():
    start = {k: v * 0.5 for k, v in nn.init_params(2, "normal", 7).items()}  # uploaded weights
    run_a, run_b, same = cmp.train_pair(A, A.replace(optimizer="adam"), start)
    assert same
    for k in nn.PARAM_NAMES:
        np.testing.assert_array_equal(run_a.history.steps[k][0], start[k])
        np.testing.assert_array_equal(run_b.history.steps[k][0], start[k])
    assert not np.allclose(run_a.mse, run_b.mse), "gd and Adam should not run the same"


def test_train_pair_gives_b_its_own_start_when_the_seed_differs():
    _, run_b, same = cmp.train_pair(A, A.replace(seed=5))
    assert not same
    np.testing.assert_array_equal(run_b.history.steps["W1"][0], nn.init_params(2, seed=5)["W1"])


def test_the_first_solving_seed_is_the_first_that_train_solves_alone():
    # Independent check: one train() per seed, in order, and its own verdict.
    config = TrainConfig(epochs=3000)
    seeds = range(8)
    by_hand = [s for s in seeds if s != 0
               and train(config.replace(seed=s)).verdict.status == "solved"]
    assert cmp.first_solving_seed(config, seeds, skip=0) == by_hand[0]


def test_no_seed_solves_xor_with_one_hidden_unit():
    assert cmp.first_solving_seed(TrainConfig(hidden=1, epochs=200), range(5)) is None


@pytest.mark.parametrize(("seed", "solving", "want"), [(0, 2, 2), (0, None, 1), (5, None, 6),
                                                       (2**32 - 1, None, 2**32 - 2)])
def test_default_b_is_a_at_the_solving_seed_or_the_next_seed(seed, solving, want):
    a = A.replace(seed=seed)
    b = cmp.default_b(a, solving)
    assert b.seed == want and cmp.differences(a, b) == ("seed",)


@pytest.mark.parametrize("b", [A.replace(seed=2), A.replace(optimizer="adam", lr=0.01),
                               A.replace(activation="tanh", loss="bce", momentum=0.5),
                               A.replace(dataset="circles", samples=50, noise=0.3), A])
def test_b_round_trips_through_the_link(b):
    query = cmp.b_query(A, b)
    assert all(key.startswith("b.") for key in query)
    read = cmp.read_b_query(query, A)
    assert read.config == b and read.warnings == ()


def test_the_link_writes_only_what_b_changes():
    assert cmp.b_query(A, A.replace(optimizer="adam", lr=0.01)) == {"b.lr": "0.01",
                                                                    "b.optimizer": "adam"}
    assert cmp.b_query(A, A) == {"b.seed": "0"}  # B is A, said explicitly


@pytest.mark.parametrize(("name", "text"), BAD_TEXTS)
def test_a_bad_b_value_warns_and_falls_back(name, text):
    fallback = A.replace(seed=4)
    read = cmp.read_b_query({f"b.{name}": text, "b.optimizer": "adam"} if name != "optimizer"
                            else {f"b.{name}": text}, A, fallback)
    assert len(read.warnings) == 1
    warning = read.warnings[0]
    assert warning.startswith(f"b.{name} must be "), warning
    assert warning.endswith(f"; using {FIELDS[name].text(getattr(fallback, name))}"), warning
    assert getattr(read.config, name) == getattr(fallback, name)
    if name != "optimizer":
        assert read.config.optimizer == "adam", "the good value next to it is kept"


def test_repeated_b_keys_take_the_last_and_unknown_ones_are_ignored():
    read = cmp.read_b_query({"b.seed": ["1", "3"], "b.colour": "red", "seed": "9"}, A)
    assert read.config == A.replace(seed=3) and read.given == ("seed",)
    assert not read.warnings


@pytest.mark.parametrize(("query", "want"), [({"b.seed": "1"}, True), ({"seed": "1"}, False),
                                             ({}, False)])
def test_has_b(query, want):
    assert cmp.has_b(query) is want


def test_describe_names_each_change_with_a_s_value():
    assert cmp.describe(A, A.replace(optimizer="adam", lr=0.01)) == (
        "lr 0.01 (A: 0.1), optimizer adam (A: gd)")
    assert cmp.describe(A, A) == "nothing: B is A"


def test_the_loss_figure_overlays_both_curves_and_marks_the_epoch():
    fig = cmp.compare_loss_figure([0.25, 0.2, 0.1], [0.25, 0.24], marker_epoch=1, log=True)
    assert [t.name for t in fig.data] == ["run A", "run B"]
    np.testing.assert_allclose(fig.data[0].y, [0.25, 0.2, 0.1], rtol=1e-6)
    assert list(fig.data[1].x) == [0, 1]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.shapes[0].x0 == 1


def test_the_census_by_optimizer_counts_each_optimizer_s_solved_seeds():
    config = TrainConfig(epochs=2000)
    counts = cmp.census_by_optimizer(config, 12)
    assert list(counts) == ["gd", "momentum", "adam"]
    for name, (solved, total) in counts.items():  # independently: one train() per seed
        by_hand = sum(train(config.replace(optimizer=name, seed=s)).verdict.status == "solved"
                      for s in range(12))
        assert (solved, total) == (by_hand, 12), name


def test_the_census_by_optimizer_reuses_the_census_it_is_given():
    class Known:  # a census at config's own optimizer (momentum), already run
        solved, seeds = np.array([True, False, True]), np.arange(3)

    seen = []
    counts = cmp.census_by_optimizer(TrainConfig(hidden=1, epochs=50, optimizer="momentum"),
                                     3, seen.append, known=Known)
    assert counts == {"gd": (0, 3), "momentum": (2, 3), "adam": (0, 3)}
    assert seen and seen == sorted(seen) and 0.5 <= seen[-1] <= 1.0
