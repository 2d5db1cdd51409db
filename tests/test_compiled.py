"""The compiled engine against the NumPy reference: same runs, same divergence, fallback."""

from __future__ import annotations

import logging
import os
import sys
import time

import numpy as np
import pytest
from reference import assert_matches

import backprop
from backprop import TrainConfig, compiled, nn, train, train_many

NUMPY, COMPILED = "numpy", "compiled"


@pytest.fixture(scope="module", autouse=True)
def require_numba():
    """The compiled engine must load here; under CI a missing numba is a failure."""
    if compiled.kernels() is None:
        reason = "numba is not importable, so the compiled engine cannot be tested"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must install requirements.txt", pytrace=False)
        pytest.skip(reason)


def _id(config: TrainConfig) -> str:
    changed = {k: v for k, v in config.to_dict().items() if v != getattr(TrainConfig(), k)}
    return ",".join(f"{k}={v}" for k, v in changed.items()) or "defaults"


def _same_run(mine, gold, atol=1e-12, rtol=0.0):
    """Two Runs agree: MSE curve, final params, and every snapshot of the history."""
    assert mine.stopped == gold.stopped
    assert np.array_equal(mine.history.epochs, gold.history.epochs)
    assert_matches({"mse": mine.mse, **mine.params}, {"mse": gold.mse, **gold.params},
                   atol=atol, rtol=rtol)
    assert_matches(mine.history.steps, gold.history.steps, atol=atol, rtol=rtol)


# --- one run ---------------------------------------------------------------------------------

CONFIGS = [
    TrainConfig(),  # the tutorial: sigmoid, ½ squared error, batch, 10,000 epochs
    TrainConfig(seed=3, epochs=5000),
    TrainConfig(hidden=3, activation="tanh", lr=0.5, epochs=3000, seed=4),
    TrainConfig(hidden=4, activation="relu", epochs=3000, seed=1),
    TrainConfig(hidden=3, activation="tanh", loss="bce", lr=0.5, epochs=3000, seed=2),
    TrainConfig(hidden=5, activation="relu", loss="bce", lr=0.3, epochs=2000, seed=6),
    TrainConfig(update="online", epochs=2000, seed=2),
    TrainConfig(update="online", hidden=3, activation="tanh", loss="bce", epochs=1000, seed=5),
    # Clouds at a step per sample like the tables' (the sweep's 0.1 x 4 / samples). At
    # lr 0.2 on 60 points the run is chaotic: any rounding difference grows to 1e-1.
    TrainConfig(dataset="circles", samples=60, hidden=6, activation="tanh", lr=0.02,
                epochs=1500, seed=1),
    TrainConfig(dataset="xor-cloud", samples=40, hidden=4, update="online", lr=0.05,
                epochs=300, init="he", seed=7),
    TrainConfig(dataset="and", init="xavier", epochs=0),
    TrainConfig(optimizer="momentum", lr=0.05, epochs=3000, seed=1),
    TrainConfig(optimizer="momentum", momentum=0.5, update="online", activation="tanh",
                loss="bce", epochs=800, seed=2),
    TrainConfig(optimizer="adam", lr=0.01, epochs=3000, seed=0),
    TrainConfig(optimizer="adam", update="online", hidden=4, activation="relu", lr=0.01,
                epochs=500, seed=3),
]


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_compiled_train_equals_the_numpy_reference(config):
    _same_run(train(config, engine=COMPILED), train(config, engine=NUMPY))


def test_compiled_train_starts_from_given_params():
    config = TrainConfig(hidden=3, activation="tanh", epochs=800)
    start = {k: v * 0.5 for k, v in nn.init_params(3, "normal", 11).items()}
    mine, gold = train(config, params=start, engine=COMPILED), train(config, params=start,
                                                                      engine=NUMPY)
    _same_run(mine, gold)
    assert_matches(mine.history.at(0), start, atol=0, names=list(nn.PARAM_NAMES))


@pytest.mark.parametrize("checkpoints", [[7], [0, 3, 3, 50, 999], []])
def test_compiled_train_records_the_checkpoints_asked_for(checkpoints):
    config = TrainConfig(epochs=50, seed=1)
    mine = train(config, checkpoints=checkpoints, engine=COMPILED)
    gold = train(config, checkpoints=checkpoints, engine=NUMPY)
    assert mine.history.epochs.tolist() == sorted({c for c in checkpoints if c <= 50})
    _same_run(mine, gold)


def test_compiled_live_chunks_share_one_shuffle_stream():
    """Live online training: chunks with one generator equal one long run, in both engines."""
    config = TrainConfig(update="online", epochs=60, seed=3)
    whole = train(config, engine=NUMPY)
    for engine in (COMPILED, NUMPY):
        shuffle = np.random.default_rng(config.seed)
        first = train(config.replace(epochs=25), shuffle=shuffle, engine=engine)
        second = train(config.replace(epochs=35), params=first.params, shuffle=shuffle,
                       engine=engine)
        assert_matches({"mse": np.concatenate([first.mse, second.mse]), **second.params},
                       {"mse": whole.mse, **whole.params}, atol=1e-12)
    # Both engines leave the generator where the NumPy loop leaves it: one draw per epoch.
    drawn = np.random.default_rng(config.seed)
    train(config, shuffle=drawn, engine=COMPILED)
    again = np.random.default_rng(config.seed)
    for _ in range(config.epochs):
        again.permutation(4)
    assert drawn.permutation(4).tolist() == again.permutation(4).tolist()


@pytest.mark.parametrize("update", ["batch", "online"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_chunks_carry_the_optimizer_state(optimizer, update):
    """Training in chunks with Run.optimizer_state passed on equals one long run."""
    config = TrainConfig(optimizer=optimizer, update=update, lr=0.02, epochs=90, seed=1)
    whole = train(config, engine=NUMPY)
    for engine in (COMPILED, NUMPY):
        shuffle = np.random.default_rng(config.seed)
        first = train(config.replace(epochs=40), shuffle=shuffle, engine=engine)
        second = train(config.replace(epochs=50), params=first.params, shuffle=shuffle,
                       optimizer_state=first.optimizer_state, engine=engine)
        assert_matches({"mse": np.concatenate([first.mse, second.mse]), **second.params},
                       {"mse": whole.mse, **whole.params}, atol=1e-12)
    restarted = train(config.replace(epochs=50), params=first.params, engine=NUMPY)
    assert not np.allclose(restarted.params["W1"], whole.params["W1"], rtol=0, atol=1e-9), \
        "precondition: without the state, the optimizer starts over and the run differs"


@pytest.mark.parametrize("epochs", [1, 499, 2200])
def test_compiled_progress_increases_to_one(epochs):
    fractions = []
    train(TrainConfig(epochs=epochs), progress=fractions.append, engine=COMPILED)
    assert fractions[-1] == 1.0 and all(0 < f <= 1 for f in fractions)
    assert (np.diff(fractions) > 0).all(), fractions


# --- divergence: the same stop, in both engines ------------------------------------------------
# relu units are unbounded and BCE's delta never vanishes on overlapping clouds, so at lr 1000
# the weights pass 1e308 within about 50 epochs (see test_training.py).
DIVERGES = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=16,
                       activation="relu", loss="bce", lr=1000.0, epochs=300, seed=0)


@pytest.mark.parametrize("update", ["batch", "online"])
def test_compiled_divergence_stops_like_the_reference(update):
    config = DIVERGES.replace(update=update)
    mine, gold = train(config, engine=COMPILED), train(config, engine=NUMPY)
    assert gold.stopped, "precondition: this config diverges"
    assert mine.stopped == gold.stopped  # the same message, naming the same epoch
    assert len(mine.mse) == len(gold.mse) < config.epochs
    assert all(np.isfinite(v).all() for v in mine.params.values())
    # Weights are near 1e200 when it stops, so compare relatively.
    assert_matches({"mse": mine.mse, **mine.params}, {"mse": gold.mse, **gold.params},
                   atol=1e-12, rtol=1e-9)
    assert np.array_equal(mine.history.epochs, gold.history.epochs)
    # z1 = W1 x + b1 cancels between terms near 1e74, which magnifies those 1e-9 a little.
    assert_matches(mine.history.steps, gold.history.steps, atol=1e-12, rtol=1e-6)


# --- many seeds ---------------------------------------------------------------------------------

MANY = [
    TrainConfig(epochs=2000),
    TrainConfig(hidden=3, activation="tanh", loss="bce", lr=0.5, epochs=1000),
    TrainConfig(hidden=4, activation="relu", epochs=1000),
    TrainConfig(update="online", hidden=3, activation="tanh", epochs=300),
    TrainConfig(dataset="xor-cloud", samples=40, hidden=3, epochs=500),
    TrainConfig(optimizer="momentum", lr=0.05, epochs=1000),
    TrainConfig(optimizer="adam", lr=0.01, epochs=1000),
]
SEEDS = [0, 1, 2, 3, 7, 12345]


@pytest.mark.parametrize("config", MANY, ids=_id)
def test_compiled_train_many_equals_numpy_and_train_per_seed(config):
    mine = train_many(config, SEEDS, engine=COMPILED)
    gold = train_many(config, SEEDS, engine=NUMPY)
    assert_matches({"mse": mine.mse, "predictions": mine.predictions, **mine.params},
                   {"mse": gold.mse, "predictions": gold.predictions, **gold.params},
                   atol=1e-12)
    assert mine.solved.tolist() == gold.solved.tolist()
    for i, seed in enumerate(SEEDS):
        one = train(config.replace(seed=seed), engine=COMPILED)
        assert_matches({"mse": mine.mse[:, i], **{k: v[i] for k, v in mine.params.items()}},
                       {"mse": one.mse, **one.params}, atol=1e-12)


def test_compiled_train_many_per_seed_learning_rates_and_thinned_loss():
    config, lrs = TrainConfig(epochs=700), [0.05, 0.5, 3.0, 10.0]
    mine = train_many(config, range(4), loss_every=9, lrs=lrs, engine=COMPILED)
    gold = train_many(config, range(4), loss_every=9, lrs=lrs, engine=NUMPY)
    assert mine.mse.shape == gold.mse.shape == (len(range(0, 700, 9)), 4)
    assert_matches({"mse": mine.mse, **mine.params}, {"mse": gold.mse, **gold.params},
                   atol=1e-12)


def test_compiled_train_many_reports_progress_between_blocks(monkeypatch):
    """Blocks of seeds are the cancellation points: progress runs between them."""
    monkeypatch.setattr(compiled, "BLOCK_WORK", 2000 * 4 * 9 * 5)  # five seeds per block
    fractions = []
    train_many(TrainConfig(epochs=2000), range(23), progress=fractions.append,
               engine=COMPILED)
    assert len(fractions) == 5, fractions  # after blocks 1-4, then 1.0
    assert (np.diff(fractions) > 0).all() and fractions[-1] == 1.0, fractions


@pytest.mark.parametrize("config", [TrainConfig(epochs=600),
                                    TrainConfig(update="online", hidden=3, epochs=200)],
                         ids=_id)
def test_compiled_train_many_is_the_same_on_one_thread_or_several(config, monkeypatch):
    """Blocks of seeds are shared out over threads; no seed depends on another."""
    monkeypatch.setattr(compiled, "BLOCK_WORK", config.epochs * 4 * 13 * 2)  # ~2 seeds a block
    results = []
    for threads in (1, 3):
        monkeypatch.setattr(compiled, "cores", lambda threads=threads: threads)
        results.append(train_many(config, range(11), engine=COMPILED))
    one, several = results
    assert_matches({"mse": one.mse, **one.params}, {"mse": several.mse, **several.params},
                   atol=0)


def test_compiled_train_many_can_be_cancelled_from_progress(monkeypatch):
    """Raising in progress cancels: it reaches the caller, and the blocks not started
    never reach the kernel. At most two blocks per thread are ever queued, so however
    slow the caller is to cancel (here 50 ms, while the threads are free), no more than
    that have started."""
    monkeypatch.setattr(compiled, "BLOCK_WORK", 2000 * 4 * 9)  # one seed per block
    monkeypatch.setattr(compiled, "cores", lambda: 2)
    kernels, calls = compiled.kernels(), []

    class Counting:
        def train_block(self, *args):
            calls.append(1)
            return kernels.train_block(*args)

    monkeypatch.setattr(compiled, "kernels", lambda wait=False: Counting())

    class Cancelled(Exception):
        pass

    def cancel(fraction):
        time.sleep(0.05)
        raise Cancelled

    with pytest.raises(Cancelled):
        train_many(TrainConfig(epochs=2000), range(40), progress=cancel, engine=COMPILED)
    assert 1 <= len(calls) <= 2 * 2, f"{len(calls)} of 40 blocks trained after the cancel"


@pytest.mark.parametrize(("quota", "expected"), [("max 100000", None), ("50000 100000", 1),
                                                 ("150000 100000", 2), ("garbled", None)])
def test_cores_keeps_to_a_containers_cpu_quota(tmp_path, monkeypatch, quota, expected):
    monkeypatch.setattr(compiled.os, "sched_getaffinity", lambda pid: set(range(8)))
    (tmp_path / "cpu.max").write_text(quota + "\n")
    monkeypatch.setattr(compiled, "CGROUP_CPU", tmp_path / "cpu.max")
    monkeypatch.setattr(compiled, "CGROUP_V1", tmp_path / "no v1 here")
    assert compiled.cores() == (8 if expected is None else expected)


@pytest.mark.parametrize(("quota", "expected"), [("-1", 8), ("250000", 3), ("0", 8)])
def test_cores_reads_a_cgroup_v1_quota_too(tmp_path, monkeypatch, quota, expected):
    monkeypatch.setattr(compiled.os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(compiled, "CGROUP_CPU", tmp_path / "no v2 here")
    (tmp_path / "cpu.cfs_quota_us").write_text(quota + "\n")
    (tmp_path / "cpu.cfs_period_us").write_text("100000\n")
    monkeypatch.setattr(compiled, "CGROUP_V1", tmp_path)
    assert compiled.cores() == expected


# --- choosing the engine, and falling back ----------------------------------------------------


@pytest.fixture
def fresh_engine(monkeypatch):
    """Forget the loaded kernels and the warnings given, for one test."""
    monkeypatch.setattr(compiled, "_loaded", {})
    monkeypatch.setattr(compiled, "_warned", set())
    monkeypatch.delenv(compiled.ENV, raising=False)


def test_numba_missing_falls_back_to_numpy_and_logs_once(fresh_engine, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` now raises ImportError
    monkeypatch.delitem(sys.modules, "backprop.kernels", raising=False)
    monkeypatch.delattr(backprop, "kernels", raising=False)
    config = TrainConfig(epochs=300)
    with caplog.at_level(logging.WARNING, logger="backprop"):
        runs = [train(config), train(config, engine=COMPILED)]
        many = train_many(config, range(3))
    assert compiled.engine() == NUMPY
    records = [r for r in caplog.records if r.name == "backprop"]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert "NumPy" in records[0].getMessage() and "numba" in records[0].getMessage()
    gold = train(config, engine=NUMPY)
    for run in runs:
        assert_matches({"mse": run.mse, **run.params}, {"mse": gold.mse, **gold.params}, atol=0)
    assert_matches(many.params, train_many(config, range(3), engine=NUMPY).params, atol=0)


def test_a_compile_error_falls_back_too(fresh_engine, monkeypatch, caplog):
    def broken(kernels):
        raise RuntimeError("simulated: LLVM could not compile train_one")

    monkeypatch.setattr(compiled, "_smoke", broken)
    with caplog.at_level(logging.WARNING, logger="backprop"):
        assert compiled.engine() == NUMPY
        run = train(TrainConfig(epochs=50))
    assert run.mse.shape == (50,)
    assert ["simulated" in r.getMessage() for r in caplog.records] == [True]


@pytest.mark.parametrize("value, expected", [("numpy", NUMPY), ("compiled", COMPILED)])
def test_the_environment_variable_chooses_the_engine(fresh_engine, monkeypatch, value,
                                                     expected):
    monkeypatch.setenv(compiled.ENV, value)
    assert compiled.engine() == expected
    assert compiled.engine("numpy") == NUMPY  # an explicit argument wins


def test_an_unknown_engine_name_is_logged_and_the_default_used(fresh_engine, caplog):
    with caplog.at_level(logging.WARNING, logger="backprop"):
        assert compiled.engine("fortran") == COMPILED
        assert compiled.engine("fortran") == COMPILED
    assert len([r for r in caplog.records if "fortran" in r.getMessage()]) == 1


def test_warm_up_compiles_in_the_background(fresh_engine):
    thread = compiled.warm_up()
    assert thread is not None
    thread.join(timeout=600)
    assert compiled.engine() == COMPILED
    assert compiled.warm_up() is None  # already loaded: nothing to do


# --- the flat layout, ready for depth -----------------------------------------------------------


@pytest.mark.parametrize("hidden", [2, (3, 2), (4, 1, 3)])
def test_flatten_and_unflatten_round_trip(hidden):
    sizes = compiled.sizes_of(hidden)
    rng = np.random.default_rng(0)
    params = {}
    for layer in range(1, len(sizes)):
        params[f"W{layer}"] = rng.standard_normal((5, sizes[layer], sizes[layer - 1]))
        params[f"b{layer}"] = rng.standard_normal((5, sizes[layer], 1))
    theta = compiled.flatten(params, sizes)
    assert theta.shape == (5, sum(int(sizes[i] * (sizes[i - 1] + 1))
                                  for i in range(1, len(sizes))))
    assert_matches(compiled.unflatten(theta, sizes), params, atol=0)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("hidden", [(3,), (3, 2), (2, 3, 2)])
def test_kernel_gradient_at_every_depth(hidden, activation):
    """The kernels' backward pass against central differences of their own forward pass."""
    k = compiled.kernels()
    sizes = compiled.sizes_of(hidden)
    woff, boff, uoff = k.layout(sizes)
    X, t = np.array([[0.1, 0.9, 0.4], [0.7, 0.2, 0.5]]), np.array([1.0, 0.0, 1.0])
    theta = np.random.default_rng(1).standard_normal(int(boff[-1] + sizes[-1]))
    act = list(nn.ACTIVATIONS).index(activation)

    def loss(th):
        A = np.zeros((int(uoff[-1]), 3))
        A[:2] = X
        k.forward(th, sizes, woff, boff, uoff, act, A, 3)
        return 0.5 * float(np.sum((A[-1] - t) ** 2))

    A, D, g = np.zeros((int(uoff[-1]), 3)), np.zeros((int(uoff[-1]), 3)), np.zeros(theta.size)
    A[:2] = X
    k.forward(theta, sizes, woff, boff, uoff, act, A, 3)
    k.backward(theta, sizes, woff, boff, uoff, act, 0, A, D, t, 3, g)
    eps, numeric = 1e-6, np.zeros(theta.size)
    for p in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[p] += eps
        down[p] -= eps
        numeric[p] = (loss(up) - loss(down)) / (2 * eps)
    assert_matches({"gradient": g}, {"gradient": numeric}, atol=1e-8)


def test_a_choice_without_a_kernel_trains_on_numpy(fresh_engine, monkeypatch, caplog):
    """A registry may grow before the kernels do: that choice falls back, the rest stay fast."""
    monkeypatch.setitem(nn.ACTIVATIONS, "softsign", lambda z, out=None: z / (1 + np.abs(z)))
    config = TrainConfig(epochs=5)
    object.__setattr__(config, "activation", "softsign")  # past validation, as a new entry
    with caplog.at_level(logging.WARNING, logger="backprop"):
        assert compiled.engine(None, config) == NUMPY
        assert compiled.engine(None, TrainConfig()) == COMPILED
    assert ["softsign" in r.getMessage() for r in caplog.records] == [True]


# --- the fused one-hidden-layer pass, and the GIL ------------------------------------------------


@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("hidden", [1, 2, 5])
def test_the_fused_pass_is_forward_and_backward_to_the_bit(hidden, activation, loss):
    """shallow_pass (the tutorial's one hidden layer) sums in forward/backward's order: no
    rounding difference at all, so the fast path changes no result anywhere."""
    k = compiled.kernels()
    sizes = compiled.sizes_of(hidden)
    woff, boff, uoff = k.layout(sizes)
    units = int(uoff[-1])
    X = np.array([[0.1, 0.9, 0.4, -1.3, 2.0], [0.7, 0.2, 0.5, 0.3, -0.8]])
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    theta = np.random.default_rng(len(sizes)).standard_normal(int(boff[-1] + sizes[-1]))
    act, code = list(nn.ACTIVATIONS).index(activation), list(nn.LOSSES).index(loss)
    A, D, g = np.zeros((units, 5)), np.zeros((units, 5)), np.zeros(theta.size)
    A[:2] = X
    k.forward(theta, sizes, woff, boff, uoff, act, A, 5)
    k.backward(theta, sizes, woff, boff, uoff, act, code, A, D, t, 5, g)
    expected = float(np.sum((A[-1] - t) ** 2))
    fused = np.full(theta.size, np.nan)
    total = k.shallow_pass(theta, int(sizes[1]), act, code, X, t, 5, np.empty(units), fused)
    assert total == expected
    assert_matches({"gradient": fused}, {"gradient": g}, atol=0)


def test_a_block_of_seeds_trains_without_holding_the_gil():
    """Another thread keeps running while train_block works (a shared app's other sessions)."""
    import threading
    import time

    config = TrainConfig(hidden=8, epochs=100_000)
    sizes = compiled.sizes_of(config.hidden)
    start = nn.init_params(config.hidden, "normal", 0)
    thetas = np.repeat(compiled.flatten(start, sizes)[None], 16, axis=0)  # about a second
    S, P = thetas.shape
    X, y = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]]), np.array([0.0, 1, 1, 0])
    args = (thetas, np.zeros((S, 2, P)), np.zeros((S, 1), np.int64), sizes, X, y,
            compiled.codes(config), compiled.hyper(config), np.full(S, 0.1), 0, config.epochs,
            np.zeros((S, 0, 4), np.int64), np.zeros((S, 1)), config.epochs)
    began = time.perf_counter()
    worker = threading.Thread(target=compiled.kernels().train_block, args=args)
    worker.start()
    gaps, last = [], time.perf_counter()
    while worker.is_alive():
        time.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    took = time.perf_counter() - began
    assert took > 0.1, f"precondition: the block should take a while, took {took:.3f} s"
    assert len(gaps) > 10 and max(gaps) < took / 2, \
        f"the main thread stalled {max(gaps):.3f} s of the kernel's {took:.3f} s"
