"""Uploaded run files at depth: the start is kept only while every layer's shape fits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop import TrainConfig, train
from backprop.runfile import dumps
from ui.files import weights_fit


def _start(hidden) -> str:
    """A start as the app keeps it: JSON of name -> nested lists, drawn by hand."""
    sizes = [2, *hidden, 1]
    rng = np.random.default_rng(1)
    weights = {}
    for layer in range(1, len(sizes)):
        weights[f"W{layer}"] = rng.normal(size=(sizes[layer], sizes[layer - 1])).tolist()
        weights[f"b{layer}"] = rng.normal(size=(sizes[layer], 1)).tolist()
    return json.dumps(weights)


@pytest.mark.parametrize("made_for, hidden, fits", [
    ((2,), (2,), True), ((3, 2), (3, 2), True), ((4, 3, 2), (4, 3, 2), True),
    ((3, 2), (3, 3), False), ((3, 2), (2, 3), False), ((3, 2), (3,), False),
    ((3,), (3, 2), False), ((3, 2), (3, 2, 1), False), ((2,), (3,), False)])
def test_weights_fit_every_layer(made_for, hidden, fits):
    assert weights_fit(_start(made_for), hidden) is fits


def test_a_transposed_layer_does_not_fit():
    weights = json.loads(_start((3, 2)))
    weights["W2"] = np.array(weights["W2"]).T.tolist()  # (3, 2) instead of (2, 3)
    assert not weights_fit(json.dumps(weights), (3, 2))


def _page():
    import streamlit as st

    from backprop import TrainConfig
    from ui import files

    st.file_uploader("Run file", key="upload", on_change=files._on_upload)
    start = files.uploaded_weights(TrainConfig(hidden=st.session_state.get("want", (3, 2))))
    st.write("kept" if start else "none")


def _upload(config: TrainConfig) -> AppTest:
    saved = train(config)
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["want"] = config.hidden
    at.run()
    text = dumps(config, saved.params, saved.mse).encode()
    at.file_uploader(key="upload").set_value(("deep.json", text, "application/json")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at, saved


@pytest.mark.parametrize("hidden", [(2,), (3, 2)])
def test_an_upload_is_kept_while_its_layers_fit(hidden):
    at, saved = _upload(TrainConfig(hidden=hidden, epochs=200, seed=4))
    assert at.markdown[-1].value == "kept", "a file for these layers is the start"
    kept = json.loads(at.session_state["start"])
    for name, value in saved.params.items():
        np.testing.assert_allclose(kept[name], value, rtol=0, atol=0, err_msg=name)


@pytest.mark.parametrize("other", [(3, 3), (3,), (3, 2, 2)])
def test_a_depth_two_upload_is_set_aside_for_other_layers(other):
    at, _ = _upload(TrainConfig(hidden=(3, 2), epochs=200, seed=4))
    at.session_state["want"] = other
    at.run()
    assert at.markdown[-1].value == "none"
    assert any("set aside" in i.value for i in at.info)
    assert "start" not in at.session_state
