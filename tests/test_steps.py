"""The step-by-step equations: every printed line checks by hand, and the update they show
is the one training makes.

The checker below reads the printed LaTeX back into numbers (it is a separate
transcription, not the code that wrote it): for each ``symbols = numbers = result``
it evaluates ``numbers`` and asks that ``result`` is that value rounded to the
digits printed, exactly as a student with a calculator would.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.shown import factor, mat, sig, term, tx
from backprop.steps import LOSS_TEX, step_equations, unstack

MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}")
NUMBER = r"-?\d+(?:\.\d+)?(?:\\times10\^\{-?\d+\})?"


def number(text: str) -> float:
    return float(re.sub(r"\\times10\^\{(-?\d+)\}", r"e\1", text))


def quantum(text: str) -> float:
    """Half a unit in the last printed place of one number."""
    mantissa, _, exponent = text.partition(r"\times10^{")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent.rstrip("}") or 0) - places)


def cells(body: str) -> list[list[str]]:
    return [[c.strip() for c in row.split("&")] for row in body.split(r"\\")]


def to_python(latex: str) -> str | None:
    """The numeric side of an equation as a Python expression, or None if it has symbols."""
    text = re.sub(r"\\times10\^\{(-?\d+)\}", r"e\1", latex)
    text = MATRIX.sub(lambda m: "M(" + repr(cells(m.group(1))) + ")", text)
    text = text.replace(")M(", ")@M(")  # juxtaposed matrices: a matrix product
    for old, new in ((r"\left(", "("), (r"\right)", ")"), (r"\cdot", "*"), (r"\odot", "*"),
                     (r"\tfrac12", "0.5*"), (r"\sigma", "SIG"), (r"\tanh", "TANH"),
                     (r"\log", "LOG"), ("^2", "**2")):
        text = text.replace(old, new)
    text = re.sub(r"\\frac\{(.*?)\}\{(.*?)\}$", r"((\1)/(\2))", text)
    bare = re.sub(r"M\(\[.*?\]\)", "", text)
    return None if re.search(r"[A-Za-z\\{}_]", bare.replace("SIG", "").replace(
        "TANH", "").replace("LOG", "").replace("e-", "").replace("e", "")) else text


def evaluate(expr: str):
    env = {"M": lambda rows: np.array([[number(c) for c in r] for r in rows]),
           "SIG": lambda v: 1 / (1 + np.exp(-np.asarray(v))), "TANH": np.tanh, "LOG": np.log}
    return eval(expr, env)  # noqa: S307 - our own test strings


def result_of(latex: str):
    """The printed result: (values, half-units of its last place)."""
    found = MATRIX.fullmatch(latex.strip().replace(r"\text{ (this sample)}", ""))
    if found:
        grid = cells(found.group(1))
        return (np.array([[number(c) for c in r] for r in grid]),
                np.array([[quantum(c) for c in r] for r in grid]))
    return number(latex.strip()), quantum(latex.strip())


def checks(sections) -> list[tuple[str, str, object, object, object]]:
    """(equation, numbers, computed, printed, half-unit) for every checkable equation."""
    out = []
    for _, items in sections:
        for _, latex in items:
            parts = unstack(latex).split(" = ")
            if len(parts) < 3:
                continue
            expr = to_python(parts[-2])
            if expr is None:
                continue
            printed, half = result_of(parts[-1])
            out.append((latex, parts[-2], np.squeeze(evaluate(expr)), np.squeeze(printed),
                        np.squeeze(half)))
    return out


# (activation, loss, update, epochs, hidden): the tutorial's one layer, and three layers.
CASES = [("sigmoid", "mse", "batch", 0, 2), ("sigmoid", "mse", "batch", 10_000, 2),
         ("tanh", "bce", "batch", 300, 3), ("relu", "mse", "online", 300, 3),
         ("sigmoid", "bce", "online", 2_000, 2),
         ("sigmoid", "mse", "batch", 0, (4, 3, 2)), ("sigmoid", "mse", "batch", 2_000, (4, 3, 2)),
         ("tanh", "bce", "online", 300, (4, 3, 2)), ("relu", "mse", "batch", 300, (4, 3, 2))]


def _case_id(case) -> str:
    return "-".join(str(v) if np.ndim(v) == 0 else ",".join(map(str, v)) for v in case)


@pytest.fixture(scope="module", params=CASES, ids=_case_id)
def case(request):
    activation, loss, update, epochs, hidden = request.param
    config = TrainConfig(activation=activation, loss=loss, update=update, epochs=epochs,
                         hidden=hidden, seed=0)
    run = train(config, checkpoints=[epochs])
    return config, run


@pytest.mark.parametrize("sample", [0, 1, 2, 3])
def test_every_printed_equation_checks_by_hand(case, sample):
    config, run = case
    sections = step_equations(run.history.at(len(run.history.epochs) - 1), run.X, run.y,
                              sample, config.activation, config.loss, config.lr, config.update)
    found = checks(sections)
    assert len(found) >= 12, "too few equations were checkable: the checker lost track"
    # every layer's forward line and every hidden layer's delta were among those checked
    checked = {unstack(latex).split(" = ")[0] for latex, *_ in found}
    layers = nn.layers_of(run.params)
    for layer in range(1, layers + 1):
        assert f"z^{{({layer})}}" in checked, f"z of layer {layer} was not checked"
    for layer in range(1, layers):
        assert rf"\delta^{{({layer})}}" in checked, f"delta of layer {layer} was not checked"
    for latex, expr, computed, printed, half in found:
        wrong = np.abs(computed - printed) > half * (1 + 1e-9) + 1e-15
        assert not np.any(wrong), (f"{latex}\n  numbers {expr}\n  give {computed}, "
                                   f"printed {printed} (±{half})")


def test_the_reported_rounding_case_now_shows_its_change():
    """The student's "4.946 − 0.1·(−0.002088) = 4.947": Δ is printed with its own digits."""
    run = train(TrainConfig(epochs=10_000))
    snap = run.history.at(len(run.history.epochs) - 1)
    text = latex_of(step_equations(snap, run.X, run.y, 1, "sigmoid", "mse", 0.1))
    w = snap["W2"][0, 1]
    assert f"{w:.3f}" == "4.946"  # the weight of the report
    # the change is tiny, so the weight is printed with enough decimals to see it move
    line = next(t for t in text.splitlines() if t.startswith(r"\text{new }W^{(2)} = "))
    before, after = (cells(m)[0] for m in MATRIX.findall(line)[::2])
    assert before[1] != after[1] and len(before[1].split(".")[1]) >= 7, line


def share_sizes(snap, X) -> dict:
    """Σ over samples of |each share| of each gradient: the scale of its rounding error."""
    d2, d1, a1 = np.abs(snap["delta2"]), np.abs(snap["delta1"]), np.abs(snap["a1"])
    return {"W2": d2 @ a1.T, "b2": d2.sum(keepdims=True), "W1": d1 @ np.abs(X).T,
            "b1": d1.sum(axis=1, keepdims=True)}


def latex_of(sections) -> str:
    """Every equation on one line each, unstacked."""
    return "\n".join(unstack(latex) for _, items in sections for _, latex in items)


def printed_update(text: str, symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """The new weights as printed, and half a unit of each one's last printed place."""
    line = next(t for t in text.splitlines() if t.startswith(r"\text{new }" + symbol + " = "))
    values, half = result_of(line.rsplit(" = ", 1)[1])
    return np.atleast_2d(values), np.atleast_2d(half)


@pytest.mark.parametrize("activation, loss", [("sigmoid", "mse"), ("tanh", "bce"),
                                              ("relu", "mse")])
@pytest.mark.parametrize("sample", [0, 3])
def test_batch_update_shown_is_the_next_epochs_weights(activation, loss, sample):
    config = TrainConfig(activation=activation, loss=loss, hidden=3, epochs=20, seed=1)
    run = train(config, checkpoints=[20])
    snap = run.history.at(0)
    after = train(config.replace(epochs=21)).params
    text = latex_of(step_equations(snap, run.X, run.y, sample, activation, loss, config.lr))
    for name, symbol in (("W1", "W^{(1)}"), ("b1", "b^{(1)}"), ("W2", "W^{(2)}"),
                         ("b2", "b^{(2)}")):
        # each share is worked from 4-digit numbers (relative error well under 0.3%), and
        # the weight is printed to the 4th digit of its change (to 4 decimals if none)
        printed, half = printed_update(text, symbol)
        err = np.abs(printed.reshape(after[name].shape) - after[name])
        bound = 3e-3 * config.lr * share_sizes(snap, run.X)[name] + half.reshape(err.shape)
        assert np.all(err <= bound), (name, err, bound)


def test_online_update_shown_is_this_samples_step():
    config = TrainConfig(update="online", epochs=5, seed=2)
    run = train(config, checkpoints=[5])
    snap, sample = run.history.at(0), 1
    x, t = run.X[:, [sample]], run.y[:, [sample]]
    grads = nn.backward(snap, x, t, nn.forward(snap, x, "sigmoid"), "sigmoid", "mse")
    expected = nn.update(snap, grads, config.lr)
    text = latex_of(step_equations(snap, run.X, run.y, sample, "sigmoid", "mse", config.lr,
                                   "online"))
    assert r"\textstyle\sum" not in text  # one sample's gradient, no batch sum
    for name, symbol in (("W1", "W^{(1)}"), ("W2", "W^{(2)}")):
        change = np.abs(expected[name] - snap[name])
        printed, half = printed_update(text, symbol)
        err = np.abs(printed - expected[name])
        assert np.all(err <= 3e-3 * change + half), (name, err, change)


def test_batch_gradient_is_the_sum_of_four_listed_shares():
    run = train(TrainConfig(epochs=100))
    snap = run.history.at(len(run.history.epochs) - 1)
    text = latex_of(step_equations(snap, run.X, run.y, 0, "sigmoid", "mse", 0.1))
    shares = [t for t in text.splitlines() if re.match(r"\\text\{\(\d,\d\): \}\\delta\^\{\(2\)\}",
                                                       t)]
    assert [s[6:11] for s in shares] == ["(0,0)", "(0,1)", "(1,0)", "(1,1)"]
    total = next(t for t in text.splitlines() if t.startswith(r"\textstyle\sum \delta^{(2)}(a"))
    printed = result_of(total.rsplit(" = ", 1)[1])[0]
    np.testing.assert_allclose(printed.ravel(), snap["dW2"].ravel(), rtol=2e-3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_diverged_snapshot_prints_without_raising(bad):
    run = train(TrainConfig(epochs=3))
    snap = run.history.at(0)
    broken = {k: np.full_like(v, bad) if k in ("W1", "delta1") else v for k, v in snap.items()}
    text = latex_of(step_equations(broken, run.X, run.y, 0, "sigmoid", "mse", 0.1))
    assert r"\mathrm{NaN}" in text or r"\infty" in text


def test_long_equations_are_stacked_one_step_per_line():
    run = train(TrainConfig(epochs=10))
    sections = step_equations(run.history.at(0), run.X, run.y, 0, "sigmoid", "mse", 0.1)
    first = sections[0][1][0][1]
    assert first.startswith(r"\begin{aligned}z^{(1)} &= W^{(1)}x + b^{(1)} \\[4pt] &= ")
    total = next(latex for _, items in sections for _, latex in items
                 if latex.startswith(r"\begin{aligned}\textstyle\sum \delta^{(2)}(a"))
    assert total.count(r"&\quad + ") == 3  # the four shares, one per line


def test_every_loss_in_the_registry_has_its_equations():
    assert set(LOSS_TEX) == set(nn.LOSSES)


@pytest.mark.parametrize("value, text", [
    (0.5, "0.5000"), (-2.0, "-2.000"), (123456.0, "1.235\\times10^{5}"),
    (1.2e-5, "0.00001200"), (2.088e-7, "2.088\\times10^{-7}"),
])
def test_shown_numbers_keep_four_significant_digits(value, text):
    assert tx(sig(value)) == text


def test_negative_factors_are_bracketed_and_terms_signed():
    assert factor(sig(-0.002088)) == r"\left(-0.002088\right)"
    assert factor(sig(0.1)) == "0.1000"
    assert term(sig(-0.25)) == "- 0.2500" and term(sig(0.25)) == "+ 0.2500"
    assert mat(sig(np.array([[1, 2], [3, 4]]))) == (
        r"\begin{bmatrix}1.000 & 2.000 \\ 3.000 & 4.000\end{bmatrix}")


def test_forward_numbers_and_both_sigmoid_slopes_appear():
    run = train(TrainConfig(epochs=50))
    snap = run.history.at(len(run.history.epochs) - 1)
    sections = step_equations(snap, run.X, run.y, 2, "sigmoid", "mse", 0.1)
    text = latex_of(sections)
    assert r"\sigma(z^{(1)})\odot(1-\sigma(z^{(1)}))" in text
    assert r"\sigma'(z^{(1)}) = a^{(1)}\odot(1 - a^{(1)})" in text
    assert [title for title, _ in sections] == [
        "1 · Forward pass", "2 · Loss", "3 · Chain-rule factors", "4 · Errors (deltas)",
        "5 · Gradients", "6 · Update"]
