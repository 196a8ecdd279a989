"""The review service: what an analyst does with the queue. No web or terminal code here: the web
app (``apps.web``) and ``mgi review`` both call these functions, by this package's names
(``from pipeline.services import review``; ``review.decide(...)``).

One module per responsibility:

* ``state`` — constants, errors, thresholds, review-state rows of new candidates (``sync_items``),
  the effective state recomputed from the active decisions;
* ``leases`` — an opened item is reserved for its analyst for a few minutes;
* ``decisions`` — deciding, undo, double review (``require_reviews``), bulk decisions;
* ``queue`` — filters, sorts, pages, the next item, the filter menus;
* ``items`` — one item as an analyst sees it;
* ``history`` — the decisions made;
* ``duplicates`` — near-duplicate groups for bulk decisions;
* ``agreement`` — double-review agreement and work per analyst.

Concurrency: a decision on an item leased by someone else is refused (``LeaseHeld``), and a
decision made on an outdated view is refused (``StaleDecision``) with who changed what and when.
Both checks and the write happen in one transaction that holds the database's write lock.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors``.
"""

from __future__ import annotations

from pipeline.services.review.agreement import (
    agreement,
    cohen_kappa,
    counts_by_user,
)
from pipeline.services.review.decisions import (
    UNDOABLE,
    BulkOutcome,
    Outcome,
    bulk_decide,
    decide,
    require_reviews,
    resolve_indicator,
    undo,
)
from pipeline.services.review.duplicates import (
    group_near_duplicates,
    near_duplicate_groups,
    normalise_text,
)
from pipeline.services.review.history import (
    history,
)
from pipeline.services.review.items import (
    item_detail,
)
from pipeline.services.review.leases import (
    acquire_lease,
    release_lease,
)
from pipeline.services.review.queue import (
    QueueFilter,
    QueuePage,
    facets,
    match_country,
    neighbour,
    queue,
)
from pipeline.services.review.state import (
    DECISIONS,
    DEFAULT_THRESHOLD,
    DUPLICATE_COSINE,
    LEASE_MINUTES,
    MAX_NOTE,
    POLARITIES,
    SORTS,
    STATUSES,
    DecisionLike,
    LeaseHeld,
    NotAllowed,
    NothingToUndo,
    ReviewError,
    StaleDecision,
    ThresholdFn,
    UnknownIndicator,
    UnknownItem,
    UserLike,
    decision_label,
    effective_state,
    sync_items,
    threshold_resolver,
)

__all__ = [
    "BulkOutcome",
    "DECISIONS",
    "DEFAULT_THRESHOLD",
    "DUPLICATE_COSINE",
    "DecisionLike",
    "LEASE_MINUTES",
    "LeaseHeld",
    "MAX_NOTE",
    "NotAllowed",
    "NothingToUndo",
    "Outcome",
    "POLARITIES",
    "QueueFilter",
    "QueuePage",
    "ReviewError",
    "SORTS",
    "STATUSES",
    "StaleDecision",
    "ThresholdFn",
    "UNDOABLE",
    "UnknownIndicator",
    "UnknownItem",
    "UserLike",
    "acquire_lease",
    "agreement",
    "bulk_decide",
    "cohen_kappa",
    "counts_by_user",
    "decide",
    "decision_label",
    "effective_state",
    "facets",
    "group_near_duplicates",
    "history",
    "item_detail",
    "match_country",
    "near_duplicate_groups",
    "neighbour",
    "normalise_text",
    "queue",
    "release_lease",
    "require_reviews",
    "resolve_indicator",
    "sync_items",
    "threshold_resolver",
    "undo",
]
