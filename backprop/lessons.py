"""Guided lessons: predict, then run, then explain.

Each lesson asks one question *before* anything is revealed: a choice or a
number. ``reveal(lesson, answer)`` then computes the true answer from the engine
and explains it with numbers computed the same way, so nothing a lesson claims
is written in by hand: change the engine and the lessons change with it.

A lesson also names the settings to run (applied over the tutorial defaults)
and the view that shows the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import nn
from .config import TrainConfig
from .datasets import PATTERNS
from .diagnosis import PLATEAUS, nearest_plateau
from .explore import saturation
from .many import train_many
from .training import dataset, train

CENSUS_SEEDS = 100  # seeds per recipe in the plateau lesson


@dataclass(frozen=True)
class Question:
    """What the student answers: one of ``choices``, or a number when there are none."""

    prompt: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0  # how close a number must be to count as right


@dataclass(frozen=True)
class Reveal:
    """The computed answer, whether the student's was right, and why."""

    answer: str
    correct: bool
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    settings: dict
    view: str
    ask: Callable[[], Question]
    solve: Callable[[], tuple[object, tuple[str, ...]]] = field(repr=False)


def _name(i: int) -> str:
    return f"({PATTERNS[0, i]:g}, {PATTERNS[1, i]:g})"


def _vec(values, digits: int = 3) -> str:
    return "(" + ", ".join(f"{v:.{digits}f}" for v in np.ravel(values)) + ")"


# --- 1. a forward pass by hand ------------------------------------------------------

FORWARD_SAMPLE = 2  # x = (1, 0)


def _forward_ask() -> Question:
    p = nn.init_params(2, "normal", 0)
    return Question(
        "The tutorial's network starts (seed 0) with "
        f"W⁽¹⁾ = [{_vec(p['W1'][0], 2)}, {_vec(p['W1'][1], 2)}], b⁽¹⁾ = {_vec(p['b1'], 2)}, "
        f"W⁽²⁾ = {_vec(p['W2'], 2)}, b⁽²⁾ = {p['b2'][0, 0]:.2f}. "
        f"What does it output for x = {_name(FORWARD_SAMPLE)}? Give a⁽²⁾ to two decimals.",
        tolerance=0.01)


def _forward_solve():
    p = nn.init_params(2, "normal", 0)
    x = PATTERNS[:, FORWARD_SAMPLE:FORWARD_SAMPLE + 1]
    c = nn.forward(p, x)
    a2 = float(c["a2"][0, 0])
    return a2, (
        f"z⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾ = {_vec(c['z1'])}",
        f"a⁽¹⁾ = σ(z⁽¹⁾) = {_vec(c['a1'])}",
        f"z⁽²⁾ = W⁽²⁾a⁽¹⁾ + b⁽²⁾ = {c['z2'][0, 0]:.3f}",
        f"a⁽²⁾ = σ(z⁽²⁾) = {a2:.3f}. The target is {dataset(TrainConfig())[1][0, 2]:g}, "
        f"so the ½ squared error is ½({a2:.3f} − 1)² = {0.5 * (a2 - 1) ** 2:.4f}.",
    )


# --- 2. one backprop step -------------------------------------------------------------

GROUPS = {"W1": "a hidden weight (W⁽¹⁾)", "b1": "a hidden bias (b⁽¹⁾)",
          "W2": "an output weight (W⁽²⁾)", "b2": "the output bias (b⁽²⁾)"}


def _first_step():
    config = TrainConfig()
    X, y = dataset(config)
    p = nn.init_params(config.hidden, config.init, config.seed)
    cache = nn.forward(p, X)
    grads = nn.backward(p, X, y, cache)
    change = {k: config.lr * np.abs(grads["d" + k]) for k in nn.PARAM_NAMES}
    return change, grads


def _step_ask() -> Question:
    return Question("In seed 0's first batch update (lr 0.1), which kind of parameter "
                    "changes the most?", tuple(GROUPS.values()))


def _step_solve():
    change, grads = _first_step()
    top = max(change, key=lambda k: change[k].max())
    hidden = max(change["W1"].max(), change["b1"].max())
    output = max(change["W2"].max(), change["b2"].max())
    d1 = grads["deriv1"]
    return GROUPS[top], (
        f"The largest change is |Δ| = {change[top].max():.5f}, in {GROUPS[top]}.",
        f"The largest hidden-layer change is {hidden:.5f}; the largest output-layer change "
        f"is {output:.5f}, {output / hidden:.0f}× bigger.",
        "Why: the output layer's gradients are δ⁽²⁾ times its inputs (a⁽¹⁾, and 1 for the "
        "bias). A hidden unit's error "
        "is δ⁽¹⁾ = (W⁽²⁾)ᵀδ⁽²⁾ ⊙ σ′(z⁽¹⁾): the same δ⁽²⁾, scaled by a weight and by σ′, "
        f"which is at most 0.25 and here only {d1.min():.3f} to {d1.max():.3f}.",
    )


# --- 3. why seed 0 gets stuck -------------------------------------------------------

def _group_text(group) -> str:
    names = [_name(i) for i in group]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


STUCK_CHOICES = ((1, 2, 3), (0, 3), (1, 2), (0, 1, 2, 3))


def _stuck_run():
    run = train(TrainConfig())
    snap = run.history.at(len(run.history.epochs) - 1)
    return run, snap, saturation(snap["deriv1"], snap["a1"], run.y[0])


def _stuck_ask() -> Question:
    choices = [_group_text(g) for g in STUCK_CHOICES]
    choices.append("none: seed 0 solves XOR")
    return Question("Seed 0 trains for 10,000 epochs at the tutorial's settings. At the end, "
                    "which samples look the same to the output unit (their hidden activations "
                    "almost coincide)?", tuple(choices))


def _stuck_solve():
    run, snap, report = _stuck_run()
    if not report.merged:
        return "none: seed 0 solves XOR", (f"Final MSE {run.mse[-1]:.4f}: no samples merged.",)
    group = report.merged[0]
    a1 = snap["a1"][:, group]
    dead = {j: [_name(i) for i in s] for j, s in report.saturated.items()}
    plateau = nearest_plateau(float(run.mse[-1]))
    lines = [
        f"At epoch {run.history.epochs[-1]:,}, {_group_text(group)} sit within "
        f"{np.ptp(a1, axis=1).max():.3f} of each other in hidden space, near "
        f"{_vec(a1.mean(axis=1), 2)}.",
        "Their targets are " + ", ".join(f"{run.y[0, i]:g}" for i in group) + ": one point "
        f"cannot be both, so the output predicts their mean, "
        f"{snap['a2'][0, group].mean():.2f}.",
    ]
    lines += [f"Hidden unit {j + 1} is saturated (σ′ < {report.threshold:g}) on "
              f"{', '.join(names)}: almost no gradient reaches the weights that could pull "
              "these samples apart." for j, names in dead.items()]
    if plateau is not None:
        lines.append(f"Final MSE {run.mse[-1]:.4f}: the plateau where {PLATEAUS[plateau]}.")
    return _group_text(group), tuple(lines)


# --- 4. escaping the plateau ------------------------------------------------------------

RECIPES = {
    "4 hidden units": {"hidden": 4},
    "Xavier initialisation": {"init": "xavier"},
    "cross-entropy loss": {"loss": "bce"},
    "momentum (μ 0.9)": {"optimizer": "momentum"},
}


def census_fractions(seeds: int) -> dict[str, float]:
    """The solved fraction of seeds 0..seeds-1 for the tutorial and for each recipe."""
    base = TrainConfig()
    recipes = {"the tutorial's settings": {}, **RECIPES}
    return {name: float(train_many(base.replace(**change), range(seeds),
                                   loss_every=base.epochs).solved.mean())
            for name, change in recipes.items()}


def _escape_ask() -> Question:
    return Question("Some seeds never solve XOR with the tutorial's settings. Which single "
                    "change solves the most seeds?", tuple(RECIPES))


def _escape_solve(seeds: int | None = None):
    seeds = seeds or CENSUS_SEEDS
    fractions = census_fractions(seeds)
    best = max(RECIPES, key=lambda name: fractions[name])
    return best, tuple(f"{name}: {fraction:.0%} of {seeds} seeds solve XOR."
                       for name, fraction in fractions.items())


LESSONS = {lesson.key: lesson for lesson in (
    Lesson("forward", "1. A forward pass by hand", {}, "Backprop step", _forward_ask,
           _forward_solve),
    Lesson("step", "2. One backprop step: which weight moves most?", {}, "Backprop step",
           _step_ask, _step_solve),
    Lesson("stuck", "3. Why seed 0 gets stuck", {}, "Why stuck?", _stuck_ask, _stuck_solve),
    Lesson("escape", "4. Escaping the plateau", {}, "Seed census", _escape_ask,
           _escape_solve),
)}


def reveal(lesson: Lesson, answer) -> Reveal:
    """Compute the lesson's answer and explanation, and judge the student's ``answer``."""
    truth, explanation = lesson.solve()
    question = lesson.ask()
    if question.choices:
        correct = answer == truth
        shown = str(truth)
    else:
        try:
            correct = abs(float(answer) - float(truth)) <= question.tolerance + 1e-12
        except (TypeError, ValueError):
            correct = False
        shown = f"{float(truth):.3f}"
    return Reveal(shown, bool(correct), explanation)
