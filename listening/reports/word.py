"""The Word report « Écoute des usagers — <mission> »: a pure builder over ReportData.

Title page and table of contents, key figures, method (corpus, codebook, coders and agreement,
pseudonymisation, topic model), one chapter per journey (word_journey), annexes (codebook,
documents, memos, traceability table). Every count carries a reference `[Rn]` to the segments
behind it, listed in the traceability annex; every quote names its document and segment.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from io import BytesIO
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK

from ..model import ORIGIN_MANUAL
from .data import MASK_TAGS, MEMO_TARGETS, ReportData, short
from .docx_parts import add_toc, base_document, page_footer
from .word_journey import write_journey
from .wording import agree, enumerate_fr, fr_date, fr_int, fr_num, fr_pct, plural, trim
from .writer import Writer

TYPE_LABELS = {"entretien": ("entretien", "entretiens"), "atelier": ("atelier", "ateliers"),
               "verbatim": ("verbatim", "verbatims")}
FAMILY_LABELS = {"theme": "thème", "valence": "valence", "journey": "parcours", "stage": "étape"}


def build_word(data: ReportData, template: Path | None = None) -> DocxDocument:
    """The report as a python-docx Document (nothing written to disk)."""
    w = Writer(base_document(template), data)
    _properties(w)
    _title_page(w)
    _key_figures(w)
    _method(w)
    for view in data.journeys:
        write_journey(w, view)
    _annexes(w)
    page_footer(w.doc, data.title)
    return w.doc


def word_bytes(data: ReportData, template: Path | None = None) -> bytes:
    buffer = BytesIO()
    build_word(data, template).save(buffer)
    return buffer.getvalue()


def _properties(w: Writer) -> None:
    props = w.doc.core_properties
    props.title = w.data.title
    props.subject = "Écoute des usagers : analyse des verbatims et des parcours"
    props.author = props.last_modified_by = "listening"
    props.language = "fr-FR"
    stamp = datetime.fromisoformat(w.data.as_of).replace(tzinfo=None)
    props.created = props.modified = stamp
    props.revision = 1


def _title_page(w: Writer) -> None:
    d = w.data
    w.para(d.title, style="Title")
    w.para("Analyse des verbatims et des parcours usagers", style="Subtitle")
    w.para(d.project_name, bold="Projet : ")
    w.para(fr_date(d.as_of), bold="Données arrêtées au : ")
    w.para(f"« {d.codebook.name} », version {d.codebook.version}", bold="Livre de codes : ")
    w.para("Document de travail. Les verbatims cités sont pseudonymisés. Chaque chiffre renvoie "
           "par une référence [Rn] aux segments qui le fondent (table de traçabilité en annexe) "
           "et chaque citation indique son document et son segment, à retrouver dans "
           "l'explorateur.")
    w.para("Sommaire", style="TOC Heading")
    add_toc(w.doc)
    w.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _type_counts(data: ReportData) -> str:
    counts = Counter(data.documents["type"])
    return enumerate_fr(plural(n, *TYPE_LABELS.get(t, (t, t))) for t, n in counts.most_common())


def _key_figures(w: Writer) -> None:
    d = w.data
    coded = d.coded[d.coded["coded"]]

    def valence(code: str) -> list[str]:
        having = coded["valences"].map(lambda v: code in v).astype(bool)
        return coded.loc[having, "segment_id"].tolist()

    irritants, positives, suggestions = (valence(f"valence.{v}")
                                         for v in ("irritant", "positif", "suggestion"))
    w.heading("Chiffres clés", 1)
    rows = [
        ["Documents", f"{fr_int(len(d.documents))} ({_type_counts(d)})", ""],
        ["Segments", fr_int(len(d.coded)), ""],
        ["Segments codés", fr_int(len(coded)), w.ref("Segments codés", coded["segment_id"])],
        ["Codages", fr_int(len(d.codings)), w.ref("Segments codés", coded["segment_id"])],
        ["Codeurs", f"{len(d.coders)} ({enumerate_fr(d.coders)})" if d.coders else "0", ""],
        ["Parcours analysés", enumerate_fr(v.journey.label for v in d.journeys) or "aucun", ""],
        ["Segments irritants", fr_int(len(irritants)), w.ref("Irritants", irritants)],
        ["Points d'appui", fr_int(len(positives)), w.ref("Points d'appui", positives)],
        ["Suggestions", fr_int(len(suggestions)), w.ref("Suggestions", suggestions)],
        ["Sujets émergents", fr_int(len(d.topics)), ""],
    ]
    w.table("Chiffres clés du projet", ["Indicateur", "Valeur", "Réf."], rows, [5.0, 9.0, 2.0])
    for view in d.journeys:
        placed = view.stages[view.stages["stage"].notna() & (view.stages["segments"] > 0)]
        if not len(placed):
            continue
        top = placed.sort_values("intensite", ascending=False, kind="stable").iloc[0]
        w.bullet(f" : l'étape la plus irritante est « {top['etape']} » — "
                 f"{fr_pct(top['intensite'])} de ses segments codés sont des irritants "
                 f"({top['irritants']}/{top['segments']}) "
                 f"{w.ref(f'{view.journey.label} — {top.etape} : segments codés', top['segment_ids'])}.",
                 bold=view.journey.label)


def _method(w: Writer) -> None:
    w.heading("Méthodologie", 1)
    _corpus(w)
    _codebook(w)
    _agreement(w)
    _pseudonymisation(w)
    _topics(w)


def _corpus(w: Writer) -> None:
    d = w.data
    docs = d.documents
    dates = sorted(x for x in docs["date"].dropna() if x)
    w.heading("Corpus", 2)
    span = (f", {agree(len(docs), 'daté', 'datés')} du {fr_date(dates[0])} au "
            f"{fr_date(dates[-1])}" if dates else ", sans date renseignée")
    w.para(f"Le corpus compte {plural(len(docs), 'document')} ({_type_counts(d)}){span}, "
           f"{agree(len(docs), 'découpé', 'découpés')} en {plural(len(d.coded), 'segment')} "
           "(unités de codage : un tour de parole, ou une partie d'un tour long).")
    segments = d.coded.groupby("document_id").size()
    table = docs.assign(segs=docs["id"].map(segments).fillna(0).astype(int),
                        parcours=docs["journey"].map(lambda j: d.label(j) if j else "—"),
                        publics=docs["public"].fillna("—"))
    grouped = table.groupby(["type", "parcours", "publics"], sort=True).agg(
        documents=("id", "size"), segments=("segs", "sum")).reset_index()
    w.table("Documents par type, parcours et public", ["Type", "Parcours", "Public", "Documents",
                                                        "Segments"],
            grouped.values.tolist(), [2.6, 5.0, 4.0, 2.2, 2.2])


def _codebook(w: Writer) -> None:
    cb = w.data.codebook
    counts = Counter(c.family for c in cb.codes)
    w.heading("Livre de codes", 2)
    w.para(f"Codage avec le livre de codes « {cb.name} », version {cb.version} : "
           f"{plural(counts['theme'], 'thème')}, {plural(counts['valence'], 'valence')}, "
           f"{plural(counts['journey'], 'parcours', 'parcours')} et "
           f"{plural(counts['stage'], 'étape')}. Les définitions figurent en annexe.")


def _agreement(w: Writer) -> None:
    d = w.data
    w.heading("Codage et accord entre codeurs", 2)
    if not len(d.codings):
        w.para("Aucun segment n'est encore codé.")
        return
    origins = Counter(d.codings["origin"])
    machine = {o: n for o, n in origins.items() if o != ORIGIN_MANUAL}
    text = (f"{plural(len(d.codings), 'codage')} par {plural(len(d.coders), 'codeur')} "
            f"({enumerate_fr(d.coders)}), dont {fr_int(origins.get(ORIGIN_MANUAL, 0))} saisis à "
            "la main")
    if machine:
        text += ", " + enumerate_fr(f"{fr_int(n)} suggestions de « {o} » acceptées"
                                    for o, n in sorted(machine.items()))
    w.para(text + ". Une suggestion automatique ne devient un codage que lorsqu'un codeur "
           "l'accepte.")
    report = d.agreement
    if report is None:
        w.para("Un seul codeur : l'accord entre codeurs n'a pas été mesuré.")
        return
    o = report.overall
    text = f"Codeurs comparés : {enumerate_fr(report.coders)}"
    left_out = [c for c in d.coders if c not in report.coders]
    if left_out:
        names = enumerate_fr(f"« {c} »" for c in left_out)
        text += (f" ; {names} n'est pas comparé : tous ses codages" if len(left_out) == 1 else
                 f" ; {names} ne sont pas comparés : tous leurs codages")
        text += " sont des suggestions acceptées, pas une lecture du texte"
    w.para(text + ".")
    w.para(f"Accord global (tous les codes) : α de Krippendorff = "
           f"{fr_num(o.krippendorff_alpha.value)}, κ de Cohen moyen = "
           f"{fr_num(o.cohen_kappa.mean)}, accord observé = {fr_pct(o.percent_agreement.value)}"
           f", sur {plural(o.compared, 'unité comparée', 'unités comparées')}. Règle : "
           f"{report.rule}.")
    rows = [[c.code_id, c.label, c.agreement.compared,
             fr_pct(c.agreement.percent_agreement.value), fr_num(c.agreement.cohen_kappa.mean),
             fr_num(c.agreement.krippendorff_alpha.value)]
            for c in report.codes if c.agreement.compared]
    w.table("Accord entre codeurs par code", ["Code", "Libellé", "Unités", "% accord",
                                              "κ de Cohen", "α de Krippendorff"],
            rows, [4.8, 3.6, 1.6, 1.8, 1.8, 2.6])


def _pseudonymisation(w: Writer) -> None:
    p = w.data.pseudonymisation
    w.heading("Pseudonymisation", 2)
    text = (f"{plural(p.pseudonymised, 'document')} sur {fr_int(p.documents)} "
            f"{agree(p.pseudonymised, 'a été pseudonymisé', 'ont été pseudonymisés')} avant "
            "tout stockage")
    text += f" ({plural(p.entities, 'identifiant masqué', 'identifiants masqués')})." \
        if p.entities else "."
    w.para(text)
    if p.tags:
        w.para("Types d'identifiants remplacés par une étiquette dans les textes : "
               + enumerate_fr(f"{MASK_TAGS[t]} ({fr_int(n)})" for t, n in p.tags.items()) + ".")
    if p.persons:
        w.para(f"{plural(p.persons, 'personne')} {agree(p.persons, 'reçoit', 'reçoivent')} un "
               "pseudonyme stable d'un document à l'autre.")
    w.para("La table de correspondance entre identités réelles et pseudonymes n'est pas "
           "conservée : le projet ne garde qu'une empreinte chiffrée (HMAC) de chaque nom, qui "
           "sert à donner le même pseudonyme à la même personne.")
    missing = p.documents - p.pseudonymised
    if missing:
        verb = agree(missing, "n'a pas été pseudonymisé", "n'ont pas été pseudonymisés")
        w.para(f"Attention : {plural(missing, 'document')} {verb} par l'outil ; vérifiez-les "
               "avant toute diffusion.")


def _topics(w: Writer) -> None:
    run = w.data.topics_run
    w.heading("Thèmes émergents (modèle de sujets)", 2)
    if run is None:
        w.para("Aucun modèle de sujets n'a été exécuté pour ce projet.")
        return
    params = run["params"]
    shown = {"embedder": "représentation", "seed": "graine", "valence": "segments retenus",
             "min_topic_size": "taille minimale d'un sujet", "top_n_words": "mots par sujet"}
    values = enumerate_fr(f"{label} : {params[key] if params.get(key) is not None else 'auto'}"
                          for key, label in shown.items() if key in params)
    w.para(f"Modèle de sujets (BERTopic, par parcours puis par étape) exécuté le "
           f"{fr_date(run['started_at'])} avec listening {run['version']} ; paramètres : "
           f"{values}. {plural(len(w.data.topics), 'sujet retenu', 'sujets retenus')}. Un sujet regroupe des "
           "segments irritants proches ; son libellé est formé de ses mots les plus "
           "caractéristiques et reste à interpréter.")


def _annexes(w: Writer) -> None:
    d = w.data
    w.heading("Annexes", 1)
    w.heading("Livre de codes", 2)
    rows = [[c.id, c.label, FAMILY_LABELS.get(c.family, c.family),
             trim(c.definition or c.description, 400)] for c in d.codebook.codes]
    w.table(f"Livre de codes « {d.codebook.name} » (version {d.codebook.version})",
            ["Code", "Libellé", "Famille", "Définition"], rows, [4.4, 3.4, 1.8, 6.8])
    w.heading("Liste des documents", 2)
    docs = d.documents
    rows = [[r.external_id, r.name, r.type, d.label(r.journey) if r.journey else "—",
             r.public or "—", r.territory or "—", r.date or "—", r.segments,
             "oui" if r.pseudonymised else "non"] for r in docs.itertuples()]
    w.table("Documents du corpus", ["Document", "Fichier", "Type", "Parcours", "Public",
                                    "Territoire", "Date", "Segments", "Pseudonymisé"], rows,
            [1.8, 3.0, 1.5, 2.2, 2.0, 1.6, 1.7, 1.3, 1.3], font_size=7.5)
    if len(d.memos):
        w.heading("Mémos des codeurs", 2)
        rows = [[MEMO_TARGETS.get(m.target_kind, m.target_kind), _memo_target(d, m), m.coder,
                 trim(m.text, 500)] for m in d.memos.itertuples()]
        w.table("Mémos", ["Sur", "Cible", "Codeur", "Texte"], rows, [1.8, 4.0, 2.0, 8.6])
    _traceability(w)


def _memo_target(d: ReportData, memo) -> str:
    if memo.target_kind == "segment":
        row = d.segment_index.get(memo.target_id)
        return f"{row['document']}, seg. {short(memo.target_id)}" if row else memo.target_id
    if memo.target_kind == "document":
        match = d.documents[d.documents["id"] == memo.target_id]
        return match.iloc[0]["external_id"] if len(match) else memo.target_id
    return memo.target_id or d.project_name


def _traceability(w: Writer) -> None:
    w.heading("Table de traçabilité", 2)
    w.para("Chaque référence [Rn] du rapport renvoie ici aux segments qu'elle compte "
           "(identifiants abrégés aux 8 premiers caractères ; recherchez-les dans l'explorateur "
           "ou dans la feuille Segments du classeur Excel).")
    rows = [[label, what, ", ".join(short(i) for i in ids)] for label, what, ids in w.trace.rows]
    w.table("Références et segments", ["Réf.", "Objet", "Segments"], rows, [1.4, 5.0, 10.0],
            font_size=7)
