"""Backprop Lab: placeholder until the dashboard lands."""

import streamlit as st

st.title("Backprop Lab")
