"""Live training in chunks (backprop.live) and the shared result store (backprop.lru)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from backprop import TrainConfig, live, nn, train
from backprop.lru import LRU

FAST = TrainConfig(epochs=400)


# --- live --------------------------------------------------------------------------------------

@pytest.mark.parametrize("update", ["batch", "online"])
def test_two_chunks_are_one_run(update):
    config = FAST.replace(update=update)
    state = live.start(config)
    live.step(state, config, 150)
    live.step(state, config, 250)
    whole = train(config)
    assert state.epochs == 400
    np.testing.assert_allclose(state.mse, whole.mse, rtol=0, atol=1e-12)
    for name, value in whole.params.items():
        np.testing.assert_allclose(state.params[name], value, rtol=0, atol=1e-12)


def test_a_new_learning_rate_acts_on_the_next_chunk_from_the_kept_weights():
    state = live.start(FAST)
    live.step(state, FAST, 200)
    kept = {k: v.copy() for k, v in state.params.items()}
    faster = FAST.replace(lr=0.5)
    assert not live.needs_reset(state, faster)
    live.step(state, faster, 200)
    expected = train(faster.replace(epochs=200), params=kept)
    np.testing.assert_allclose(state.params["W1"], expected.params["W1"], atol=1e-12)


@pytest.mark.parametrize("change", [{"lr": 0.5}, {"loss": "bce"}, {"epochs": 50},
                                    {"update": "online"}])
def test_training_settings_keep_the_network(change):
    assert not live.needs_reset(live.start(FAST), FAST.replace(**change))


@pytest.mark.parametrize("change", [{"hidden": 3}, {"seed": 1}, {"dataset": "and"},
                                    {"activation": "tanh"}, {"init": "he"}])
def test_a_different_network_starts_over(change):
    assert live.needs_reset(live.start(FAST), FAST.replace(**change))
    assert live.needs_reset(None, FAST)


def test_steps_stop_at_the_epochs_setting_and_turn_play_off():
    config = TrainConfig(epochs=300)
    state = live.start(config)
    state.playing = True
    live.step(state, config)
    assert (state.epochs, state.playing) == (200, True)
    live.step(state, config)
    assert (state.epochs, state.playing, live.room(state, config)) == (300, False, 0)
    live.step(state, config)
    assert state.epochs == 300


def test_a_diverging_run_stops_and_says_why():
    config = TrainConfig(dataset="xor-cloud", samples=50, noise=1.0, hidden=16,
                         activation="relu", loss="bce", lr=1000, epochs=300)
    state = live.start(config)
    state.playing = True
    live.step(state, config, 300)
    assert state.stopped and "non-finite" in state.stopped
    assert not state.playing
    assert np.isfinite(state.mse).all()


def test_score_of_zero_weights_by_hand():
    # All weights 0: every output is σ(0) = 0.5, which counts as a 0 ("> 0.5" is false),
    # so on XOR (0, 1, 1, 0) two samples are right and the MSE is (0.5)² = 0.25.
    zeros = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)),
             "b2": np.zeros((1, 1))}
    X = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]])
    y = np.array([[0.0, 1, 1, 0]])
    score = live.score(zeros, X, y)
    np.testing.assert_allclose(score.predictions, [0.5] * 4)
    assert (score.right, score.samples, score.mse) == (2, 4, 0.25)


def test_live_score_at_epoch_0_is_the_first_point_of_the_curve():
    state = live.start(FAST)
    before = live.live_score(state, FAST)
    live.step(state, FAST, 1)
    assert before.mse == pytest.approx(state.mse[0])


# --- LRU ---------------------------------------------------------------------------------------

def test_lru_keeps_the_most_recently_used():
    store = LRU(2)
    store.get("a", lambda: 1)
    store.get("b", lambda: 2)
    assert store.get("a", lambda: pytest.fail("a is stored")) == 1  # a is now the newest
    store.get("c", lambda: 3)
    assert "a" in store and "c" in store and "b" not in store
    assert len(store) == 2


def test_lru_does_not_keep_a_failed_computation():
    store = LRU(2)

    def interrupted():
        raise KeyboardInterrupt  # Streamlit stops a script thread with a BaseException

    with pytest.raises(KeyboardInterrupt):
        store.get("a", interrupted)
    assert "a" not in store
    assert store.get("a", lambda: 7) == 7


def test_lru_computes_a_key_once_for_callers_that_arrive_together():
    store, calls, results = LRU(2), [], []
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return 42

    def caller():
        results.append(store.get("k", slow))

    first = threading.Thread(target=caller)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=caller) for _ in range(3)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(5)
    assert results == [42] * 4
    assert len(calls) == 1


def test_a_waiting_caller_computes_when_the_first_one_fails():
    store, started, waits = LRU(2), threading.Event(), []

    def failing():
        started.set()
        time.sleep(0.3)
        raise RuntimeError("interrupted")

    def first():
        with pytest.raises(RuntimeError):
            store.get("k", failing)

    t = threading.Thread(target=first)
    t.start()
    started.wait(5)
    assert store.get("k", lambda: "mine", waiting=lambda: waits.append(1)) == "mine"
    t.join(5)
    assert waits, "the waiter was told it is waiting"


def test_lru_limit_must_be_positive():
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        LRU(0)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_chunks_continue_the_optimizer_state(optimizer):
    # Live training in chunks equals one run: momentum and Adam carry their state over.
    config = TrainConfig(optimizer=optimizer, lr=0.05, epochs=600)
    whole = train(config)
    state = live.start(config)
    for _ in range(3):
        live.step(state, config, 200)
    np.testing.assert_allclose(state.mse, whole.mse, rtol=0, atol=1e-12)
    for name in nn.PARAM_NAMES:
        np.testing.assert_allclose(state.params[name], whole.params[name], rtol=0, atol=1e-12)


def test_a_new_optimizer_mid_run_starts_its_state_over():
    config = TrainConfig(optimizer="adam", lr=0.05, epochs=400)
    state = live.start(config)
    live.step(state, config, 200)
    switched = config.replace(optimizer="momentum")
    expected = train(switched.replace(epochs=200), params=state.params)
    live.step(state, switched, 200)
    np.testing.assert_allclose(state.params["W1"], expected.params["W1"], rtol=0, atol=1e-12)
