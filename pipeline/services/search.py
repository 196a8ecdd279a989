"""Semantic search over stored passages, across languages, with a persistent vector index.

The corpus is never re-encoded for a query: the index is built from the ``embeddings`` table (the
float32 vectors ``mgi run`` stored per passage and encoder) and only the query is encoded, with
the *same* encoder, so an English query lands next to French and Spanish passages that say the
same thing (the multilingual encoders map translations close together).

The index is a FAISS HNSW graph over inner products (the stored vectors are L2-normalised, so
that is a cosine). It lives under ``MGI_HOME/index/<encoder>/`` as ``<generation>-<count>.faiss``;
the database holds the bookkeeping (tables ``search_indexes`` and ``search_index_entries``: which
generation and count are current, and which passage sits at which index position), so filters
(country, language, domain) are SQL joins and a result's position maps back to its passage
without holding a million ids in memory.

``sync()`` keeps the index current: passages stored since the last sync are added incrementally;
the index is rebuilt when its file is missing or unreadable, when the database has no record of
it (another database, or a first run), when the vectors changed dimension, or on request. A new
file is written (temporary name, then rename) before the database points at it, and the old one
is removed only after, so a crash at any point leaves a usable index behind. Writers take a
file lock, so the web app and the CLI can sync at the same time.

A search result can be sent to the review queue as evidence for an indicator the classifier
missed: a candidate with ``model_version`` ``search:<encoder>``, its ``score`` the cosine
similarity of the query and the passage, and a provenance row (``search_sends``: the query, who,
when, from where).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from pipeline.errors import MgiError
from pipeline.services.search_hits import Highlight, SearchHit, SyncReport, passage_suggestions, sentence_spans
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    INDEX_KIND,
    Base,
    CandidateRow,
    DocumentRow,
    EmbeddingRow,
    PassageRow,
    SearchEntryRow,
    SearchIndexRow,
    now,
)

HNSW_M = 32  # graph degree: memory ~ 2*M*4 bytes per vector on top of the vectors themselves
EF_CONSTRUCTION = 40
EF_SEARCH = 128
EXACT_MAX = 20_000  # a filter leaving at most this many passages is answered exactly
BATCH = 20_000
SYNC_EVERY_S = 10.0


class SearchError(MgiError, ValueError):
    """Something the user can fix (no embeddings yet, unknown encoder, bad filter); one line."""


def repair_bookkeeping(store: Store) -> None:
    """The migrations create the search tables; index bookkeeping of an older shape (a database
    that had them before the migrations) is dropped and made again, once per store: it only
    describes the index, which is then rebuilt. The provenance table is never touched."""
    if getattr(store, "_search_bookkeeping_checked", False):
        return
    from sqlalchemy import inspect

    insp = inspect(store.engine)
    if insp.has_table(SearchEntryRow.__tablename__):
        have = {c["name"] for c in insp.get_columns(SearchEntryRow.__tablename__)}
        if not {c.name for c in SearchEntryRow.__table__.columns} <= have:
            bookkeeping = [SearchEntryRow.__table__, SearchIndexRow.__table__]
            Base.metadata.drop_all(store.engine, tables=bookkeeping)
            Base.metadata.create_all(store.engine, tables=bookkeeping)
    store._search_bookkeeping_checked = True  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- encoders in the store


def stored_encoders(store: Store) -> dict[str, int]:
    """Encoders that have stored embeddings, with how many passages each."""
    with store.session() as s:
        rows = s.execute(select(EmbeddingRow.encoder, func.count()).group_by(EmbeddingRow.encoder)).all()
    return {name: n for name, n in sorted(rows, key=lambda r: -r[1])}


def choose_encoder(store: Store, requested: str | None = None) -> str:
    """The encoder whose stored embeddings a search uses: the one asked for, else the one with the
    most stored passages."""
    have = stored_encoders(store)
    if not have:
        raise SearchError("no stored passage embeddings yet: run `mgi run FOLDER` first")
    if requested:
        if requested not in have:
            listing = ", ".join(f"{k} ({v} passages)" for k, v in have.items())
            raise SearchError(f"no stored embeddings from encoder {requested!r}; the database has: {listing}")
        return requested
    return next(iter(have))


def index_dir(home: Path, encoder: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder).strip("_")[:60] or "encoder"
    if safe != encoder:
        safe += "-" + hashlib.sha1(encoder.encode()).hexdigest()[:8]
    return Path(home) / "index" / safe


def _index_key(encoder: str, folder: Path) -> str:
    return hashlib.sha1(f"{encoder}\0{Path(folder).resolve()}".encode()).hexdigest()[:40]


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise SearchError("semantic search needs the faiss-cpu package: pip install faiss-cpu") from err
    return faiss


@contextlib.contextmanager
def _file_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: single writer assumed
        yield
        return
    with open(folder / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the index


class SemanticSearch:
    """Search the passages of one store with one encoder's stored embeddings.

    ``encoder`` may be given (an object with ``name``, ``dim`` and ``encode``) to avoid loading one
    by name, e.g. in tests; otherwise ``pipeline.stages.embed.get_encoder(encoder_name)`` loads it when
    the first query arrives."""

    def __init__(
        self,
        store: Store,
        home: Path,
        encoder_name: str | None = None,
        *,
        encoder: Any = None,
        ef_search: int = EF_SEARCH,
        m: int = HNSW_M,
        ef_construction: int = EF_CONSTRUCTION,
    ) -> None:
        repair_bookkeeping(store)
        self.store = store
        self.home = Path(home)
        self.encoder_name = choose_encoder(store, encoder_name or (encoder.name if encoder is not None else None))
        self._encoder = encoder
        self.folder = index_dir(self.home, self.encoder_name)
        self.key = _index_key(self.encoder_name, self.folder)
        self.ef_search, self.m, self.ef_construction = ef_search, m, ef_construction
        self._index: Any = None
        self._loaded: tuple[str, int] | None = None  # (generation, count) held in memory
        self._dim: int | None = None
        self._last_sync = 0.0
        self._lock = threading.RLock()
        self._filter_cache: dict[tuple, tuple[Any, np.ndarray]] = {}

    # ------------------------------------------------------------------ encoder

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from pipeline.stages.embed import get_encoder

            self._encoder = get_encoder(self.encoder_name)
        return self._encoder

    def encode_query(self, text: str) -> np.ndarray:
        vec = np.asarray(self.encoder.encode([text]), dtype=np.float32)[0]
        if self._dim is not None and vec.shape[0] != self._dim:
            raise SearchError(
                f"encoder {self.encoder_name!r} gives {vec.shape[0]}-d vectors but the stored ones are "
                f"{self._dim}-d: rebuild with `mgi search-index --rebuild`"
            )
        return vec / max(float(np.linalg.norm(vec)), 1e-12)

    # ------------------------------------------------------------------ bookkeeping

    def _row(self) -> SearchIndexRow | None:
        with self.store.session() as s:
            return s.get(SearchIndexRow, self.key)

    def _stored_count(self) -> int:
        with self.store.session() as s:
            return (
                s.scalar(
                    select(func.count()).select_from(EmbeddingRow).where(EmbeddingRow.encoder == self.encoder_name)
                )
                or 0
            )

    def _file(self, generation: str, count: int) -> Path:
        return self.folder / f"{generation}-{count}.faiss"

    def status(self) -> dict[str, Any]:
        row = self._row()
        stored = self._stored_count()
        return {
            "encoder": self.encoder_name,
            "stored_embeddings": stored,
            "indexed": row.count if row else 0,
            "up_to_date": bool(row and row.count == stored and self._file(row.generation, row.count).is_file()),
            "path": str(self._file(row.generation, row.count)) if row else None,
            "kind": row.kind if row else None,
            "dim": row.dim if row else None,
            "updated_at": row.updated_at.isoformat(timespec="seconds") if row else None,
        }

    # ------------------------------------------------------------------ sync

    def sync(self, rebuild: bool = False) -> SyncReport:
        """Bring the index up to date with the stored embeddings (see the module docstring)."""
        t0 = time.perf_counter()
        with self._lock, _file_lock(self.folder):
            report = self._sync(rebuild)
            self._last_sync = time.monotonic()
        report.seconds = time.perf_counter() - t0
        return report

    def ensure_fresh(self, max_age_s: float = SYNC_EVERY_S) -> None:
        """For long-lived processes: a full sync (which counts the stored embeddings) at most every
        ``max_age_s`` seconds; in between, one cheap look at the bookkeeping row, so an index another
        process extended or rebuilt is picked up before its positions are used."""
        if self._index is None or time.monotonic() - self._last_sync > max_age_s:
            self.sync()
            return
        row = self._row()
        if row is None or (row.generation, row.count) != self._loaded:
            self.sync()

    def _sync(self, rebuild: bool) -> SyncReport:
        if rebuild:
            return self._rebuild("rebuild requested")
        row = self._row()
        if row is None:
            return self._rebuild("no index yet")
        if row.kind != INDEX_KIND:
            return self._rebuild(f"index kind {row.kind} is not {INDEX_KIND}")
        stored = self._stored_count()
        if stored < row.count:
            return self._rebuild(f"the database holds fewer embeddings ({stored}) than the index ({row.count})")
        action = "up to date"
        if self._loaded != (row.generation, row.count):
            path = self._file(row.generation, row.count)
            if not path.is_file():
                return self._rebuild(f"index file {path.name} is missing")
            try:
                index = _faiss().read_index(str(path))
            except Exception as err:  # a damaged file: rebuild rather than fail
                return self._rebuild(f"index file {path.name} is unreadable ({type(err).__name__})")
            with self.store.session() as s:
                n_entries = s.scalar(
                    select(func.count()).select_from(SearchEntryRow).where(SearchEntryRow.key == self.key)
                )
            if index.ntotal != row.count or n_entries != row.count or index.d != row.dim:
                return self._rebuild("index file and database bookkeeping disagree")
            self._index, self._loaded, self._dim = index, (row.generation, row.count), row.dim
            action = "loaded"
        if stored == row.count:
            return SyncReport(self.encoder_name, action, row.count, path=str(self._file(row.generation, row.count)))
        try:
            return self._add_new(row)
        except Exception:
            self._index = self._loaded = None  # the in-memory index may hold vectors the database never recorded
            raise

    def _vectors(self, only_new: bool) -> Iterator[tuple[list[dict[str, Any]], np.ndarray]]:
        """Stored vectors in batches with their entries (passage id, language, document);
        ``only_new``: those not in the index yet."""
        last = ""
        while True:
            q = (
                select(EmbeddingRow.passage_id, EmbeddingRow.vector, PassageRow.language, PassageRow.document_sha256)
                .join(PassageRow, PassageRow.id == EmbeddingRow.passage_id)
                .where(EmbeddingRow.encoder == self.encoder_name, EmbeddingRow.passage_id > last)
            )
            if only_new:
                q = q.where(
                    ~exists().where(
                        SearchEntryRow.key == self.key, SearchEntryRow.passage_id == EmbeddingRow.passage_id
                    )
                )
            with self.store.session() as s:
                rows = s.execute(q.order_by(EmbeddingRow.passage_id).limit(BATCH)).all()
            if not rows:
                return
            dims = {len(r[1]) for r in rows}
            if len(dims) != 1:
                raise SearchError(
                    f"stored embeddings of encoder {self.encoder_name!r} have different sizes "
                    f"({sorted(d // 4 for d in dims)}-d): re-run the documents with one encoder"
                )
            entries = [
                {"key": self.key, "passage_id": pid, "language": lang, "document_sha256": sha}
                for pid, _v, lang, sha in rows
            ]
            vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            yield entries, vecs
            last = rows[-1][0]

    def _new_index(self, dim: int) -> Any:
        faiss = _faiss()
        index = faiss.IndexHNSWFlat(dim, self.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        return index

    def _write(self, index: Any, generation: str) -> Path:
        path = self._file(generation, index.ntotal)
        tmp = path.with_suffix(".tmp")
        _faiss().write_index(index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path

    def _rebuild(self, reason: str) -> SyncReport:
        old = self._row()
        index = None
        entries: list[dict[str, Any]] = []
        for batch, vecs in self._vectors(only_new=False):
            if index is None:
                index = self._new_index(vecs.shape[1])
            index.add(np.ascontiguousarray(vecs))
            entries.extend(batch)
        if index is None:
            raise SearchError(f"no stored embeddings from encoder {self.encoder_name!r}: run `mgi run FOLDER` first")
        generation = uuid.uuid4().hex
        path = self._write(index, generation)
        from pipeline.storage.engine import write_session

        with write_session(self.store) as s:
            s.execute(delete(SearchEntryRow).where(SearchEntryRow.key == self.key))
            for i in range(0, len(entries), BATCH):
                s.execute(
                    insert(SearchEntryRow),
                    [{**e, "position": i + j} for j, e in enumerate(entries[i : i + BATCH])],
                )
            row = s.get(SearchIndexRow, self.key)
            if row is None:
                row = SearchIndexRow(key=self.key, encoder=self.encoder_name, directory=str(self.folder))
                s.add(row)
            row.generation, row.count, row.dim, row.kind = generation, index.ntotal, index.d, INDEX_KIND
            row.built_at = row.updated_at = now()
        self._index, self._loaded, self._dim = index, (generation, index.ntotal), index.d
        if old is not None:
            self._remove(old.generation, old.count, keep=path)
        return SyncReport(self.encoder_name, "rebuilt", index.ntotal, added=index.ntotal, reason=reason, path=str(path))

    def _add_new(self, row: SearchIndexRow) -> SyncReport:
        index = self._index
        start = index.ntotal
        added: list[dict[str, Any]] = []
        for batch, vecs in self._vectors(only_new=True):
            if vecs.shape[1] != index.d:
                return self._rebuild(f"new embeddings are {vecs.shape[1]}-d, the index is {index.d}-d")
            index.add(np.ascontiguousarray(vecs))
            added.extend(batch)
        if not added:  # counts differed but nothing is new: the bookkeeping drifted
            return self._rebuild("stored embeddings and index entries disagree")
        path = self._write(index, row.generation)
        from pipeline.storage.engine import write_session

        with write_session(self.store) as s:
            for i in range(0, len(added), BATCH):
                s.execute(
                    insert(SearchEntryRow),
                    [{**e, "position": start + i + j} for j, e in enumerate(added[i : i + BATCH])],
                )
            res = s.execute(
                update(SearchIndexRow)
                .where(SearchIndexRow.key == self.key, SearchIndexRow.count == start)
                .values(count=index.ntotal, updated_at=now())
                .execution_options(synchronize_session=False)
            )
            if res.rowcount != 1:
                raise SearchError("the search index changed while it was being updated: run the search again")
        self._loaded = (row.generation, index.ntotal)
        self._remove(row.generation, start, keep=path)
        return SyncReport(self.encoder_name, "added", index.ntotal, added=len(added), path=str(path))

    def _remove(self, generation: str, count: int, keep: Path) -> None:
        old = self._file(generation, count)
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
        for tmp in self.folder.glob("*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    # ------------------------------------------------------------------ querying

    def _cached(self, key: tuple, token: Any, compute: Any) -> np.ndarray:
        hit = self._filter_cache.get(key)
        if hit is not None and hit[0] == token:
            return hit[1]
        if len(self._filter_cache) > 64:
            self._filter_cache.clear()
        value = compute()
        self._filter_cache[key] = (token, value)
        return value

    def _positions(self, q: Any) -> np.ndarray:
        assert self._loaded is not None
        with self.store.engine.connect() as conn:  # Core, not ORM: ~3x faster for many rows
            positions = np.fromiter(conn.execute(q).scalars(), dtype=np.int64)
        return np.unique(positions[positions < self._loaded[1]])  # entries added since by another process wait

    def _allowed_positions(self, country: str | None, domain: str | None, language: str | None) -> np.ndarray | None:
        """Sorted index positions of the passages that pass the filters (None: no filter).

        Language and country are range scans on the bookkeeping table (its own columns and
        indexes); domain goes through the candidates' domain index. Results are cached: language
        and country per index version (passages never change), domain until a candidate is added."""
        if not (country or domain or language):
            return None
        assert self._loaded is not None
        allowed: np.ndarray | None = None
        if language or country:
            stored = None
            if country:
                from pipeline.services.review import match_country

                stored = match_country(self.store, country)  # the stored spelling, or a one-line error
            q = select(SearchEntryRow.position).where(SearchEntryRow.key == self.key)
            if language:
                q = q.where(SearchEntryRow.language == language)
            if stored is not None:
                docs = select(DocumentRow.sha256).where(DocumentRow.country == stored)
                q = q.where(SearchEntryRow.document_sha256.in_(docs))
            allowed = self._cached(("lc", language, stored), self._loaded, lambda: self._positions(q))
        if domain:
            with self.store.session() as s:
                newest = s.scalar(select(func.max(CandidateRow.id)))  # candidates are only ever added
            dq = select(SearchEntryRow.position).where(
                SearchEntryRow.key == self.key,
                SearchEntryRow.passage_id.in_(
                    select(CandidateRow.passage_id).where(CandidateRow.domain == str(domain))
                ),
            )
            in_domain = self._cached(("d", str(domain)), (self._loaded, newest), lambda: self._positions(dq))
            allowed = in_domain if allowed is None else np.intersect1d(allowed, in_domain, assume_unique=True)
        return allowed

    def nearest(self, vec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(position, cosine) of the ``k`` nearest stored vectors, optionally among ``allowed`` positions."""
        index = self._index
        if index is None or index.ntotal == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(vec.reshape(1, -1), dtype=np.float32)
        faiss = _faiss()
        if allowed is None:
            index.hnsw.efSearch = max(self.ef_search, 2 * k)
            scores, labels = index.search(q, k)
        elif len(allowed) == 0:
            return []
        elif len(allowed) <= EXACT_MAX:  # few candidates: exact scores over just those
            # the graph's own float32 storage viewed as an array (no copy), then faiss' brute force:
            # numpy's matmul goes through a multi-threaded BLAS that stalls on a busy machine
            storage = faiss.downcast_index(index.storage)
            xb = faiss.rev_swig_ptr(storage.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
            scores, picked = faiss.knn(
                q, np.ascontiguousarray(xb[allowed]), min(k, len(allowed)), metric=faiss.METRIC_INNER_PRODUCT
            )
            return [(int(allowed[j]), float(sc)) for j, sc in zip(picked[0], scores[0], strict=True) if j >= 0]
        else:
            fraction = len(allowed) / index.ntotal
            ef = int(min(2048, max(self.ef_search, 2 * k) / max(fraction, 1e-3)))
            params = faiss.SearchParametersHNSW(sel=faiss.IDSelectorBatch(allowed), efSearch=ef)
            scores, labels = index.search(q, k, params=params)
        return [(int(p), float(sc)) for p, sc in zip(labels[0], scores[0], strict=True) if p >= 0]

    def search(
        self,
        query: str,
        *,
        country: str | None = None,
        domain: str | None = None,
        language: str | None = None,
        limit: int = 10,
        highlight: bool = True,
    ) -> list[SearchHit]:
        """Passages nearest in meaning to ``query`` (any language), best first."""
        query = (query or "").strip()
        if not query:
            raise SearchError("empty query: type what you are looking for")
        if limit < 1:
            raise SearchError(f"--limit must be at least 1, not {limit}")
        with self._lock:
            self.ensure_fresh()
            vec = self.encode_query(query)
            allowed = self._allowed_positions(country, domain, language)
            found = self.nearest(vec, limit, allowed)
            hits = self._hits(found)
        if highlight and hits:
            self._highlight(vec, hits)
        return hits

    def similarity(self, query: str, passage_id: str) -> float | None:
        """Cosine of ``query`` and one stored passage (None if it has no stored vector)."""
        with self.store.session() as s:
            raw = s.scalar(
                select(EmbeddingRow.vector).where(
                    EmbeddingRow.passage_id == passage_id, EmbeddingRow.encoder == self.encoder_name
                )
            )
        if raw is None:
            return None
        vec = np.frombuffer(raw, dtype=np.float32)
        self._dim = self._dim or vec.shape[0]
        return float(vec @ self.encode_query(query))

    def _hits(self, found: Sequence[tuple[int, float]]) -> list[SearchHit]:
        if not found:
            return []
        by_pos = dict(found)
        with self.store.session() as s:
            rows = s.execute(
                select(SearchEntryRow.position, PassageRow, DocumentRow)
                .join(PassageRow, PassageRow.id == SearchEntryRow.passage_id)
                .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
                .where(SearchEntryRow.key == self.key, SearchEntryRow.position.in_(list(by_pos)))
            ).all()
        hits = []
        for pos, p, d in rows:
            hits.append(
                SearchHit(
                    rank=0,
                    passage_id=p.id,
                    similarity=round(by_pos[pos], 4),
                    document_sha256=d.sha256,
                    document_title=d.title or d.filename,
                    document_file=d.filename,
                    country=d.country,
                    document_type=d.document_type,
                    document_date=d.date,
                    page=p.page,
                    page_end=p.page_end,
                    char_start=p.char_start,
                    char_end=p.char_end,
                    language=p.language,
                    heading=p.heading,
                    text=p.text,
                )
            )
        hits.sort(key=lambda h: (-h.similarity, h.passage_id))
        for i, h in enumerate(hits, start=1):
            h.rank = i
        suggestions = passage_suggestions(self.store, [h.passage_id for h in hits])
        for h in hits:
            h.suggestions = suggestions.get(h.passage_id, [])
        return hits

    def _highlight(self, vec: np.ndarray, hits: list[SearchHit]) -> None:
        spans = [sentence_spans(h.text) for h in hits]
        texts = [h.text[s:e] for h, sp in zip(hits, spans, strict=True) for s, e in sp]
        sims = (np.asarray(self.encoder.encode(texts), dtype=np.float32) * vec).sum(axis=1)  # no BLAS threads
        i = 0
        for h, sp in zip(hits, spans, strict=True):
            part = sims[i : i + len(sp)]
            best = int(np.argmax(part))
            h.highlight = Highlight(sp[best][0], sp[best][1], round(float(part[best]), 4))
            i += len(sp)
