"""AppTest: the Lessons page (ask before telling, judged answers, the link) and quiz mode."""

from __future__ import annotations

import numpy as np
import pytest
from appsession import FAST, link_warnings, ok, start, text_elements, truth_table, url

LESSONS = {"page": "Lessons", **FAST}


def tutorial_forward(x) -> float:
    """The tutorial's seed-0 network on one input, transcribed independently of backprop."""
    rng = np.random.RandomState(0)
    W1, b1, W2, b2 = rng.randn(2, 2), rng.randn(2, 1), rng.randn(1, 2), rng.randn(1, 1)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    return float(sig(W2 @ sig(W1 @ np.array(x, float).reshape(2, 1) + b1) + b2)[0, 0])


def explanations(at) -> list[str]:
    return [t for t in text_elements(at) if t.startswith("- ")]


def test_a_lesson_asks_before_it_tells():
    at = start(LESSONS)
    (check,) = [b for b in at.button if b.label == "Check my answer"]
    assert check.disabled, "Check my answer must wait for an answer"
    assert not explanations(at) and not at.success and not at.error, "revealed too early"
    assert at.number_input(key="number").value is None, "the answer must start empty"


@pytest.mark.parametrize("answer, right", [(round(tutorial_forward((1, 0)), 2), True),
                                           (0.2, False)])
def test_forward_lesson_judges_a_number(answer, right):
    at = start(LESSONS)
    at.number_input(key="number").set_value(answer)
    at = ok(at.run())
    [b for b in at.button if b.label == "Check my answer"][0].click()
    at = ok(at.run())
    truth = f"{tutorial_forward((1, 0)):.3f}"
    verdict = (at.success if right else at.error)
    assert verdict and truth.replace(".", "\\.") in verdict[0].value, \
        f"answer {answer}: expected {'right' if right else 'wrong'} with {truth}"
    assert explanations(at), "the explanation must follow the check"
    assert any(b.label.startswith("Open this in the app") for b in at.button)
    assert url(at)["step"] == "revealed"


def test_a_choice_lesson_judges_and_opens_its_view():
    at = start({**LESSONS, "lesson": "step"})
    choices = at.radio(key="answer").options
    at.radio(key="answer").set_value(choices[0])  # a hidden weight: the small one
    at = ok(at.run())
    [b for b in at.button if b.label == "Check my answer"][0].click()
    at = ok(at.run())
    assert at.error and "output" in at.error[0].value, "W1 does not move most in step one"
    [b for b in at.button if b.label.startswith("Open this in the app")][0].click()
    at = ok(at.run())
    assert at.session_state["page"] == "Run" and at.session_state["view"] == "Backprop step"


def test_the_link_holds_lesson_step_and_answer():
    at = start({**LESSONS, "lesson": "step", "step": "revealed",
                "answer": "an output weight (W⁽²⁾)"})
    assert at.radio(key="lesson").value == "step"
    assert at.radio(key="answer").value == "an output weight (W⁽²⁾)"
    assert at.success or at.error, "a revealed link shows the verdict on its answer"
    assert explanations(at)


def test_a_number_answer_in_the_link_is_judged():
    answer = f"{tutorial_forward((1, 0)):.2f}"
    at = start({**LESSONS, "lesson": "forward", "step": "revealed", "number": answer})
    assert at.number_input(key="number").value == float(answer)
    assert at.success, "the link's answer is within 0.01 of the hand-computed output"


@pytest.mark.parametrize("key, bad", [("lesson", "nope"), ("step", "sideways")])
def test_bad_lesson_link_values_warn(key, bad):
    at = start({**LESSONS, key: bad})
    warnings = link_warnings(at, "view")
    assert any(w.startswith(f"Link view ignored: {key} must be") and bad in w
               for w in warnings), warnings
    assert [b for b in at.button if b.label == "Check my answer"], "falls back to asking"


def deep_factor() -> float:
    """‖dW⁽⁵⁾‖ / ‖dW⁽¹⁾‖ at seed 0's first update of a 4,4,4,4 sigmoid net (reference)."""
    from tests.reference_deep import DeepNetwork
    X, y = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]]), np.array([[0.0, 1, 1, 0]])
    dW, _ = DeepNetwork((4, 4, 4, 4), seed=0).gradients(X, y)
    return float(np.linalg.norm(dW[-1]) / np.linalg.norm(dW[0]))


def test_the_vanishing_lesson_asks_then_tells_with_the_engines_numbers():
    at = start({**LESSONS, "lesson": "vanishing"})
    (check,) = [b for b in at.button if b.label == "Check my answer"]
    assert check.disabled and not explanations(at), "nothing before an answer"
    assert not [b for b in at.button if b.label.startswith("Open this")]
    at.radio(key="answer").set_value("about the same (less than 2× apart)")
    at = ok(at.run())
    [b for b in at.button if b.label == "Check my answer"][0].click()
    at = ok(at.run())
    factor = deep_factor()
    assert 100 <= factor < 1000, factor  # the reference's ratio, so the right choice is:
    assert at.error and "100 to 1,000× smaller" in at.error[0].value
    lines = " ".join(explanations(at))
    assert f"{factor:.3g}× smaller" in lines and "1/256" in lines
    assert url(at)["step"] == "revealed" and url(at)["lesson"] == "vanishing"


def _lessons_only():
    """The Lessons page alone: what its buttons set, without drawing the page they open."""
    import streamlit as st

    from backprop import TrainConfig
    from ui import lessons

    st.session_state.setdefault("following_link", True)
    lessons.lessons_page(TrainConfig(), None)
    st.session_state.following_link = False


def test_the_vanishing_link_is_judged_and_opens_gradient_flow():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_lessons_only, default_timeout=60)
    for key, value in {"lesson": "vanishing", "step": "revealed",
                       "answer": "100 to 1,000× smaller"}.items():
        at.query_params[key] = value
    at = ok(at.run())
    assert at.success, "the link's answer is the reference's bucket"
    [b for b in at.button if b.label == "Open this in the app (Gradient flow)"][0].click()
    at = ok(at.run())
    assert (at.session_state["page"], at.session_state["view"]) == ("Run", "Gradient flow")
    assert at.session_state["hidden"] == "4,4,4,4"
    assert at.session_state["activation"] == "sigmoid"


def test_the_vanishing_lesson_opens_sigmoid_against_tanh_on_the_compare_page():
    at = start({**LESSONS, "lesson": "vanishing", "step": "revealed",
                "answer": "100 to 1,000× smaller"})
    (compare,) = [b for b in at.button if b.label.startswith("Compare side by side")]
    assert "activation tanh (A: sigmoid)" in compare.label
    at = ok(compare.click().run())
    assert at.session_state["page"] == "Compare"
    assert url(at)["b.activation"] == "tanh" and url(at)["hidden"] == "4,4,4,4"
    assert any(c.value.startswith("Same start") for c in at.caption)
    flow = [c.value for c in at.caption if c.value.startswith("‖dW⁽¹⁾‖ = ")]
    assert len(flow) == 2, "both runs' first-against-output gradient caption"


def test_quiz_hides_then_shows():
    at = start({**FAST, "quiz": "true"})
    assert not at.success and not at.warning, "quiz mode must hide the verdict"
    assert "prediction" not in " ".join(c for d in at.dataframe for c in d.value.columns)
    (show,) = [b for b in at.button if b.label == "Show the answers"]
    assert show.disabled, "the student predicts first"
    at.radio(key="quiz_guess").set_value("stuck")
    at = ok(at.run())
    [b for b in at.button if b.label == "Show the answers"][0].click()
    at = ok(at.run())
    assert at.warning, "the verdict comes back: seed 0 is stuck at 500 epochs too"
    assert "prediction" in truth_table(at).columns
    assert any("You predicted the run gets stuck: right" in c.value for c in at.caption)


def test_another_lesson_starts_by_asking_again():
    at = start({**LESSONS, "lesson": "step", "step": "revealed",
                "answer": "an output weight (W⁽²⁾)"})
    at.radio(key="lesson").set_value("stuck")
    at = ok(at.run())
    assert not explanations(at) and not at.success and not at.error
    assert at.radio(key="answer").value is None, "the old lesson's answer is gone"
    assert url(at)["step"] == "asked"


def test_the_vanishing_lesson_in_quiz_mode_still_asks_first():
    at = start({**LESSONS, "lesson": "vanishing", "quiz": "true"})
    assert at.toggle(key="quiz").value
    (check,) = [b for b in at.button if b.label == "Check my answer"]
    assert check.disabled and not explanations(at)
