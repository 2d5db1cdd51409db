"""The Compare page, the Gradient flow view and the census by optimizer, through AppTest
(helpers in tests/appsession.py)."""

from __future__ import annotations

import pytest
from appsession import charts, ok, shown, start, url

from backprop import TrainConfig, train

EPOCHS = 3000
COMPARE = {"page": "Compare", "epochs": str(EPOCHS)}


def texts(at, kind: str = "caption") -> list[str]:
    return [shown(node.value) for node in at.get(kind)]


def b_url(at) -> dict[str, str]:
    return {k: v for k, v in url(at).items() if k.startswith("b.")}


@pytest.fixture(scope="module")
def default_compare():
    return start(COMPARE)


def test_the_default_b_is_a_at_the_first_seed_that_solves(default_compare):
    at = default_compare
    config = TrainConfig(epochs=EPOCHS)  # independently: one train() per seed
    first = next(s for s in range(1, 20)
                 if train(config.replace(seed=s)).verdict.status == "solved")
    assert at.session_state["b_changed"] == ["seed"]
    assert at.session_state["b_seed"] == first
    assert b_url(at) == {"b.seed": str(first)}, "the link holds run B"
    assert f"**B changes:** seed {first} (A: 0)" in texts(at, "markdown")
    assert any(t.startswith("Different starts: B changes seed") for t in texts(at))


def test_the_page_draws_both_runs_at_one_epoch(default_compare):
    figures = charts(default_compare)
    loss = figures[0]
    assert [t["name"] for t in loss["data"]] == ["run A", "run B"]
    assert [s["x0"] for s in loss["layout"]["shapes"]] == [EPOCHS]
    assert len(figures) == 1 + 2 * 3, "surface, σ′ maps and gradient flow for A and B"
    flows = figures[5:7]
    assert all(f["layout"]["yaxis"]["type"] == "log" for f in flows)
    assert sum(t.startswith(f"Run {r} at epoch {EPOCHS:,}") for t in texts(default_compare)
               for r in "AB") == 6


@pytest.mark.parametrize("query", [{"b.optimizer": "adam"}, {"b.activation": "tanh"},
                                   {"b.loss": "bce", "b.lr": "0.5"}])
def test_b_starts_from_a_s_weights_when_it_changes_no_start_setting(query):
    at = start({**COMPARE, **query})
    assert any(t.startswith("Same start: B changes nothing") for t in texts(at))
    assert b_url(at) == query, "the link round trip keeps B's settings"
    assert sorted(at.session_state["b_changed"]) == sorted(k[2:] for k in query)


def test_a_link_with_b_settings_reopens_that_b():
    at = start({**COMPARE, "b.optimizer": "adam", "b.lr": "0.01", "b.seed": "3"})
    assert at.session_state["b_changed"] == ["lr", "seed", "optimizer"]
    assert (at.session_state["b_lr"], at.session_state["b_optimizer"]) == (0.01, "adam")
    assert "**B changes:** lr 0.01 (A: 0.1), seed 3 (A: 0), optimizer adam (A: gd)" in texts(
        at, "markdown")
    assert b_url(at) == {"b.lr": "0.01", "b.seed": "3", "b.optimizer": "adam"}


def test_a_bad_b_value_warns_and_falls_back():
    at = start({**COMPARE, "b.optimizer": "adamw", "b.lr": "0.01"})
    (warning,) = [shown(w.value) for w in at.warning if "run B" in w.value]
    assert warning.startswith("Link setting for run B ignored: b.optimizer must be one of gd, "
                              "momentum, adam, got 'adamw'; using gd"), warning
    assert at.session_state["b_changed"] == ["lr"]
    assert b_url(at) == {"b.lr": "0.01"}
    assert len(charts(at)) == 7


def test_changing_b_on_the_page_rewrites_the_link(default_compare):
    at = default_compare
    at.multiselect(key="b_changed").set_value(["optimizer"])
    ok(at.run())
    at.selectbox(key="b_optimizer").set_value("momentum")
    ok(at.run())
    assert b_url(at) == {"b.optimizer": "momentum"}
    assert any(t.startswith("Same start") for t in texts(at))


def test_b_equal_to_a_says_so_and_keeps_its_link():
    at = start({**COMPARE, "b.seed": "0"})
    assert "**B changes:** nothing: B is A" in texts(at, "markdown")
    assert b_url(at) == {"b.seed": "0"}


# --- the gradient flow view ---------------------------------------------------------------------

@pytest.mark.parametrize(("activation", "words"), [("sigmoid", "at most 0.25"),
                                                   ("tanh", "at most 1"), ("relu", "at most 1")])
def test_the_gradient_flow_view_draws_log_norms_and_states_the_bound(activation, words):
    at = start({"epochs": "500", "activation": activation, "epoch": "250"},
               view="Gradient flow")
    figure = charts(at)[3]  # after the first screen's three
    assert figure["layout"]["yaxis"]["type"] == "log"
    assert [s["x0"] for s in figure["layout"]["shapes"]] == [250, 250]
    (lesson,) = [t for t in texts(at, "markdown") if "sent back through" in t]
    assert words in lesson and "At epoch 250:" in lesson, lesson


# --- the census by optimizer ----------------------------------------------------------------

def test_the_census_answers_by_optimizer():
    at = start({"page": "Seed census", "epochs": "500", "census_n": "10"})
    assert "**Does momentum or Adam solve more seeds?**" in [m.value for m in at.markdown]
    metrics = {m.label: m.value for m in at.metric}
    by_hand = {}
    for name, label in (("gd", "gradient descent (tutorial)"), ("momentum", "momentum"),
                        ("adam", "Adam")):
        config = TrainConfig(epochs=500, optimizer=name)
        by_hand[label] = sum(train(config.replace(seed=s)).verdict.status == "solved"
                             for s in range(10))
    for label, solved in by_hand.items():
        assert metrics[label] == f"{solved} of 10", (label, metrics)


def test_a_diverging_b_still_draws_and_says_why():
    at = start({"page": "Compare", "epochs": "300", "dataset": "xor-cloud", "samples": "50",
                "noise": "1", "hidden": "16", "activation": "relu", "loss": "bce",
                "b.lr": "1000"})
    assert any(t.startswith("**Run B:** Training stopped at epoch") for t in
               texts(at, "markdown")), texts(at, "markdown")
    assert len(charts(at)) == 7


def test_when_no_seed_solves_the_default_b_is_the_next_seed_and_the_page_says_so():
    at = start({"page": "Compare", "epochs": "300", "hidden": "1"})
    assert at.session_state["b_seed"] == 1
    assert any(t.startswith("None of seeds 0 … 19 solves at these settings") for t in texts(at))
