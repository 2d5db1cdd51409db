"""The Streamlit side of Backprop Lab: widgets, layout and cached wrappers over ``backprop``.

Imports point one way: ``app`` -> ``ui`` -> ``backprop``. Panels draw and return
values; anything a test would want to check without a browser lives in ``backprop``.

- ``cache``: runs, plane grids and figures computed once and shared by every session;
- ``common``: chart options, inert user text, link checks for the view controls,
  the shared result store;
- ``settings``: the sidebar and the settings in the address bar;
- ``run``: the first screen (verdict, truth table, loss, surface, σ′) and the view tabs;
- ``views``: the view tabs' panels; ``live``: live training;
- ``explore``: seed census and sweep; ``files``: run-file download and upload;
- ``data``: your own points (table editor, CSV upload) for the custom dataset;
- ``compare``: the Compare page (run A beside run B, B in the link as ``b.*``);
- ``lessons``: the Lessons page and quiz mode; ``handweights``: weights set by hand;
  ``landscape``: the loss-landscape view.
"""

from backprop import compiled

# Once per server process (this package is imported once; app.py reruns): compile the
# training kernels in the background, so no visitor waits for the compiler. Until they
# are ready, training runs on the NumPy reference.
compiled.warm_up()
