"""Leases: opening an item reserves it for one analyst for a few minutes; a decision on an item
leased by someone else is refused (``LeaseHeld``).

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update

from pipeline.services.review.state import LEASE_MINUTES, ReviewError, UserLike, _check_lease, _state
from pipeline.storage.engine import write_session
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    ReviewStateRow,
    now,
)

# --------------------------------------------------------------------------- leases


def acquire_lease(
    store: Store,
    user: UserLike,
    candidate_id: int,
    minutes: float = LEASE_MINUTES,
    at: datetime | None = None,
    exclusive: bool = True,
) -> datetime:
    """Lease an item to ``user`` (renewing their own lease); returns when it runs out.

    ``exclusive``: the user's other leases end (one open item per analyst)."""
    at = at or now()
    until = at + timedelta(minutes=minutes)
    with write_session(store) as s:
        st, _cand = _state(s, candidate_id)
        res = s.execute(
            update(ReviewStateRow)
            .where(
                ReviewStateRow.candidate_id == candidate_id,
                or_(
                    ReviewStateRow.lease_user_id.is_(None),
                    ReviewStateRow.lease_user_id == user.id,
                    ReviewStateRow.lease_until.is_(None),
                    ReviewStateRow.lease_until <= at,
                ),
            )
            .values(lease_user_id=user.id, lease_until=until)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            s.refresh(st)
            _check_lease(s, st, user, at)
            raise ReviewError(f"item #{candidate_id} could not be leased; try again")
        if exclusive:
            s.execute(
                update(ReviewStateRow)
                .where(ReviewStateRow.lease_user_id == user.id, ReviewStateRow.candidate_id != candidate_id)
                .values(lease_user_id=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
    return until


def release_lease(store: Store, user: UserLike, candidate_id: int | None = None) -> None:
    """End the user's lease on one item (or all their leases)."""
    with write_session(store) as s:
        q = update(ReviewStateRow).where(ReviewStateRow.lease_user_id == user.id)
        if candidate_id is not None:
            q = q.where(ReviewStateRow.candidate_id == candidate_id)
        s.execute(q.values(lease_user_id=None, lease_until=None).execution_options(synchronize_session=False))
