"""The durable queue: documents, pages, passages, embeddings, candidates and runs in a database.

SQLite (WAL mode) by default; PostgreSQL (``postgresql+psycopg://...``) or any SQLAlchemy URL
through ``MGI_DB_URL``. The schema is managed by Alembic migrations (``pipeline/storage/migrations``),
applied when a ``Store`` opens the database (or by ``mgi db upgrade``).

Consistency rules, which hold on every backend and survive ``kill -9`` at any point:

* a document and everything derived from it (pages, passages, embeddings, candidates) is written
  in one transaction, so an interrupted run never leaves half a document visible, and a document
  already stored (same SHA-256) is never stored twice;
* an attempt at a document is counted (and the document marked ``processing``) in its own
  transaction before the work starts, so a file that crashes the process is not retried forever:
  after ``max_attempts`` attempts (failed or interrupted) it is parked with its reason;
* a run that died leaves its ``runs`` row ``running``; the next run (or ``mgi status``) marks it
  ``interrupted`` and turns its ``processing`` documents into failed attempts;
* candidates are only ever added (unique per passage, indicator and model version); an analyst's
  decision on a candidate is never overwritten by the pipeline.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from pipeline.config import db_auto_upgrade
from pipeline.records import (
    Candidate,
    Document,
    DocumentMeta,
    DocumentStatus,
    LanguageGuess,
    Page,
    Passage,
)
from pipeline.storage.engine import DatabaseUnavailable, make_engine
from pipeline.storage.queries import QueueQueries, candidate_row
from pipeline.storage.tables import (
    RUN_FINISHED,
    RUN_INTERRUPTED,
    RUN_RUNNING,
    DocumentRow,
    EmbeddingRow,
    PageRow,
    PassageRow,
    RunRow,
    now,
)

MAX_ATTEMPTS = 3  # default: a document failing this many runs is parked until its file changes
PROCESSING = "processing"  # a document some run is working on (or was, when that run died)
STALE_AFTER = timedelta(minutes=15)  # a running run with no heartbeat for this long is presumed dead


def _clean(text: str | None) -> str | None:
    """PostgreSQL cannot store NUL characters; a same-length stand-in keeps every offset valid."""
    return text.replace("\x00", "\ufffd") if text and "\x00" in text else text


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


HOST = socket.gethostname()


class Store(QueueQueries):
    """The database of one deployment. ``max_attempts``: failed (or interrupted) attempts after which a
    document is parked; ``upgrade``: apply pending schema migrations on opening (default: yes, unless
    ``MGI_DB_AUTO_UPGRADE=0``, in which case an out-of-date schema is an error naming `mgi db upgrade`)."""

    def __init__(
        self,
        url: str,
        *,
        max_attempts: int | None = None,
        upgrade: bool | None = None,
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        from pipeline.storage.migrations import ensure_schema

        self.url = url
        self.max_attempts = int(max_attempts or MAX_ATTEMPTS)
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        self.stale_after = stale_after
        self.engine = make_engine(url)
        if upgrade is None:
            upgrade = db_auto_upgrade()
        try:
            ensure_schema(self.engine, upgrade=upgrade)
        except (OperationalError, InterfaceError) as err:
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            raise DatabaseUnavailable(
                f"cannot open the database {self.display_url}: {reason} (check MGI_DB_URL and that the server runs)"
            ) from None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The database URL without its password, for messages and summaries."""
        return self.engine.url.render_as_string(hide_password=True)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A read-then-write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so
        concurrent writers (several runs, Dask workers) queue on the busy timeout instead of failing when
        a read snapshot turns stale; elsewhere it is an ordinary transaction. Commits on success."""
        with self.session() as s:
            if self.dialect == "sqlite":
                s.connection().exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    # ------------------------------------------------------------------ runs
    def start_run(self, params: dict[str, Any], kind: str = "process") -> int:
        """Record a new run (first marking runs that died as interrupted); returns its id."""
        self.mark_stale_runs()
        with self.write() as s:
            run = RunRow(
                kind=kind,
                params=json.loads(json.dumps(params, default=str)),
                status=RUN_RUNNING,
                host=HOST,
                pid=os.getpid(),
                heartbeat_at=now(),
            )
            s.add(run)
            s.flush()
            return run.id

    def heartbeat(self, run_id: int) -> None:
        with self.write() as s:
            s.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RUN_RUNNING)
                .values(heartbeat_at=now())
                .execution_options(synchronize_session=False)
            )

    def finish_run(self, run_id: int, summary: dict[str, Any], status: str = RUN_FINISHED) -> None:
        with self.write() as s:
            run = s.get(RunRow, run_id)
            run.finished_at, run.status = now(), status
            run.summary = json.loads(json.dumps(summary, default=str))
            s.execute(  # documents this run left half-way (an exception in the run itself) are failed attempts
                update(DocumentRow)
                .where(DocumentRow.status == PROCESSING, DocumentRow.run_id == run_id)
                .values(
                    status=DocumentStatus.FAILED.value, reason=f"run #{run_id} ended ({status}) before finishing it"
                )
                .execution_options(synchronize_session=False)
            )

    def _is_stale(self, run: RunRow, at: datetime) -> bool:
        beat = run.heartbeat_at or run.started_at
        if beat is not None and at - beat > self.stale_after:
            return True
        if run.host == HOST and run.pid is not None and run.pid != os.getpid():
            return not _pid_alive(run.pid)
        return False

    def mark_stale_runs(self) -> list[int]:
        """Runs left ``running`` by a process that died (same host: its pid is gone; anywhere: no heartbeat
        for ``stale_after``) become ``interrupted``; the documents they were working on become failed
        attempts (parked once they reach ``max_attempts``). Returns the ids of the runs marked."""
        at = now()
        with self.session() as s:
            running = list(s.scalars(select(RunRow).where(RunRow.status == RUN_RUNNING)))
        stale = [r.id for r in running if self._is_stale(r, at)]
        # documents left "processing" by a run that is no longer running (e.g. marked by another process)
        with self.session() as s:
            orphans = s.execute(
                select(DocumentRow.run_id)
                .outerjoin(RunRow, RunRow.id == DocumentRow.run_id)
                .where(DocumentRow.status == PROCESSING)
                .where((RunRow.id.is_(None)) | (RunRow.status != RUN_RUNNING))
                .distinct()
            ).scalars()
            dead = set(stale) | {r for r in orphans if r is not None}
            unowned = s.scalar(  # (not written by this code, but a hand-edited row must not stay "processing")
                select(func.count())
                .select_from(DocumentRow)
                .where(DocumentRow.status == PROCESSING, DocumentRow.run_id.is_(None))
            )
        if not dead and not unowned:
            return []
        with self.write() as s:
            for run_id in stale:
                run = s.get(RunRow, run_id)
                if run is None or run.status != RUN_RUNNING:
                    continue
                run.status, run.finished_at = RUN_INTERRUPTED, at
                run.summary = {**(run.summary or {}), "interrupted": f"marked interrupted at {at:%Y-%m-%d %H:%M:%S}"}
            for row in s.scalars(
                select(DocumentRow).where(
                    DocumentRow.status == PROCESSING, DocumentRow.run_id.in_(dead) | DocumentRow.run_id.is_(None)
                )
            ):
                parked = row.attempts >= self.max_attempts
                row.status = (DocumentStatus.PARKED if parked else DocumentStatus.FAILED).value
                row.reason = f"run #{row.run_id} was interrupted while processing this document" + (
                    f" ({row.attempts} attempts: the file may crash or exhaust the reader; parked until it changes or "
                    "`mgi unpark` is run)"
                    if parked
                    else "; it is tried again on the next run"
                )
        return stale

    # ------------------------------------------------------------------ documents
    def document_state(self, sha256: str) -> tuple[str, int] | None:
        with self.session() as s:
            row = s.get(DocumentRow, sha256)
            return (row.status, row.attempts) if row else None

    def _verdict(self, status: str, attempts: int) -> tuple[bool, str | None]:
        if status == DocumentStatus.PROCESSED.value:
            return False, "already processed"
        if attempts >= self.max_attempts:  # (a document parked under a lower limit is tried again)
            return False, f"parked after {attempts} failed attempts"
        return True, None

    def should_process(self, sha256: str) -> tuple[bool, str | None]:
        """Whether a file must be processed; if not, why (stored already, or parked)."""
        state = self.document_state(sha256)
        if state is None:
            return True, None
        return self._verdict(*state)

    def triage(self, shas: Iterable[str]) -> dict[str, tuple[bool, str | None]]:
        """``should_process`` for many documents in a few queries (what an unchanged re-run mostly does)."""
        wanted = list(dict.fromkeys(shas))
        out: dict[str, tuple[bool, str | None]] = {sha: (True, None) for sha in wanted}
        with self.session() as s:
            for i in range(0, len(wanted), 500):
                for sha, status, attempts in s.execute(
                    select(DocumentRow.sha256, DocumentRow.status, DocumentRow.attempts).where(
                        DocumentRow.sha256.in_(wanted[i : i + 500])
                    )
                ):
                    out[sha] = self._verdict(status, attempts or 0)
        return out

    def begin_attempt(
        self,
        path: str,
        sha256: str,
        run_id: int,
        meta: DocumentMeta | None = None,
        size_bytes: int = 0,
    ) -> tuple[bool, str | None]:
        """Count an attempt at a document and mark it ``processing`` by ``run_id``, in its own transaction,
        before any work is done. Returns (go ahead?, why not)."""
        with self.write() as s:
            row = s.get(DocumentRow, sha256)
            if row is not None:
                go, why = self._verdict(row.status, row.attempts or 0)
                if not go:
                    return go, why
                if row.status == PROCESSING and row.run_id not in (None, run_id):
                    other = s.get(RunRow, row.run_id)
                    if other is not None and other.status == RUN_RUNNING:
                        return False, f"being processed by run #{row.run_id}"
            else:
                row = DocumentRow(sha256=sha256, path=path, filename=Path(path).name, size_bytes=size_bytes, attempts=0)
                _apply_meta(row, meta or DocumentMeta())
                s.add(row)
            row.attempts = (row.attempts or 0) + 1
            row.path, row.filename = path, Path(path).name
            row.size_bytes = size_bytes or row.size_bytes or 0
            row.status, row.run_id = PROCESSING, run_id
            row.reason = f"being processed by run #{run_id}"
            return True, None

    @staticmethod
    def _counted(row: DocumentRow, run_id: int | None) -> bool:
        """Whether this run already counted its attempt at the document (``begin_attempt``)."""
        return run_id is not None and row.status == PROCESSING and row.run_id == run_id

    def record_failure(
        self,
        path: str,
        sha256: str,
        reason: str,
        meta: DocumentMeta | None = None,
        size_bytes: int = 0,
        run_id: int | None = None,
    ) -> str:
        """Store a failed attempt (never touching stored passages); returns the new status."""
        meta = meta or DocumentMeta()
        with self.write() as s:
            row = s.get(DocumentRow, sha256)
            if row is not None and row.status == DocumentStatus.PROCESSED.value:
                return row.status  # another worker stored it meanwhile: a late failure must not undo that
            if row is None:
                row = DocumentRow(
                    sha256=sha256,
                    path=path,
                    filename=Path(path).name,
                    size_bytes=size_bytes,
                    attempts=0,
                    status=DocumentStatus.FAILED.value,
                )
                _apply_meta(row, meta)
                s.add(row)
            if not self._counted(row, run_id):
                row.attempts = (row.attempts or 0) + 1
            row.path, row.reason = path, _clean(reason)
            row.run_id = run_id if run_id is not None else row.run_id
            row.status = (DocumentStatus.PARKED if row.attempts >= self.max_attempts else DocumentStatus.FAILED).value
            return row.status

    def unpark(self, sha_prefix: str | None = None) -> int:
        """Give parked (or failed) documents a fresh set of attempts: all of them, or those whose SHA-256
        starts with ``sha_prefix`` or whose file name equals it. Returns how many."""
        with self.write() as s:
            q = select(DocumentRow).where(
                DocumentRow.status.in_([DocumentStatus.PARKED.value, DocumentStatus.FAILED.value])
            )
            if sha_prefix:
                q = q.where(DocumentRow.sha256.startswith(sha_prefix.lower()) | (DocumentRow.filename == sha_prefix))
            rows = list(s.scalars(q))
            for row in rows:
                row.attempts, row.status = 0, DocumentStatus.FAILED.value
                row.reason = f"unparked (was: {row.reason})" if row.reason else "unparked"
            return len(rows)

    def save_document(
        self,
        doc: Document,
        pages: Sequence[Page],
        language: LanguageGuess,
        passages: Sequence[Passage],
        embeddings: np.ndarray | None,
        encoder_name: str,
        candidates: Iterable[Candidate],
        run_id: int | None = None,
    ) -> int:
        """Write a processed document and everything derived from it in one transaction."""
        cands = list(candidates)
        if embeddings is not None and len(embeddings) != len(passages):
            raise ValueError(f"{len(embeddings)} embeddings for {len(passages)} passages")
        with self.write() as s:
            row = s.get(DocumentRow, doc.sha256)
            if row is not None and row.status == DocumentStatus.PROCESSED.value:
                return 0  # another worker got there first
            if row is None:
                row = DocumentRow(sha256=doc.sha256, attempts=0)
                s.add(row)
            if not self._counted(row, run_id):
                row.attempts = (row.attempts or 0) + 1
            row.path, row.filename, row.size_bytes = doc.path, Path(doc.path).name, doc.size_bytes
            _apply_meta(row, doc.meta)
            row.language, row.language_prob = language.code, language.probability
            row.n_pages, row.ocr_pages = doc.n_pages, sum(p.ocr for p in pages)
            row.n_passages, row.n_candidates = len(passages), len(cands)
            row.status, row.reason = DocumentStatus.PROCESSED.value, None
            row.run_id = run_id if run_id is not None else row.run_id
            s.flush()
            s.add_all(
                PageRow(
                    document_sha256=doc.sha256,
                    number=p.number,
                    text=_clean(p.text),
                    removed_lines=p.removed_lines,
                    ocr=p.ocr,
                )
                for p in pages
            )
            s.add_all(
                PassageRow(
                    id=p.passage_id,
                    document_sha256=doc.sha256,
                    idx=p.index,
                    page=p.page,
                    char_start=p.char_start,
                    page_end=p.page_end,
                    char_end=p.char_end,
                    text=_clean(p.text),
                    language=p.language.code,
                    language_prob=p.language.probability,
                    heading=_clean(p.heading),
                )
                for p in passages
            )
            s.flush()
            if embeddings is not None:
                s.add_all(
                    EmbeddingRow(
                        passage_id=p.passage_id, encoder=encoder_name, vector=np.asarray(v, dtype=np.float32).tobytes()
                    )
                    for p, v in zip(passages, embeddings, strict=True)
                )
            s.add_all(candidate_row(c, run_id) for c in cands)
        return len(cands)


def _apply_meta(row: DocumentRow, meta: DocumentMeta) -> None:
    row.title = meta.title or row.title or Path(row.path or "").stem
    row.country, row.level, row.date = meta.country or row.country, meta.level or row.level, meta.date or row.date
    row.source_url = meta.source_url or row.source_url
    row.document_type = meta.document_type or row.document_type
