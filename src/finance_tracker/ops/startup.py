"""Start-up without the cyclic garbage collector.

Loading the app creates some 240,000 objects that live as long as the process (modules,
classes, functions, routes, schemas) and next to no garbage (~5,000 unreachable objects). With
the collector on, it walks the young ones every 700 allocations and, as they pile up, all of
them again and again: 0.2-0.4 s of a start of 1.5-2 s on a 2-core machine. So `serve` pauses
it first thing, and once the app is loaded `resume` moves everything alive into the permanent
generation (`gc.freeze`: never walked again, and a forked worker's pages stay shared) before
turning it back on. The garbage of start-up stays frozen: a few hundred kB, once.

This is the recipe of the `gc` module's documentation for a server that forks: disable early
in the parent, freeze before fork, enable early in the children (ops/gunicorn.py: the master
resumes before it forks; a worker pauses again at once, and resumes once it has the app).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause while loading; resume when loaded, or when loading fails (a settings error in a
    command that then exits, a test that calls it): the collector is never left off."""
    pause()
    try:
        yield
    finally:
        resume()


def pause() -> None:
    gc.disable()


def resume() -> None:
    gc.freeze()
    gc.enable()
