"""Work spread over forked workers gives what the calling process would, in order."""

from __future__ import annotations

import os
import threading
import time

import pytest

from listening import parallel
from listening.nlp import analyse


def _pids(part):
    return [(x * x, os.getpid()) for x in part]


def _slow_pids(part):
    time.sleep(0.05)  # a chunk lasts long enough that one worker cannot take them all
    return _pids(part)


def test_map_chunks_keeps_order_and_uses_several_processes(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    out = parallel.map_chunks(_slow_pids, list(range(1000)), min_items=10)
    assert [v for v, _ in out] == [x * x for x in range(1000)]
    pids = {p for _, p in out}
    assert os.getpid() not in pids and len(pids) == 2  # the work ran in the two workers


def test_small_lists_one_worker_and_threads_stay_in_process(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    assert {p for _, p in parallel.map_chunks(_pids, list(range(50)), min_items=100)} == {os.getpid()}
    monkeypatch.setenv(parallel.ENV, "1")
    assert {p for _, p in parallel.map_chunks(_pids, list(range(500)), min_items=10)} == {os.getpid()}
    monkeypatch.setenv(parallel.ENV, "2")
    seen = []
    thread = threading.Thread(target=lambda: seen.extend(parallel.map_chunks(_pids, list(range(500)), min_items=10)))
    thread.start()
    thread.join()
    assert {p for _, p in seen} == {os.getpid()}  # the explorer's script threads never fork


def _fails(part):
    if 700 in part:
        raise ValueError("élément 700 illisible")
    return list(part)


def test_a_worker_error_reaches_the_caller(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    with pytest.raises(ValueError, match="700"):
        parallel.map_chunks(_fails, list(range(1000)), min_items=10)
    assert parallel._job is None  # the next call starts clean
    assert parallel.map_chunks(_fails, list(range(10)), min_items=10) == list(range(10))


def test_bad_worker_setting_is_explained(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "deux")
    with pytest.raises(ValueError, match="LISTENING_WORKERS"):
        parallel.workers()


def test_analyse_in_workers_equals_analyse_in_process(monkeypatch):
    texts = [f"Je n'ai pas reçu le versement numéro {i}, j'ai attendu des mois." for i in range(450)]
    monkeypatch.setenv(parallel.ENV, "2")
    forked = analyse(texts)
    monkeypatch.setenv(parallel.ENV, "1")
    assert forked == analyse(texts)
