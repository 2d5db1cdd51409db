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

from . import nn, vanishing
from .compare import train_pair
from .config import FIELDS, TrainConfig
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
    compare: dict = field(default_factory=dict)  # run B's changes, for the Compare page


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


# --- 5. vanishing gradients in a deep sigmoid network ---------------------------------

DEEP = {"hidden": (4, 4, 4, 4)}  # over the tutorial's settings: sigmoid, seed 0
AGAINST = {"activation": "tanh"}  # the comparison: the same start, another activation
# How many times smaller the first layer's gradient is than the output layer's: each
# choice covers factors below its bound (and at least the previous one's).
SHRINK_CHOICES = ((0.5, "larger than the output layer's"),
                  (2.0, "about the same (less than 2× apart)"),
                  (10.0, "2 to 10× smaller"),
                  (100.0, "10 to 100× smaller"),
                  (1000.0, "100 to 1,000× smaller"),
                  (float("inf"), "more than 1,000× smaller"))


# A verdict's status as the lesson says it.
STATUS = {"solved": "solved", "stuck": "stuck", "learning": "still learning",
          "diverged": "diverged"}


def shrink_choice(factor: float) -> str:
    """The choice that holds ``factor`` (= ‖dW⁽ᴸ⁺¹⁾‖ / ‖dW⁽¹⁾‖); inf (no gradient reaches
    layer 1) is the last."""
    return next((text for bound, text in SHRINK_CHOICES if factor < bound),
                SHRINK_CHOICES[-1][1])


def _deep_config() -> TrainConfig:
    return TrainConfig().replace(**DEEP)


def _vanish_ask() -> Question:
    config = _deep_config()
    last = len(config.hidden) + 1
    return Question(
        f"A network with {len(config.hidden)} hidden layers of {config.hidden[0]} sigmoid "
        f"units (hidden = {FIELDS['hidden'].text(config.hidden)}) takes its first batch "
        f"update from seed {config.seed}. Compared with the output layer's weight gradient "
        f"{vanishing.norm_name(last)}, how big is the first layer's {vanishing.norm_name(1)}?",
        tuple(text for _, text in SHRINK_CHOICES))


def _norms_text(norms) -> str:
    return ", ".join(f"{vanishing.norm_name(layer)} = {value:.2g}"
                     for layer, value in enumerate(norms, start=1))


def vanishing_numbers() -> dict:
    """Every number lesson 5 states, computed by training both networks from one start.

    norms / tanh_norms : (L+1,) ‖dW⁽ˡ⁾‖ at the first update (epoch 0); factor / tanh_factor :
    output over first; means : (L,) mean σ′ per hidden layer then; peak / tanh_peak : the
    largest slope of each activation; bound : peak ** L; runs : the two ``Run``s.
    """
    sigmoid_run, tanh_run, _ = train_pair(_deep_config(), _deep_config().replace(**AGAINST))
    first, tanh_first = sigmoid_run.history.at(0), tanh_run.history.at(0)
    norms, tanh_norms = vanishing.gradient_norms(first), vanishing.gradient_norms(tanh_first)
    peak, at = vanishing.derivative_peak("sigmoid")
    return {"norms": norms, "factor": vanishing.shrink(norms[0], norms[-1]),
            "tanh_norms": tanh_norms,
            "tanh_factor": vanishing.shrink(tanh_norms[0], tanh_norms[-1]),
            "means": vanishing.derivative_means(first), "peak": peak, "peak_at": at,
            "bound": peak ** len(sigmoid_run.config.hidden),
            "tanh_peak": vanishing.derivative_peak(AGAINST["activation"])[0],
            "runs": (sigmoid_run, tanh_run)}


def _vanish_solve():
    v = vanishing_numbers()
    sigmoid_run, tanh_run = v["runs"]
    L = len(sigmoid_run.config.hidden)
    slowest = int(np.argmin(v["norms"])) + 1
    product = " × ".join([f"{v['peak']:g}"] * L)
    return shrink_choice(v["factor"]), (
        f"At the first update, from the input layer to the output: {_norms_text(v['norms'])}. "
        f"The first layer's gradient is {vanishing.shrink_text(v['factor'])} than the output "
        f"layer's, and layer {slowest} has the smallest: it learns slowest.",
        "Why: each hidden layer's error is δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ σ′(z⁽ˡ⁾), so the error "
        f"that reaches layer 1 has been multiplied by σ′ once per hidden layer: {L} times.",
        f"σ′ is at most {v['peak']:g} (at z = {v['peak_at']:g}), so those {L} factors alone "
        f"scale it by at most {product} = 1/{1 / v['bound']:,.0f}, unless the weights make "
        "up for it. "
        f"Here the mean σ′ of layers 1 to {L} is {_vec(v['means'])}.",
        f"tanh′ is at most {v['tanh_peak']:g}. From the same initial weights with tanh: "
        f"{_norms_text(v['tanh_norms'])}; the first layer's gradient is "
        f"{vanishing.shrink_text(v['tanh_factor'])} than the output layer's.",
        f"After {sigmoid_run.config.epochs:,} epochs the sigmoid network's MSE is "
        f"{sigmoid_run.mse[-1]:.4f} ({STATUS[sigmoid_run.verdict.status]}); the tanh "
        f"network's is {tanh_run.mse[-1]:.4f} ({STATUS[tanh_run.verdict.status]}).",
    )


LESSONS = {lesson.key: lesson for lesson in (
    Lesson("forward", "1. A forward pass by hand", {}, "Backprop step", _forward_ask,
           _forward_solve),
    Lesson("step", "2. One backprop step: which weight moves most?", {}, "Backprop step",
           _step_ask, _step_solve),
    Lesson("stuck", "3. Why seed 0 gets stuck", {}, "Why stuck?", _stuck_ask, _stuck_solve),
    Lesson("escape", "4. Escaping the plateau", {}, "Seed census", _escape_ask,
           _escape_solve),
    Lesson("vanishing", "5. Vanishing gradients in a deep sigmoid network", DEEP,
           "Gradient flow", _vanish_ask, _vanish_solve, compare=AGAINST),
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
