"""A small thread-safe LRU of finished computations, shared by every session of the app.

The app keeps census and sweep results here rather than in ``st.cache_*``
because the computation draws a progress bar outside itself. Two rules make it
safe to share across sessions (threads):

- a computation that raises (a session interrupted because its settings
  changed) is not kept, and the next caller computes it again;
- a key being computed is computed once: later callers for the same key wait
  for the first one instead of starting a second copy (a class of thirty
  opening the same tab at once costs one computation, not thirty).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

WAIT_TICK = 0.25  # seconds between a waiting caller's ``waiting()`` calls


class LRU:
    """At most ``limit`` results, least recently used dropped first."""

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self.limit = limit
        self._items: OrderedDict = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget every stored value (computations under way still finish and are kept)."""
        with self._lock:
            self._items.clear()

    def get(self, key: Hashable, compute: Callable[[], object],
            waiting: Callable[[], None] | None = None):
        """The stored value for ``key``, or ``compute()``'s, stored for next time.

        waiting : called every WAIT_TICK seconds while another thread computes
            the same key (the app uses it to show a spinner, and as a point where
            Streamlit can stop an interrupted session).
        """
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                running = self._pending.get(key)
                if running is None:
                    running = self._pending[key] = threading.Event()
                    break
            # Someone else is computing it: wait, then look again (they may have failed).
            while not running.wait(WAIT_TICK):
                if waiting is not None:
                    waiting()
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._pending.pop(key, None)
            running.set()
            raise
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            self._pending.pop(key, None)
        running.set()
        return value
