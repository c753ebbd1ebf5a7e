"""Per-object locks for the caches that prediction fills (token tables, language-detector pieces, lexicon values).

A fitted model can be shared between threads: every cache that grows while predicting is filled under its
owner's lock, and values read from it are taken under the same lock, so no thread sees a half-grown table.
Locks are created on first use and never pickled (``drop_derived`` removes them from a pickled state).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["lock_of", "drop_derived", "synchronized"]

_CREATE = threading.Lock()


def lock_of(obj: Any) -> threading.RLock:
    """The re-entrant lock of ``obj`` (made on first use; stored as ``obj._lock``)."""
    lock = obj.__dict__.get("_lock")
    if lock is None:
        with _CREATE:
            lock = obj.__dict__.get("_lock")
            if lock is None:
                lock = obj.__dict__["_lock"] = threading.RLock()
    return lock


def synchronized(method: Callable[..., T]) -> Callable[..., T]:
    """Run ``method`` under its object's lock (:func:`lock_of`; re-entrant, so synchronized methods may call each
    other)."""

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> T:
        with lock_of(self):
            return method(self, *args, **kwargs)

    return locked


def drop_derived(state: dict, names: Iterable[str]) -> dict:
    """``state`` without its lock and the derived caches ``names`` (for ``__getstate__``)."""
    state = dict(state)
    for name in ("_lock", *names):
        state.pop(name, None)
    return state
