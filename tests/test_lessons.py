"""Lessons: every answer and claim is the engine's, checked against an independent transcription."""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop import TrainConfig, train
from backprop.lessons import LESSONS, _escape_solve, reveal
from tests import reference


def _reference_start():
    np.random.seed(0)  # the tutorial's own way of seeding
    return reference.TutorialNetwork(2)


XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("key", list(LESSONS))
def test_every_lesson_asks_before_it_tells(key, monkeypatch):
    monkeypatch.setattr("backprop.lessons.CENSUS_SEEDS", 8)
    lesson = LESSONS[key]
    question = lesson.ask()
    assert question.prompt.endswith("?") or question.prompt.endswith(".")
    truth = reveal(lesson, question.choices[0] if question.choices else 0.0)
    if question.choices:
        assert truth.answer in question.choices, "the right answer must be one of the choices"
    assert truth.explanation


def test_forward_lesson_matches_the_tutorial_forward_pass():
    net = _reference_start()
    expected = float(net.forward(XOR_X[:, 2:3])[0, 0])  # x = (1, 0)
    lesson = LESSONS["forward"]
    assert reveal(lesson, expected).correct
    assert reveal(lesson, round(expected, 2)).correct
    assert not reveal(lesson, expected + 0.05).correct
    assert f"{expected:.3f}" in reveal(lesson, 0).explanation[-1]


@pytest.mark.parametrize("answer", ["abc", None, "", float("nan")])
def test_a_garbage_number_is_just_wrong(answer):
    assert not reveal(LESSONS["forward"], answer).correct


def test_step_lesson_names_the_parameter_the_tutorial_moves_most():
    net = _reference_start()
    before = {k: v.copy() for k, v in net.params().items()}
    net.forward(XOR_X)
    net.backward(XOR_X, XOR_Y, 0.1)
    change = {k: np.abs(net.params()[k] - before[k]).max() for k in before}
    biggest = max(change, key=change.get)
    result = reveal(LESSONS["step"], None)
    superscript = {"1": "¹", "2": "²"}[biggest[1]]
    assert f"({biggest[0]}⁽{superscript}⁾)" in result.answer
    assert f"{change[biggest]:.5f}" in result.explanation[0]


def test_stuck_lesson_names_the_samples_seed0_merges():
    net = _reference_start()
    net.train(XOR_X, XOR_Y, 10_000, 0.1)
    a1 = reference.sigmoid(net.W1 @ XOR_X + net.b1)  # (2, 4) hidden activations at the end
    close = [[j for j in range(4) if np.abs(a1[:, i] - a1[:, j]).max() < 0.05]
             for i in range(4)]
    group = max(close, key=len)
    names = [f"({XOR_X[0, i]:g}, {XOR_X[1, i]:g})" for i in group]
    result = reveal(LESSONS["stuck"], None)
    assert all(name in result.answer for name in names) and len(group) == 3
    mse = float(np.mean((net.forward(XOR_X) - XOR_Y) ** 2))
    assert f"{mse:.4f}" in result.explanation[-1]


def test_escape_lesson_counts_match_training_each_seed():
    seeds = 8
    best, lines = _escape_solve(seeds)
    recipes = {"the tutorial's settings": {}, "4 hidden units": {"hidden": 4},
               "Xavier initialisation": {"init": "xavier"}, "cross-entropy loss": {"loss": "bce"},
               "momentum (μ 0.9)": {"optimizer": "momentum"}}
    for line, (name, change) in zip(lines, recipes.items(), strict=True):
        solved = [train(TrainConfig(seed=s, **change)).verdict.solved for s in range(seeds)]
        shown = int(re.search(r"(\d+)%", line).group(1))
        assert line.startswith(name) and shown == round(100 * np.mean(solved)), line
