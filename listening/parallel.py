"""Spread CPU-bound work over the machine's cores.

The heavy steps (spaCy over every turn for pseudonymisation, lemmatisation and pattern matching
for the coders) are pure functions of a list of items. `map_chunks` cuts the list into chunks
and runs them in forked worker processes: a forked worker inherits the loaded spaCy model, the
configured pseudonymiser and the compiled patterns (copy-on-write), so only chunk bounds go in
and results come out — no model is loaded twice, nothing is pickled but the results.

Forking is only done where it is safe and worth it:
- from the main thread of a process (the CLI, the benchmarks; not the explorer, whose scripts run
  in Streamlit's threads), on a platform that forks (Linux);
- for at least `min_items` items, below which the fork costs more than it saves;
- with more than one worker: `LISTENING_WORKERS` (an integer; 1 turns parallelism off), or else
  the cores this process may run on.
Otherwise the function runs in the calling process, with the same results in the same order.

`Workers` keeps one pool for one function over several lists (the batches of an ingestion):
the workers are forked once, and a list is computed while the caller does something else
(storing the previous batch), its items sent to the workers rather than inherited.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV = "LISTENING_WORKERS"
MIN_ITEMS = 100  # texts; fewer: the work takes less than forking and gathering would
CHUNKS_PER_WORKER = 4  # smaller chunks even out the workers' loads

# The job of the current `map_chunks` call, read by the forked workers (which inherit it).
_job: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def workers() -> int:
    """How many worker processes `map_chunks` may use."""
    value = os.environ.get(ENV, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"{ENV}={value!r} : un nombre entier est attendu (1 = sans parallélisme).") from None
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _worth_forking(n_workers: int, n_items: int, min_items: int) -> bool:
    """Several workers, enough items, a platform that forks, the main thread of a process that
    is not itself a worker, and no pool (`map_chunks`' or a `Workers`') open."""
    return (n_workers >= 2 and n_items >= min_items
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.current_thread() is threading.main_thread()
            and multiprocessing.parent_process() is None
            and _job is None and _pooled is None)


def _chunks(n_items: int, n_workers: int) -> list[tuple[int, int]]:
    size = math.ceil(n_items / (n_workers * CHUNKS_PER_WORKER))
    return [(i, min(i + size, n_items)) for i in range(0, n_items, size)]


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None
    fn, items = _job
    return list(fn(items[bounds[0]:bounds[1]]))


def map_chunks(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], *,
               min_items: int = MIN_ITEMS, n_workers: int | None = None) -> list[R]:
    """`fn(items)` computed chunk by chunk in forked workers when worthwhile.

    `fn` takes a slice of `items` and returns one result per item, in order; it may be a closure
    (it is inherited, not pickled), its results must pickle. An exception in a worker is raised
    here."""
    global _job
    n = min(n_workers or workers(), math.ceil(len(items) / max(1, min_items // 2)))
    if not _worth_forking(n, len(items), min_items):
        return list(fn(items))
    bounds = _chunks(len(items), n)
    _job = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            parts = pool.map(_run, bounds, chunksize=1)
    finally:
        _job = None
    return [r for part in parts for r in part]


# The function of the current `Workers` pool, inherited by its forked workers.
_pooled: Callable[[Sequence[Any]], list[Any]] | None = None


def _run_items(items: Sequence[Any]) -> list[Any]:
    assert _pooled is not None
    return list(_pooled(items))


class Workers:
    """One forked pool for `fn` over several lists: `submit(items)` starts computing
    `fn(items)` and returns a function that waits for the result.

    The pool is forked on the first list of at least `min_items` items (the state `fn` needs
    must be ready by then: it is inherited), and ended on leaving the `with` block. Lists
    are cut into chunks sent to the workers (the items must pickle). Where `map_chunks`
    would not fork, or while another pool is open, lists are computed at once in this
    process: the results are the same, in the same order."""

    def __init__(self, fn: Callable[[Sequence[T]], list[R]], *, min_items: int = MIN_ITEMS,
                 n_workers: int | None = None):
        self.fn, self.min_items = fn, min_items
        self.n = n_workers or workers()
        self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        global _pooled
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
            _pooled = None

    def _open(self, n_items: int) -> bool:
        """The pool, forked now if this list is worth it; False: compute in this process."""
        global _pooled
        if self._pool is None:
            if not _worth_forking(self.n, n_items, self.min_items):
                return False
            _pooled = self.fn
            self._pool = multiprocessing.get_context("fork").Pool(self.n)
        return True

    def submit(self, items: Sequence[T]) -> Callable[[], list[R]]:
        items = list(items)
        if not self._open(len(items)):
            done = list(self.fn(items))
            return lambda: done
        parts = self._pool.map_async(_run_items, [items[a:b] for a, b in
                                                  _chunks(len(items), self.n)], chunksize=1)
        return lambda: [r for part in parts.get() for r in part]
