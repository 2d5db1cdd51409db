"""The engine at depth 1-4: gradients, both engines against the deep reference, many seeds,
divergence and run files (issue 12, item 1)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import reference
from reference import assert_matches
from reference_deep import DeepNetwork

from backprop import TrainConfig, compiled, nn, train, train_many
from backprop.datasets import load
from backprop.runfile import dumps, loads, run_to_json
from backprop.training import dataset

ACTIVATIONS = list(nn.ACTIVATIONS)
LOSSES = list(nn.LOSSES)
DEPTHS = {1: (3,), 2: (3, 2), 3: (2, 3, 2), 4: (3, 2, 2, 3)}
EPS = 1e-6  # gradient_check's default step
# A learning rate each optimizer trains XOR with (Adam's step is about lr per update).
LR = {"gd": 0.2, "momentum": 0.05, "adam": 0.01}


@pytest.fixture(scope="module", autouse=True)
def require_numba():
    if compiled.kernels() is None:
        pytest.skip("numba is not importable: only the NumPy engine can run")


def _params(widths, seed: int) -> dict:
    return nn.init_params(widths, "normal", seed)


# --- the numerical gradient check at every depth -----------------------------------------


def _clear_of_kink(widths, X, activation: str) -> int:
    """The first seed whose hidden pre-activations all keep 1e-3 from relu's kink, where a
    central difference would straddle two slopes (any seed for the smooth activations)."""
    for seed in range(100):
        cache = nn.forward(_params(widths, seed), X, activation)
        if activation != "relu" or all(np.abs(cache[f"z{layer}"]).min() > 1e-3
                                       for layer in range(1, len(widths) + 1)):
            return seed
    raise AssertionError(f"no seed below 100 keeps {widths} clear of relu's kink")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("depth", list(DEPTHS))
def test_gradient_check_at_every_depth(depth, activation, loss):
    widths = DEPTHS[depth]
    X, y = load("xor-cloud", samples=12, noise=0.3, seed=0)
    params = _params(widths, _clear_of_kink(widths, X, activation))
    rows = nn.gradient_check(params, X, y, activation, loss, eps=EPS)
    expected = sum((n_in + 1) * n_out for n_in, n_out in zip((2, *widths), (*widths, 1),
                                                             strict=True))
    assert len(rows) == expected, "every weight and bias entry is checked once"
    assert {r["param"] for r in rows} == set(nn.param_names(depth + 1))
    # Rounding noise of a central difference is about eps_machine |L| / EPS; below it a
    # relative error means nothing, so there we ask only for agreement within the noise.
    L = nn.objective(params, X, y, activation, loss)
    noise = 4 * np.finfo(float).eps * max(abs(L), 1.0) / EPS
    bad = [f"{r['param']}{list(r['index'])}: analytic {r['analytic']:.10g}, "
           f"numeric {r['numeric']:.10g}, rel_error {r['rel_error']:.2e}"
           for r in rows if r["rel_error"] >= 1e-6 and abs(r["analytic"] - r["numeric"]) > noise]
    assert not bad, f"{len(bad)} of {len(rows)} entries fail:\n" + "\n".join(bad)


# --- train, both engines, against the deep reference ---------------------------------------

DEEP = [(depth, update, optimizer, activation, loss)
        for depth in (2, 3) for update in ("batch", "online") for optimizer in LR
        for activation in ACTIVATIONS for loss in LOSSES]


def _config(depth, update, optimizer, activation, loss, epochs=300, seed=1) -> TrainConfig:
    # Online makes n steps an epoch, and at a full step its first epochs are chaotic enough to
    # grow rounding differences (1 / (1 + e^-z) against nn's tanh form) past 1e-12.
    lr = LR[optimizer] / (4 if update == "online" else 1)
    return TrainConfig(hidden=DEPTHS[depth], update=update, optimizer=optimizer,
                       activation=activation, loss=loss, lr=lr, epochs=epochs, seed=seed)


def _gold(config: TrainConfig, start: dict | None = None, epochs: int | None = None):
    """The deep reference trained as ``config`` says: (mse (E,), params)."""
    net = DeepNetwork(list(config.hidden), config.activation, config.loss, config.optimizer,
                      config.momentum, config.seed)
    if start is not None:
        layers = nn.layers_of(start)
        net.W = [start[f"W{i}"].copy() for i in range(1, layers + 1)]
        net.b = [start[f"b{i}"].copy() for i in range(1, layers + 1)]
    X, y = dataset(config)
    with np.errstate(all="ignore"):
        mse = net.train(X, y, config.epochs if epochs is None else epochs, config.lr,
                        config.update, config.seed)
    return mse, net.params()


@pytest.mark.parametrize("depth, update, optimizer, activation, loss", DEEP,
                         ids=["-".join(map(str, case)) for case in DEEP])
def test_train_at_depth_equals_the_deep_reference(depth, update, optimizer, activation, loss):
    config = _config(depth, update, optimizer, activation, loss)
    fast, slow = train(config, engine="compiled"), train(config, engine="numpy")
    gold_mse, gold_params = _gold(config)
    assert fast.stopped is None and slow.stopped is None
    assert_matches({"mse": fast.mse, **fast.params}, {"mse": slow.mse, **slow.params},
                   atol=1e-12)
    assert_matches(fast.history.steps, slow.history.steps, atol=1e-12)
    assert_matches({"mse": slow.mse, **slow.params}, {"mse": gold_mse, **gold_params},
                   atol=1e-12)


# A deep relu network on noisy clouds usually loses its second layer (every unit dead) long
# before the weights overflow; this seed (found by search) grows past 1e308 at epoch 6 first.
DIVERGES = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=(16, 16),
                       activation="relu", loss="bce", init="he", lr=1000.0, epochs=200, seed=17)


def test_divergence_at_depth_2_stops_alike_in_both_engines():
    fast, slow = train(DIVERGES, engine="compiled"), train(DIVERGES, engine="numpy")
    assert slow.stopped, "precondition: this config diverges"
    assert fast.stopped == slow.stopped  # the same message, naming the same epoch
    assert "epoch 6:" in slow.stopped
    assert len(fast.mse) == len(slow.mse) == 6
    assert all(np.isfinite(v).all() for v in fast.params.values())
    # Weights near 1e200 at the stop: compare relatively.
    assert_matches({"mse": fast.mse, **fast.params}, {"mse": slow.mse, **slow.params},
                   atol=1e-12, rtol=1e-9)
    assert np.array_equal(fast.history.epochs, slow.history.epochs)
    start = nn.init_params(DIVERGES.hidden, DIVERGES.init, DIVERGES.seed)
    gold_mse, gold_params = _gold(DIVERGES, start, epochs=6)
    assert_matches({"mse": slow.mse, **slow.params}, {"mse": gold_mse, **gold_params},
                   atol=1e-12, rtol=1e-9)
    _, after = _gold(DIVERGES, start, epochs=7)
    assert not all(np.isfinite(v).all() for v in after.values()), \
        "the reference is still finite after epoch 6: the stop came too early"


# --- train_many seed by seed at depth ------------------------------------------------------

MANY = [_config(2, "batch", "gd", "sigmoid", "mse", epochs=500),
        _config(3, "batch", "gd", "tanh", "bce", epochs=200),  # seed 0 turns chaotic at ~270
        _config(2, "online", "gd", "tanh", "bce", epochs=150),
        _config(3, "online", "adam", "relu", "mse", epochs=100),
        _config(2, "batch", "momentum", "relu", "bce", epochs=300),
        _config(3, "batch", "adam", "sigmoid", "mse", epochs=300)]
SEEDS = [0, 1, 2, 5, 12345]


def _id(config: TrainConfig) -> str:
    return "-".join([",".join(map(str, config.hidden)), config.update, config.optimizer,
                     config.activation, config.loss])


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
@pytest.mark.parametrize("config", MANY, ids=_id)
def test_train_many_at_depth_equals_train_seed_by_seed(config, engine):
    many = train_many(config, SEEDS, engine=engine)
    assert set(many.params) == set(nn.param_names(len(config.hidden) + 1))
    for i, seed in enumerate(SEEDS):
        one = train(config.replace(seed=seed), engine=engine)
        try:
            assert_matches({"mse": many.mse[:, i], **{k: v[i] for k, v in many.params.items()}},
                           {"mse": one.mse, **one.params}, atol=1e-12)
        except AssertionError as err:
            raise AssertionError(f"seed {seed} (column {i}): {err}") from None
        assert many.solved[i] == one.verdict.solved, f"seed {seed}: {one.verdict.text}"


@pytest.mark.parametrize("config", MANY, ids=_id)
def test_train_many_at_depth_is_the_same_in_both_engines(config):
    fast, slow = (train_many(config, SEEDS, engine=e) for e in ("compiled", "numpy"))
    assert_matches({"mse": fast.mse, "predictions": fast.predictions, **fast.params},
                   {"mse": slow.mse, "predictions": slow.predictions, **slow.params},
                   atol=1e-12)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_train_many_of_the_tutorial_is_still_the_tutorial(engine):
    config = TrainConfig()
    many = train_many(config, range(4), engine=engine)
    for seed in range(4):
        gold_params, gold_losses = reference.run(config.replace(seed=seed))
        assert_matches({"mse": many.mse[:, seed], **{k: v[seed] for k, v in many.params.items()}},
                       {"mse": gold_losses, **gold_params}, atol=1e-8)


# --- run files at depth ---------------------------------------------------------------------

# Written out by hand from W_l (n_l, n_{l-1}), b_l (n_l, 1), n_0 = 2 inputs, one output.
DEPTH_3_SHAPES = {"W1": (4, 2), "b1": (4, 1), "W2": (3, 4), "b2": (3, 1),
                  "W3": (2, 3), "b3": (2, 1), "W4": (1, 2), "b4": (1, 1)}


@pytest.fixture(scope="module")
def deep_run():
    return train(TrainConfig(hidden=(4, 3, 2), activation="tanh", optimizer="adam", lr=0.01,
                             epochs=200, seed=3))


def test_a_depth_3_run_file_has_one_matrix_per_layer(deep_run):
    doc = json.loads(run_to_json(deep_run))
    assert doc["config"]["hidden"] == [4, 3, 2]
    assert {name: np.shape(value) for name, value in doc["params"].items()} == DEPTH_3_SHAPES


def test_a_depth_3_run_file_round_trips_exactly(deep_run):
    back = loads(run_to_json(deep_run))
    assert back.config == deep_run.config
    assert {k: v.shape for k, v in back.params.items()} == DEPTH_3_SHAPES
    assert_matches({"mse": back.mse, **back.params},
                   {"mse": deep_run.mse, **deep_run.params}, atol=0)
    assert dumps(back.config, back.params, back.mse) == run_to_json(deep_run)
    # And it reproduces the run it was written for.
    again = train(back.config)
    assert_matches(again.params, back.params, atol=0)
