"""Training: one run against the reference, its history, many seeds at once, divergence.

Every test runs twice, once per engine (compiled kernels and the NumPy reference).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import reference
from reference import assert_matches, mismatch

from backprop import DEFAULTS, TrainConfig, nn, train, train_many
from backprop.many import MAX_SEEDS
from backprop.training import checkpoint_budget, checkpoint_epochs, dataset


@pytest.fixture(scope="module", autouse=True, params=["compiled", "numpy"])
def engine(request):
    """Train with this engine throughout (BACKPROP_ENGINE); both must pass everything here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKPROP_ENGINE", request.param)
        yield request.param


def _id(config: TrainConfig) -> str:
    """A test id naming only what differs from the tutorial's defaults."""
    changed = {k: v for k, v in config.to_dict().items() if v != getattr(DEFAULTS, k)}
    return ",".join(f"{k}={v}" for k, v in changed.items()) or "defaults"


def _params_close(mine: dict, gold: dict, atol: float):
    assert_matches(mine, gold, atol=atol, names=list(nn.PARAM_NAMES))


# --- one run reproduces the tutorial's algorithm ------------------------------------------

REFERENCE_CONFIGS = [
    *(TrainConfig(seed=s) for s in range(6)),  # the tutorial itself, six seeds
    TrainConfig(hidden=3, activation="tanh", loss="bce", lr=0.5, epochs=3000, seed=4),
    TrainConfig(hidden=4, activation="relu", epochs=3000, seed=1),
    TrainConfig(hidden=5, activation="relu", loss="bce", lr=0.3, epochs=2000, seed=6),
    TrainConfig(update="online", epochs=2000, seed=2),
    TrainConfig(update="online", hidden=3, activation="tanh", loss="bce", epochs=1000, seed=5),
    *(TrainConfig(dataset=d, epochs=2000, seed=3) for d in ("and", "or", "nand", "xnor")),
    TrainConfig(optimizer="momentum", lr=0.05, epochs=3000, seed=1),
    TrainConfig(optimizer="momentum", momentum=0.5, hidden=3, activation="tanh", loss="bce",
                epochs=2000, seed=2),
    TrainConfig(optimizer="adam", lr=0.01, epochs=3000, seed=0),
    TrainConfig(optimizer="adam", hidden=4, activation="relu", loss="bce", lr=0.02,
                epochs=1500, seed=5),
    TrainConfig(optimizer="momentum", update="online", lr=0.05, epochs=500, seed=4),
    TrainConfig(optimizer="adam", update="online", lr=0.01, epochs=500, seed=3),
]


@pytest.mark.parametrize("config", REFERENCE_CONFIGS, ids=_id)
def test_train_matches_the_reference(config):
    run = train(config)
    gold_params, gold_loss = reference.run(config)  # np.random.seed(config.seed) first
    assert_matches({"loss": run.mse, **run.params}, {"loss": gold_loss, **gold_params},
                   atol=1e-8)
    assert run.stopped is None


def test_tutorial_seed_0_gets_stuck_on_the_one_sixth_plateau():
    """The tutorial's own run does not learn XOR: three patterns merge and predict 2/3."""
    run = train(TrainConfig())
    np.testing.assert_allclose(run.predictions, [0.06, 0.66, 0.66, 0.66], atol=0.01,
                               err_msg="final predictions of the tutorial's run (seed 0)")
    verdict = run.verdict
    assert verdict.status == "stuck", verdict.text
    assert verdict.plateau == pytest.approx(1 / 6)
    assert run.mse[-1] == pytest.approx(1 / 6, abs=0.01)


# --- the recorded history ------------------------------------------------------------------


@pytest.mark.parametrize("epochs", [0, 1, 7, 100, 20_000, 100_000])
@pytest.mark.parametrize("count", [checkpoint_budget(2, 4), checkpoint_budget(16, 1000)])
def test_checkpoint_epochs_are_few_sorted_and_span_the_run(epochs, count):
    ck = checkpoint_epochs(epochs, count)
    assert len(ck) <= 130, f"{len(ck)} checkpoints for {epochs} epochs"
    assert ck[0] == 0 and ck[-1] == epochs
    assert (np.diff(ck) > 0).all(), "checkpoints must be strictly increasing"


LONG = TrainConfig(epochs=20_000, seed=2)


@pytest.fixture(scope="module")
def long_run(engine):
    return train(LONG)


def test_long_run_keeps_a_bounded_history(long_run):
    epochs = long_run.history.epochs
    assert len(epochs) <= 130
    assert epochs[0] == 0 and epochs[-1] == LONG.epochs
    for name, values in long_run.history.steps.items():
        assert len(values) == len(epochs), name


@pytest.mark.parametrize("k", [1, 20, 60, -2])
def test_snapshot_params_equal_training_that_many_epochs(long_run, k):
    epoch = int(long_run.history.epochs[k])
    again = train(LONG.replace(epochs=epoch))
    _params_close(long_run.history.at(k), again.params, atol=1e-12)


def test_snapshot_forward_and_gradients_equal_nn_at_those_params(long_run):
    X, y = long_run.X, long_run.y
    problems = []
    for k, epoch in enumerate(long_run.history.epochs):
        snap = long_run.history.at(k)
        cache = nn.forward(snap, X, "sigmoid")
        expected = {**cache, **nn.backward(snap, X, y, cache, "sigmoid", "mse")}
        problems += [f"epoch {epoch}: {m}" for name, value in expected.items()
                     if (m := mismatch(name, snap[name], value, atol=1e-12))]
    assert not problems, "\n".join(problems[:10])


def test_snapshot_outputs_give_the_recorded_loss(long_run):
    """loss[e] is mean((y - a2)^2) before update e, so it comes from snapshot e's a2."""
    ks = [k for k, e in enumerate(long_run.history.epochs) if e < LONG.epochs]
    a2 = long_run.history.steps["a2"][ks]  # (K, 1, n)
    from_snapshots = ((long_run.y - a2) ** 2).mean(axis=(1, 2))
    recorded = long_run.mse[long_run.history.epochs[ks]]
    assert_matches({"loss": recorded}, {"loss": from_snapshots}, atol=1e-15)


def test_last_snapshot_is_the_final_params(long_run):
    _params_close(long_run.history.at(-1), long_run.params, atol=0)


@pytest.mark.parametrize("k", [3, -2])
def test_online_snapshots_follow_the_same_shuffles(k):
    config = TrainConfig(update="online", epochs=600, seed=1)
    run = train(config)
    epoch = int(run.history.epochs[k])
    _params_close(run.history.at(k), train(config.replace(epochs=epoch)).params, atol=1e-12)


# --- many seeds at once --------------------------------------------------------------------

MANY_CONFIGS = [
    TrainConfig(epochs=2000),
    TrainConfig(hidden=3, activation="tanh", loss="bce", lr=0.5, epochs=1000),
    TrainConfig(hidden=4, activation="relu", epochs=1000),
    TrainConfig(update="online", epochs=300),
    TrainConfig(update="online", hidden=3, activation="tanh", loss="bce", epochs=300),
    TrainConfig(dataset="xor-cloud", samples=40, hidden=3, epochs=500),
    TrainConfig(optimizer="momentum", lr=0.05, epochs=1000),
    TrainConfig(optimizer="adam", update="online", lr=0.01, epochs=200),
]
MANY_SEEDS = [0, 1, 2, 3, 7, 12345]


@pytest.mark.parametrize("config", MANY_CONFIGS, ids=_id)
def test_train_many_equals_train_per_seed(config):
    many = train_many(config, MANY_SEEDS)
    for i, seed in enumerate(MANY_SEEDS):
        run = train(config.replace(seed=seed))
        mine = {"loss": many.mse[:, i], **{k: v[i] for k, v in many.params.items()}}
        try:
            assert_matches(mine, {"loss": run.mse, **run.params}, atol=1e-9)
        except AssertionError as err:
            raise AssertionError(f"seed {seed} (column {i}): {err}") from None
        assert many.solved[i] == run.verdict.solved, f"seed {seed}: {run.verdict.text}"


def test_train_many_shapes():
    config, S = TrainConfig(hidden=3, epochs=50), 5
    many = train_many(config, range(S))
    H, n = 3, 4
    shapes = {"loss": many.mse.shape, "W1": many.params["W1"].shape,
              "b1": many.params["b1"].shape, "W2": many.params["W2"].shape,
              "b2": many.params["b2"].shape, "predictions": many.predictions.shape,
              "solved": many.solved.shape, "plateau": many.plateau.shape}
    assert shapes == {"loss": (50, S), "W1": (S, H, 2), "b1": (S, H, 1), "W2": (S, 1, H),
                      "b2": (S, 1, 1), "predictions": (S, n), "solved": (S,),
                      "plateau": (S,)}


@pytest.mark.parametrize("every", [1, 7, 1000])
def test_train_many_loss_every_keeps_every_kth_epoch(every):
    config, seeds = TrainConfig(epochs=300), range(4)
    full = train_many(config, seeds)
    thinned = train_many(config, seeds, loss_every=every)
    assert np.array_equal(thinned.mse_epochs, np.arange(0, 300, every))
    assert_matches({"loss": thinned.mse}, {"loss": full.mse[::every]}, atol=0)
    _params_close(thinned.params, full.params, atol=0)


@pytest.mark.parametrize("seeds, loss_every, match", [
    ([], 1, "seeds"),
    (range(MAX_SEEDS + 1), 1, "seeds"),
    (range(3), 0, "loss_every"),
])
def test_train_many_rejects_out_of_range_arguments(seeds, loss_every, match):
    with pytest.raises(ValueError, match=match):
        train_many(TrainConfig(epochs=1), seeds, loss_every=loss_every)


def test_train_many_accepts_the_maximum_number_of_seeds():
    many = train_many(TrainConfig(epochs=1), range(MAX_SEEDS))
    assert many.mse.shape == (1, MAX_SEEDS)


# --- divergence ----------------------------------------------------------------------------
# Verified to overflow: relu units are unbounded and cross-entropy's delta2 = a2 - y never
# vanishes on overlapping noisy clouds, so at lr 1000 the weights grow past 1e308 within
# about 50 epochs (batch: epoch 54; online: epoch 13).
DIVERGES = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=16,
                       activation="relu", loss="bce", lr=1000.0, epochs=300, seed=0)


def _all_finite(params):
    return all(np.isfinite(v).all() for v in params.values())


@pytest.mark.parametrize("update", ["batch", "online"])
def test_divergence_stops_cleanly_and_quietly(update):
    config = DIVERGES.replace(update=update)
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")  # no RuntimeWarning: overflow is detected, not warned
        run = train(config)
        verdict = run.verdict
        run.predictions  # noqa: B018 - must not warn either
    assert run.stopped and "non-finite" in run.stopped
    assert verdict.status == "diverged"
    assert 0 < len(run.mse) < config.epochs
    assert np.isfinite(run.mse).all()
    assert _all_finite(run.params)
    assert run.history.epochs[-1] == len(run.mse)
    _params_close(run.history.at(-1), run.params, atol=0)


@pytest.mark.parametrize("update", ["batch", "online"])
def test_divergence_stops_where_the_reference_overflows(update):
    """loss and params are the reference's up to the stop, and one more epoch overflows."""
    config = DIVERGES.replace(update=update)
    run = train(config)
    E = len(run.mse)
    X, y = dataset(config)
    np.random.seed(config.seed)
    gold = reference.TutorialNetwork(config.hidden[0], config.activation, config.loss)
    with np.errstate(all="ignore"):
        gold_loss = gold.train(X, y, E, config.lr, update, config.seed)
    gold_params = gold.params()
    # The weights are near 1e200 by now, so compare relatively (NaN on one side fails).
    assert_matches({"loss": run.mse, **run.params}, {"loss": gold_loss, **gold_params},
                   atol=1e-9, rtol=1e-9)
    # One more epoch, from the same state and the same shuffle stream, overflows.
    np.random.seed(config.seed)
    again = reference.TutorialNetwork(config.hidden[0], config.activation, config.loss)
    with np.errstate(all="ignore"):
        again.train(X, y, E + 1, config.lr, update, config.seed)
    assert not _all_finite(again.params()), f"the reference is still finite after epoch {E}"


# --- progress ----------------------------------------------------------------------------


def _check_progress(fractions):
    assert fractions, "progress was never called"
    assert all(0 < f <= 1 for f in fractions), fractions
    assert (np.diff(fractions) > 0).all(), f"not increasing: {fractions}"
    assert fractions[-1] == 1.0, f"ends at {fractions[-1]}, not 1.0"


@pytest.mark.parametrize("epochs", [1, 499, 2200])
def test_train_reports_increasing_progress_ending_at_one(epochs):
    fractions = []
    train(TrainConfig(epochs=epochs), progress=fractions.append)
    _check_progress(fractions)


@pytest.mark.parametrize("epochs", [
    1000,
    1200,
])
def test_train_many_reports_increasing_progress_ending_at_one(epochs):
    fractions = []
    train_many(TrainConfig(epochs=epochs), range(3), progress=fractions.append)
    _check_progress(fractions)


def test_train_many_refuses_work_that_would_run_for_hours():
    from backprop.many import MAX_MANY_WORK

    config = TrainConfig(dataset="circles", samples=1000, hidden=4, epochs=100_000)
    seeds = MAX_MANY_WORK // (100_000 * 4 * 1000) + 1
    with pytest.raises(ValueError, match="epochs x hidden units x samples x seeds"):
        train_many(config, range(seeds))


def test_online_training_in_chunks_continues_the_shuffle_stream():
    """Live training runs in chunks; with one generator the chunks equal one long run."""
    config = TrainConfig(update="online", epochs=60, seed=3)
    whole = train(config)
    shuffle = np.random.default_rng(config.seed)
    first = train(config.replace(epochs=25), shuffle=shuffle)
    second = train(config.replace(epochs=35), params=first.params, shuffle=shuffle)
    np.testing.assert_allclose(np.concatenate([first.mse, second.mse]), whole.mse,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(second.params["W1"], whole.params["W1"], rtol=0, atol=1e-12)
