"""The Backprop step's equations on screen, shared by the "Backprop step" and "Set weights" views.

At depth 1 every equation is shown, as in the tutorial. With two or more hidden
layers the whole step is long (each layer adds its forward line, its δ, its gradients,
each sample's share and its update: about 20,000 px on a phone at 4,3,2), so a picker
chooses the layer worked out in full, and a first section lists every layer's a⁽ˡ⁾
and δ⁽ˡ⁾ so the chain from the output down stays in view. One layer in full keeps the
page as long as the tutorial's. "Every layer" is one choice away, and the LaTeX export
always holds it.

The default is layer 1, the layer the error reaches last (its δ has been multiplied by
every layer's f′ on the way: the vanishing-gradient story), while every layer has at
most ``WIDE`` units. Wider layers give matrices no screen fits (δ⁽¹⁾ needs
(W⁽²⁾)ᵀ, 16 × 16 at the widest), so the default is then the output layer, whose W is
one row.
"""

from __future__ import annotations

import streamlit as st

from backprop import nn

from .common import check_link_choice

WIDE = 4  # the widest layer for which layer 1 is the default


def layer_labels(hidden) -> list[str]:
    """The picker's labels: every layer, then layer 1 ... layer o (output)."""
    o = len(nn.widths_of(hidden)) + 1
    return ["every layer", *(f"layer {layer}" for layer in range(1, o)), f"layer {o} (output)"]


def default_focus(hidden) -> int:
    """Layer 1 while each layer has at most WIDE units, else the output layer."""
    widths = nn.widths_of(hidden)
    return 1 if max(widths) <= WIDE else len(widths) + 1


def layer_controls(hidden, key: str, where=st, bind: str | None = "query-params") -> int | None:
    """The layer to work out in full (None: every layer, or a one-hidden-layer network)."""
    if len(nn.widths_of(hidden)) == 1:
        return None
    labels, default = layer_labels(hidden), default_focus(hidden)
    if bind:
        check_link_choice(key, labels, labels[default])
    choice = where.selectbox(
        "Layer worked out in full", range(len(labels)), index=default, key=key, bind=bind,
        format_func=labels.__getitem__,
        help="Every layer's activations and error are listed first; the layer picked here "
             "gets its forward line, δ, gradients, each sample's share and update.")
    return int(choice) or None


def sections_panel(sections) -> None:
    """Each section's title, then its explanations and equations."""
    for title, items in sections:
        st.markdown(f"**{title}**")
        for text, latex in items:
            if text:
                st.caption(text)
            st.latex(latex)
