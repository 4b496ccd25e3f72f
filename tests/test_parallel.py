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


def test_one_pool_for_several_lists_keeps_each_in_order(monkeypatch):
    """`Workers` forks once: lists submitted one after the other (the next one before the
    previous is collected) come back whole and in order, computed in the two workers; a
    list too small to be worth forking is computed here until the pool exists."""
    monkeypatch.setenv(parallel.ENV, "2")
    with parallel.Workers(_slow_pids, min_items=10) as pool:
        small = pool.submit(range(5))
        first = pool.submit(range(100))
        second = pool.submit(range(100, 300))
        assert [v for v, _ in second()] == [x * x for x in range(100, 300)]
        firsts = first()
        assert [v for v, _ in firsts] == [x * x for x in range(100)]
        assert {p for _, p in small()} == {os.getpid()}
        pids = {p for _, p in firsts + second()}
        assert os.getpid() not in pids and len(pids) == 2
        later = pool.submit(range(3))()  # once the pool is open, every list goes to it
        assert os.getpid() not in {p for _, p in later}
        # while the pool is open, map_chunks does not fork a second one
        assert {p for _, p in parallel.map_chunks(_pids, list(range(500)), min_items=10)} == {os.getpid()}
    assert parallel._pooled is None
    monkeypatch.setenv(parallel.ENV, "1")
    with parallel.Workers(_pids, min_items=10) as pool:
        assert {p for _, p in pool.submit(range(500))()} == {os.getpid()}


def test_a_pooled_worker_error_reaches_the_caller(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    with parallel.Workers(_fails, min_items=10) as pool:
        good = pool.submit(range(100))
        bad = pool.submit(range(650, 750))
        assert good() == list(range(100))
        with pytest.raises(ValueError, match="700"):
            bad()
    assert parallel._pooled is None


def _ingest(root, workers, monkeypatch):
    from listening.ingestion import ingest_paths
    from listening.projects import create_project
    from listening.store import pseudonym_rows, segments_frame

    monkeypatch.setenv(parallel.ENV, workers)
    project, _ = create_project(root / f"projet-{workers}")
    report = ingest_paths(project, [root / "verbatims"], pseudonymise=True)
    frame = segments_frame(project).sort_values(["document", "start"])
    return report, frame["text"].tolist(), sorted(label for _, _, label in pseudonym_rows(project))


def test_ingestion_on_a_pool_stores_what_one_process_stores(tmp_path, monkeypatch):
    """Two verbatim tables of 120 rows: two batches, the second detected while the first is
    stored. The same names get the same pseudonyms, numbered in the same order, as when
    everything runs in one process."""
    folder = tmp_path / "verbatims"
    folder.mkdir()
    names = ["Julie Marchand", "Karim Benali", "Sophie Lenoir", "Thomas Girard", "Nadia Haddad"]
    for table in (1, 2):
        rows = ["id,verbatim"] + [
            f'T{table}-{i},"Mme {names[(i + table) % 5]} m\'a aidée pour le dossier {i}, '
            f'appelez-la au 06 12 34 {i % 90 + 10:02d} {table}{i % 9}."'
            for i in range(120)]
        (folder / f"table{table}.csv").write_text("\n".join(rows), encoding="utf-8")
    opened = []
    real_open = parallel.Workers._open
    monkeypatch.setattr(parallel.Workers, "_open",
                        lambda self, n: opened.append(real_open(self, n)) or opened[-1])
    forked = _ingest(tmp_path, "2", monkeypatch)
    assert opened and all(opened)  # the batches did go to the pool
    single = _ingest(tmp_path, "1", monkeypatch)
    assert len(forked[0].ingested) == 240 and not forked[0].failed
    assert forked[1] == single[1]
    assert forked[2] == single[2]
    assert not any(n in t for t in forked[1] for n in names)  # and the names are masked
    assert len({t.split("m'a")[0] for t in forked[1]}) == 5  # five people, five pseudonyms
