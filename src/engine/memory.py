"""Pausing Python's cyclic garbage collector while a large acyclic result is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (restored after, if it was on).

    An evaluation allocates one object per obligation (hundreds of thousands), none of them in
    a reference cycle; each allocation burst would trigger collections that walk the whole
    growing heap, which took half the evaluation time. Memory is still freed by reference
    counting; the collector runs again once the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
