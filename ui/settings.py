"""The sidebar settings and their copy in the address bar.

Every setting is written to the URL on every run (all of them, so a link stays
exact even if a default changes later). The view controls are bound to the URL
by Streamlit itself (``bind="query-params"``); this module never touches their
keys, so the two coexist.
"""

from __future__ import annotations

import streamlit as st

from backprop import FIELDS, TrainConfig, to_query
from backprop.config import VERSION, VERSION_KEY, filled_message, read_query
from backprop.datasets import CONTINUOUS
from backprop.presets import PRESETS, preset_config

from . import widgets
from .common import VIEW_KEYS, plain
from .data import data_controls

DEFAULTS = TrainConfig()


def _settings_in_url() -> dict[str, list[str]]:
    """The settings (and the link's version ``v``) in the address bar."""
    return {key: st.query_params.get_all(key) for key in (VERSION_KEY, *FIELDS)
            if key in st.query_params}


def load_settings_from_url() -> None:
    """Fill the widgets from the URL on a session's first run, and whenever the URL is
    no longer the one the app last wrote (browser back/forward). Keep any warnings.

    Sets ``following_link`` for this run, so the view controls check their own values.
    """
    following = st.session_state.get("written_query") != _settings_in_url()
    st.session_state.following_link = following
    if not following:
        return
    in_url = _settings_in_url()
    read = read_query(in_url)
    st.session_state.url_warnings = list(read.warnings)
    st.session_state.view_warnings = []
    # An older link that sets some settings: say what the others were taken to be.
    older = read.version < VERSION and any(name in in_url for name in FIELDS)
    st.session_state.url_filled = _filled_note(read) if older else ""
    widgets.put_config(read.config)


def _filled_note(read) -> str:
    """What an older link's left-out settings were taken to be: in full where a default has
    changed since its version, else one short sentence."""
    changed = tuple(name for name in read.filled
                    if getattr(read.config, name) != getattr(DEFAULTS, name))
    if changed:
        return filled_message("This link", read._replace(filled=changed))
    return (f"This link is from version {read.version}; the settings it leaves out take "
            "their defaults, which have not changed since.")


def settings_changed() -> None:
    """A setting was changed by hand: warnings about the original link no longer apply,
    and a sweep asked for the old settings is called off."""
    st.session_state.url_warnings = []
    st.session_state.view_warnings = []
    st.session_state.url_filled = ""
    st.session_state.pop("sweep_wanted", None)


def _reset_defaults() -> None:
    settings_changed()
    widgets.put_config(DEFAULTS)
    st.session_state.pop("start", None)


def _apply_preset() -> None:
    name = st.session_state.get("preset")
    if name in PRESETS:
        _reset_defaults()
        widgets.put_config(preset_config(name))


def settings_controls() -> TrainConfig:
    """The sidebar settings; returns the config they describe."""
    sb = st.sidebar
    sb.header("Settings")
    sb.button("↺ Tutorial defaults", on_click=_reset_defaults, width="stretch",
              help="XOR, 2 hidden sigmoid units, ½ squared error, lr 0.1, 10,000 epochs, seed 0.")
    sb.selectbox("Preset", list(PRESETS), index=None, key="preset", on_change=_apply_preset,
                 placeholder="Choose a preset…", help="One click sets every setting.")
    if st.session_state.get("preset") in PRESETS:
        sb.caption("👀 " + PRESETS[st.session_state.preset][1])
    now = {name: st.session_state.get(name, getattr(DEFAULTS, name)) for name in FIELDS}
    dataset_now = now["dataset"]
    for name, field in FIELDS.items():
        if field.applies(now) and field.kind != "points":
            _setting_widget(sb, name)
        if name == "dataset" and FIELDS["data"].applies(now):
            data_controls(sb)  # your own data, under the dataset: editor, CSV (ui/data.py)
    if dataset_now in CONTINUOUS:
        sb.caption("Gradients are summed over the samples (as in the tutorial), so many points "
                   "need a small learning rate: try 0.02 for 200 points.")
    last_good = st.session_state.setdefault("last_good", {})
    values = {name: _typed(sb, name, last_good) for name in FIELDS}
    try:
        return TrainConfig(**values)
    except ValueError as err:  # widget bounds match FIELDS, so this is a safety net
        st.warning(f"{err}. Using the tutorial defaults.")
        return DEFAULTS


def _typed(where, name: str, last_good: dict):
    """A setting's value from its widget. Text that does not read (``hidden`` = ``3,,2``)
    is said under the widget, and the last value that did read is used instead.

    last_good : each setting's last value that read, one session-state entry for all
    (every key in session state costs each widget call a little: Streamlit walks them
    all for every selectbox and number input).
    """
    try:
        value = widgets.read(name, st.session_state[name])
    except ValueError as err:
        value = last_good.get(name, getattr(DEFAULTS, name))
        where.error(f"{plain(err)}; still using {FIELDS[name].text(value)}.",
                    icon=":material/edit_off:")
        return value
    last_good[name] = value
    return value


def _setting_widget(where, name: str) -> None:
    """Draw one setting's widget, as its ``FIELDS`` entry declares it."""
    # persist_state keeps a value while its widget is hidden (samples/noise on XOR).
    widgets.draw(where, name, name, FIELDS[name].label, on_change=settings_changed,
                 persist_state="session")


def sync_url(config: TrainConfig) -> None:
    """Write every setting into the address bar, so copying it shares this exact run.

    Only the settings' keys are written (``update``, not ``from_dict``, which would
    wipe the view controls' bound keys); keys that are neither are dropped.
    """
    wanted = to_query(config)
    changed = {k: v for k, v in wanted.items() if st.query_params.get_all(k) != [v]}
    if changed:
        st.query_params.update(changed)
    for key in [k for k in st.query_params if k not in wanted and k not in VIEW_KEYS
                and not k.startswith("b.")]:  # b.*: the Compare page's second run
        del st.query_params[key]
    st.session_state.written_query = {k: [v] for k, v in wanted.items()}


def link_warnings_panel() -> None:
    """Say which values of the link were not used, and what was used instead."""
    for warning in st.session_state.get("url_warnings", []):
        st.warning(f"Link setting ignored: {plain(warning)}.", icon=":material/link:")
    for warning in st.session_state.get("view_warnings", []):
        st.warning(f"Link view ignored: {plain(warning)}.", icon=":material/link:")
    if st.session_state.get("url_filled"):
        st.caption(plain(st.session_state.url_filled))
