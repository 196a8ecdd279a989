"""A small seeded queue for the review, export, profile and web tests: records written straight
through ``Store.save_document`` (no PDF processing, no model), plus three accounts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.records import Candidate, Document, DocumentMeta, LanguageGuess, Page, Passage
from pipeline.services import accounts
from pipeline.services.review import sync_items, threshold_resolver
from pipeline.storage.store import Store

MODEL = "zero-shot:use-multilingual:mgi-national@2026.11"  # threshold 0.42
NORVANIA, VALMONT = "Republic of Norvania", "République du Valmont"
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-22", "root": "root-pass-333"}
TRAFFICKING = (
    "Article 9. Victims of trafficking shall receive a renewable residence permit, shelter, medical care "
    "and legal aid, whether or not they cooperate with the authorities."
)

DOCS = [
    {
        "tag": "a",
        "title": "Migration Act 2021",
        "country": NORVANIA,
        "language": "en",
        "pages": [
            "MIGRATION ACT 2021\nArticle 1. Scope\nThis Act governs the admission and stay of foreign nationals.\n"
            "Article 2. Family reunification\nA foreign national lawfully resident for two years may bring his or her "
            "spouse and minor children to live in the Republic.\n",
            "Article 3. Labour agreements\nThe Minister may conclude bilateral agreements on seasonal workers with "
            "countries of origin.\n" + TRAFFICKING + "\nArticle 10. Entry into force\nThis Act enters into force on "
            "the day after its publication.\n",
        ],
        # (page, first words of the span, end marker, [(indicator, score)])
        "passages": [
            (1, "Article 2. Family", "in the Republic.", [("1.2.1", 0.81), ("1.2.2", 0.47)]),
            (2, "Article 3. Labour", "countries of origin.", [("4.3.4", 0.52)]),
            (2, "Article 9. Victims", "with the authorities.", [("6.4.2", 0.44)]),
            (2, "Article 10. Entry", "its publication.", [("2.3.1", 0.43)]),
        ],
    },
    {
        "tag": "b",
        "title": "National Strategy on Migration 2024-2030",
        "country": NORVANIA,
        "language": "en",
        "pages": [
            "NATIONAL STRATEGY\nObjective 4. There is no body that coordinates the ministries on migration; "
            "coordination remains ad hoc.\n" + TRAFFICKING + "\n",
        ],
        "passages": [
            (1, "Objective 4.", "remains ad hoc.", [("2.2.1", 0.58)]),
            (1, "Article 9. Victims", "with the authorities.", [("6.4.2", 0.45)]),
        ],
    },
    {
        "tag": "c",
        "title": "Loi relative à l'entrée et au séjour des étrangers",
        "country": VALMONT,
        "language": "fr",
        "pages": [
            "LOI n° 2023-118\nArticle 12. Le ressortissant étranger qui séjourne régulièrement depuis douze mois "
            "peut demander le regroupement familial.\n",
        ],
        "passages": [
            (1, "Article 12.", "regroupement familial.", [("1.2.1", 0.66)]),
        ],
    },
]


def seed_store(url: str, pdf_dir: Path | None = None, *, users: bool = True) -> Store:
    """A store with three documents, eight candidates and (``users``) the accounts alice and bob
    (analysts) and root (admin); passwords in ``PASSWORDS``."""
    store = Store(url)
    rng = np.random.default_rng(7)
    dup_vector = rng.normal(size=16).astype(np.float32)
    for spec in DOCS:
        sha = (spec["tag"] * 64)[:64]
        path = str((pdf_dir or Path("/nonexistent")) / f"{spec['tag']}.pdf")
        if pdf_dir is not None:
            pdf_dir.mkdir(parents=True, exist_ok=True)
            Path(path).write_bytes(b"%PDF-1.4\n% seeded test file\n%%EOF\n")
        pages = [Page(n, text) for n, text in enumerate(spec["pages"], start=1)]
        doc = Document(
            sha,
            path,
            1000,
            len(pages),
            DocumentMeta(
                title=spec["title"], country=spec["country"], level="national", date="2023-01-01", document_type="law"
            ),
        )
        lang = LanguageGuess(spec["language"], 0.99)
        passages, candidates, vectors = [], [], []
        for idx, (page, start_words, end_words, suggestions) in enumerate(spec["passages"]):
            text = spec["pages"][page - 1]
            start = text.index(start_words)
            end = text.index(end_words, start) + len(end_words)
            p = Passage(sha, idx, page, start, page, end, text[start:end], lang)
            passages.append(p)
            vec = dup_vector if start_words == "Article 9. Victims" else rng.normal(size=16).astype(np.float32)
            vectors.append(vec / np.linalg.norm(vec))
            for rank, (ind, score) in enumerate(suggestions, start=1):
                candidates.append(Candidate(p.passage_id, ind, ind.split(".")[0], score, rank, MODEL))
        store.save_document(doc, pages, lang, passages, np.vstack(vectors), "use-multilingual", candidates)
    sync_items(store, threshold_resolver())
    if users:
        accounts.add_user(store, "alice", PASSWORDS["alice"], "analyst")
        accounts.add_user(store, "bob", PASSWORDS["bob"], "analyst")
        accounts.add_user(store, "root", PASSWORDS["root"], "admin")
    return store


def candidate_id(store: Store, indicator: str, title_part: str = "") -> int:
    """The id of the seeded candidate for ``indicator`` (in the document whose title contains ``title_part``)."""
    rows = [r for r in store.candidates(indicator=indicator, limit=None) if title_part in (r["title"] or "")]
    assert rows, f"no seeded candidate {indicator} {title_part}"
    return rows[0]["id"]


_TEMPLATE: dict[str, Path] = {}


def seeded(tmp_path: Path) -> Store:
    """A fresh copy of the seeded database in ``tmp_path`` (built once per test session: hashing
    the three passwords is the slow part). The seeded PDFs live beside the template."""
    import os
    import shutil
    import tempfile

    if "db" not in _TEMPLATE:
        home = os.environ.get("MGI_HOME")  # the test session's throw-away folder (tests/conftest.py)
        root = Path(tempfile.mkdtemp(prefix="review-seed-", dir=Path(home).parent if home else None))
        seed_store(f"sqlite:///{root / 'seed.db'}", root / "pdfs").engine.dispose()
        _TEMPLATE["db"] = root / "seed.db"
    target = tmp_path / "review.db"
    shutil.copy(_TEMPLATE["db"], target)
    return Store(f"sqlite:///{target}")


def pdf_dir() -> Path:
    return _TEMPLATE["db"].parent / "pdfs"


def mgi(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    """Run the `mgi` command in-process; (exit code, stdout, stderr).

    Goes through ``apps.cli.main``; until the review commands are hooked into its parser
    they are added the way the hook will (``review_cli.add_commands`` after ``learn_cli``'s)."""
    from apps import cli
    from apps.cli import learn as learn_cli
    from apps.cli import review as review_cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    if "serve" not in sub.choices:
        original = learn_cli.add_commands

        def both(s, common):  # noqa: ANN001, ANN202
            original(s, common)
            review_cli.add_commands(s, common)

        learn_cli.add_commands = both
        try:
            code = cli.main(list(argv))
        finally:
            learn_cli.add_commands = original
    else:
        code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
