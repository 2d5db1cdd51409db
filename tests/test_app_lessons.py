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


def test_the_fifth_lesson_says_it_is_not_there_yet():
    at = start({**LESSONS, "lesson": "vanishing"})
    assert any("deeper networks" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Check my answer"]


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
