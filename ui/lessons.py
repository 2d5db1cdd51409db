"""The Lessons page (predict, then run, then explain) and quiz mode for the Run page.

A lesson asks first: the answer widgets and "Check my answer" come before anything
is revealed. Every claim it then makes is computed by ``backprop.lessons``. The
lesson, its step and the answer live in the address bar (``lesson``, ``step``,
``answer`` for a choice, ``number`` for a number).
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from backprop import TrainConfig
from backprop.compare import PREFIX, b_query, describe
from backprop.lessons import CENSUS_SEEDS, LESSONS, RECIPES, reveal

from . import views, widgets
from .common import check_link_choice, check_link_flag, note_link_value, plain
from .settings import settings_changed

DEFAULTS = TrainConfig()
STEPS = ("asked", "revealed")


@st.cache_resource(max_entries=8, show_spinner=False)
def _solved(key: str):
    """A lesson's computed answer and explanation, once for every visitor."""
    return LESSONS[key].solve()


def _title(key: str) -> str:
    return LESSONS[key].title


def _reset_step() -> None:
    st.session_state.step = "asked"
    st.query_params["step"] = "asked"
    for key in ("answer", "number"):  # bound widgets: clearing the value clears the link
        if key in st.session_state:
            st.session_state[key] = None


def _check() -> None:
    st.session_state.step = "revealed"
    st.query_params["step"] = "revealed"


def _open_in_app(lesson) -> None:
    """Apply the lesson's settings over the tutorial defaults and show its view."""
    settings_changed()
    widgets.put_config(DEFAULTS.replace(**lesson.settings))
    st.session_state.pop("start", None)
    if lesson.view in views.VIEWS:
        st.session_state.page, st.session_state.view = "Run", lesson.view
    else:
        st.session_state.page = lesson.view


def _open_compare(lesson) -> None:
    """The lesson's settings as run A and ``lesson.compare`` as run B, on the Compare page."""
    _open_in_app(lesson)
    for key in [k for k in st.query_params if k.startswith(PREFIX)]:
        del st.query_params[key]
    a = DEFAULTS.replace(**lesson.settings)
    st.query_params.update(b_query(a, a.replace(**lesson.compare)))  # read by compare_page
    st.session_state.page = "Compare"


def _link_step() -> None:
    """The step from the link, on a run that follows one (bad values warn)."""
    if not st.session_state.get("following_link") or "step" not in st.query_params:
        st.session_state.setdefault("step", "asked")
        return
    raw = st.query_params["step"]
    if raw not in STEPS:
        note_link_value("step", "one of " + ", ".join(STEPS), raw, "asked")
        raw = "asked"
    st.session_state.step = raw


def _answer_controls(lesson):
    """The answer widget; returns the answer, or None while there is none."""
    question = lesson.ask()
    st.markdown(plain(question.prompt))
    if question.choices:
        check_link_choice("answer", list(question.choices), "no answer")
        return st.radio("Your answer", question.choices, index=None, key="answer",
                        bind="query-params")
    return st.number_input("Your answer", value=None, step=0.01, format="%.2f",
                           key="number", bind="query-params",
                           placeholder="type a number, e.g. 0.50")


def _reveal_panel(lesson, answer) -> None:
    fresh = lesson.key not in st.session_state.get("solved", ())
    if lesson.key == "escape" and fresh:
        label = (f"Training {CENSUS_SEEDS} seeds for the tutorial and each of "
                 f"{len(RECIPES)} recipes (a few seconds)…")
    elif lesson.compare and fresh:
        label = "Training both deep networks, sigmoid and tanh, from one start…"
    else:
        label = "Computing…"
    with st.spinner(label):
        solved = _solved(lesson.key)
    st.session_state.setdefault("solved", set()).add(lesson.key)
    result = reveal(dataclasses.replace(lesson, solve=lambda: solved), answer)
    if result.correct:
        st.success(f"Right: **{plain(result.answer)}**.", icon=":material/check_circle:")
    else:
        st.error(f"Not quite: you said {plain(str(answer))}; the answer is "
                 f"**{plain(result.answer)}**.", icon=":material/cancel:")
    st.markdown("\n".join(f"- {plain(line)}" for line in result.explanation))
    c1, c2 = st.columns(2)
    c1.button(f"Open this in the app ({lesson.view})", on_click=_open_in_app, args=(lesson,),
              type="primary", width="stretch",
              help="Sets the lesson's settings (over the tutorial's) and opens the view that "
                   "shows the answer.")
    if lesson.compare:
        a = DEFAULTS.replace(**lesson.settings)
        c2.button(f"Compare side by side ({describe(a, a.replace(**lesson.compare))})",
                  on_click=_open_compare, args=(lesson,), width="stretch",
                  help="Opens the Compare page: run A has the lesson's settings, run B "
                       "changes only this, from the same initial weights.")


def lessons_page(config: TrainConfig, start: str | None) -> None:
    """Pick a lesson, answer its question, then see the computed answer and why."""
    keys = list(LESSONS)
    check_link_choice("lesson", keys, keys[0])
    _link_step()
    # The options are the short keys, so the link reads ?lesson=stuck; the titles are captions.
    key = st.radio("Lesson", keys, key="lesson", captions=[_title(k) for k in keys],
                   horizontal=True, bind="query-params", on_change=_reset_step)
    lesson = LESSONS[key]
    st.subheader(lesson.title)
    st.caption("Commit to an answer first: nothing is revealed until you check it. "
               "Every number in the answer is computed by the app as you watch.")
    answer = _answer_controls(lesson)
    if st.session_state.get("step") == "revealed" and answer is None:
        st.session_state.step = "asked"
    if st.session_state.get("step") != "revealed":
        st.button("Check my answer", on_click=_check, disabled=answer is None, type="primary")
        return
    _reveal_panel(lesson, answer)


# --- quiz mode --------------------------------------------------------------------------

def quiz_controls() -> None:
    """The sidebar switch (``quiz`` in the link)."""
    check_link_flag("quiz")
    st.toggle("Quiz mode", key="quiz", bind="query-params",
              help="Hide the predictions, the verdict and the truth table's outputs until "
                   "you press Show the answers: predict first, then look.")


def quiz_hidden(config: TrainConfig) -> bool:
    """True while quiz mode hides this run's answers (shown again per run and session)."""
    return bool(st.session_state.get("quiz")) and st.session_state.get("quiz_shown") != config


# The student's prediction of the verdict, by the verdict's status.
GUESSES = {"solved": "solves it", "stuck": "gets stuck", "learning": "is still learning",
           "diverged": "diverges"}


def _show(config: TrainConfig) -> None:
    st.session_state.quiz_shown = config
    st.session_state.quiz_said = (config, st.session_state.get("quiz_guess"))


def quiz_panel(run) -> bool:
    """In place of the verdict while hidden: predict, then show. Returns True while hidden."""
    config = run.config
    if not quiz_hidden(config):
        said = st.session_state.get("quiz_said")
        if st.session_state.get("quiz") and said and said[0] == config and said[1]:
            right = said[1] == run.verdict.status
            st.caption(f"You predicted the run {GUESSES[said[1]]}: "
                       + ("right." if right else "not this time; see why below."))
        return False
    st.info("Quiz mode: the verdict and the network's outputs are hidden. Predict, then look.",
            icon=":material/quiz:")
    guess = st.radio("This run…", list(GUESSES), format_func=GUESSES.get, index=None,
                     horizontal=True, key="quiz_guess")
    st.button("Show the answers", on_click=_show, args=(config,), disabled=guess is None)
    return True
