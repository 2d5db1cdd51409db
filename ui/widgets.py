"""One setting's widget, drawn as its ``FIELDS`` entry declares it (sidebar and Compare page).

A widget's value in ``st.session_state`` is what the widget shows: a number or a
word, or, for a text box (``widget="text"``: the hidden widths), the text ``3,2``.
``shown`` turns a setting's value into that form and ``read`` turns it back,
so code that fills widgets from a config (a link, a preset, a run file, a lesson)
goes through ``put``.
"""

from __future__ import annotations

import streamlit as st

from backprop import FIELDS


def shown(name: str, value):
    """A setting's value as its widget holds it: text for a text box, else the value."""
    field = FIELDS[name]
    return field.text(value) if field.widget == "text" else value


def put(name: str, value, key: str | None = None) -> None:
    """Set a setting's widget (``key``, default the setting's name) to ``value``."""
    st.session_state[key or name] = shown(name, value)


def put_config(config, names=None) -> None:
    """Set the widgets of ``names`` (default: every setting) to ``config``'s values."""
    for name in names or FIELDS:
        put(name, getattr(config, name))


def read(name: str, raw):
    """A widget's value as the setting's value; raises ValueError (naming the setting) if bad."""
    field = FIELDS[name]
    return field.parse(raw) if field.widget == "text" else raw


def draw(where, name: str, key: str, label: str, **extra) -> None:
    """Draw setting ``name``'s widget into ``where`` under ``key``."""
    field = FIELDS[name]
    common = {"key": key, "help": field.help, **extra}
    if field.widget == "text":
        where.text_input(label, placeholder="e.g. 2, or 3,2 for two layers", max_chars=40,
                         **common)
    elif field.kind == "choice":
        where.selectbox(label, field.choices, format_func=field.show, **common)
    elif field.widget == "slider":
        where.slider(label, int(field.lo), int(field.hi), **common)
    elif field.kind == "int":
        where.number_input(label, int(field.lo), int(field.hi), step=int(field.step or 1),
                           **common)
    else:
        where.number_input(label, float(field.lo), float(field.hi),
                           step=float(field.step or 0.1), format=field.fmt or "%g", **common)
