"""The review core: queue order, leases, decisions with optimistic concurrency, undo as a new
change-log entry, double review and agreement, near-duplicate groups and the terminal review."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from review_seed import MODEL, NORVANIA, candidate_id, seeded
from sqlalchemy import select

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.services import accounts, review
from pipeline.services.review import QueueFilter
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.tables import CandidateRow, ChangeRow, DecisionRow, ReviewStateRow, now


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture
def store(tmp_path):
    return seeded(tmp_path)


@pytest.fixture
def users(store):
    return {name: accounts.get_user(store, name) for name in ("alice", "bob", "root")}


def state(store, cid):
    with store.session() as s:
        return s.get(ReviewStateRow, cid)


# --------------------------------------------------------------------------- pure parts


@dataclass
class D:
    id: int
    user_id: int
    status: str
    final_indicator: str | None = None
    polarity: str | None = None
    note: str | None = None
    kind: str = "review"


def test_effective_state_single_review_takes_the_latest():
    assert review.effective_state([], 1)["status"] == "pending"
    s = review.effective_state([D(1, 1, "confirmed", "1.2.1", "gap"), D(2, 2, "rejected")], 1)
    assert (s["status"], s["final_indicator"], s["polarity"], s["reviews_done"]) == ("rejected", None, None, 2)


def test_effective_state_double_review_waits_agrees_or_conflicts():
    one = [D(1, 1, "confirmed", "1.2.1", "developed")]
    assert review.effective_state(one, 2) == {
        "status": "pending",
        "final_indicator": None,
        "polarity": None,
        "note": None,
        "reviews_done": 1,
    }
    agree = one + [D(2, 2, "confirmed", "1.2.1", "developed", "ok")]
    assert review.effective_state(agree, 2)["status"] == "confirmed"
    differ = one + [D(2, 2, "confirmed", "1.2.1", "gap")]
    assert review.effective_state(differ, 2)["status"] == "conflict"
    # the same analyst deciding twice still counts once
    assert review.effective_state(one + [D(2, 1, "rejected")], 2)["status"] == "pending"
    resolved = differ + [D(3, 9, "confirmed", "1.2.1", "gap", kind="resolution")]
    assert review.effective_state(resolved, 2)["polarity"] == "gap"


def test_cohen_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    a = ["rejected", "1.2.1/developed", "rejected", "4.3.4/gap", "rejected", "1.2.1/developed"]
    b = ["rejected", "1.2.1/developed", "1.2.1/developed", "4.3.4/gap", "rejected", "rejected"]
    assert review.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert review.cohen_kappa(a, a) == pytest.approx(1.0)
    assert review.cohen_kappa(["x", "x"], ["x", "x"]) is None  # chance agreement is 1: undefined
    assert review.cohen_kappa([], []) is None


def test_group_near_duplicates_by_text_and_cosine():
    import numpy as np

    texts = ["Article 9. Victims shall be protected.", "ARTICLE 9 — victims shall be protected", "Other text", "x"]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0.99, 0.05, 0], [0, 0, 0]], dtype=np.float32)
    assert review.group_near_duplicates(texts, vectors, 0.95) == [[0, 1, 2], [3]]
    assert review.group_near_duplicates(texts, None) == [[0, 1], [2], [3]]


def test_resolve_indicator_by_id_datalist_value_or_name(taxonomy):
    assert review.resolve_indicator(taxonomy, "1.2.1").id == "1.2.1"
    assert review.resolve_indicator(taxonomy, "1.2.1 — Right to family reunification").id == "1.2.1"
    assert review.resolve_indicator(taxonomy, "family reunif").id == "1.2.1"
    assert review.resolve_indicator(taxonomy, "REGROUPEMENT familial").id == "1.2.1"  # any language, any case
    with pytest.raises(review.UnknownIndicator, match="unknown indicator '9.9.9'"):
        review.resolve_indicator(taxonomy, "9.9.9")
    with pytest.raises(review.UnknownIndicator, match="matches .* indicators"):
        review.resolve_indicator(taxonomy, "migrant")


def test_threshold_resolver_reads_zero_shot_versions_and_model_cards(tmp_path):
    import json

    import numpy as np

    resolve = review.threshold_resolver([tmp_path])
    assert resolve(MODEL, "1.2.1") == pytest.approx(0.42)
    assert resolve("something-else", "1.2.1") == 0.5
    folder = tmp_path / "m1"
    folder.mkdir()
    (folder / "card.json").write_text(json.dumps({"model_version": "mgi-x", "indicator_ids": ["1.2.1", "1.2.2"]}))
    np.savez(folder / "weights.npz", thresholds=np.array([0.3, 0.7]))
    assert review.threshold_resolver([tmp_path])("mgi-x", "1.2.2") == pytest.approx(0.7)


# --------------------------------------------------------------------------- queue


def test_queue_sorts_by_uncertainty_and_counts(store):
    page = review.queue(store, QueueFilter())
    assert page.total == 8 and page.counts == {"pending": 8, "confirmed": 0, "rejected": 0, "conflict": 0}
    margins = [it["margin"] for it in page.items]
    assert margins == sorted(margins) and page.items[0]["score"] == pytest.approx(0.43)  # 0.43 is closest to 0.42
    by_score = review.queue(store, QueueFilter(), sort="score")
    assert by_score.items[0]["score"] == pytest.approx(0.81)
    only = review.queue(store, QueueFilter(country=NORVANIA.upper(), language="en", domain="1", min_score=0.5))
    assert [it["indicator"] for it in only.items] == ["1.2.1"]
    with pytest.raises(review.ReviewError, match="unknown sort"):
        review.queue(store, QueueFilter(), sort="random")


def test_neighbour_walks_the_queue_and_skips_items_leased_by_others(store, users):
    order = [it["id"] for it in review.queue(store, QueueFilter()).items]
    alice, bob = users["alice"], users["bob"]
    assert review.neighbour(store, alice, QueueFilter()) == order[0]
    assert review.neighbour(store, alice, QueueFilter(), after=order[0]) == order[1]
    assert review.neighbour(store, alice, QueueFilter(), after=order[1], reverse=True) == order[0]
    assert review.neighbour(store, alice, QueueFilter(), after=order[-1], wrap=False) is None
    assert review.neighbour(store, alice, QueueFilter(), after=order[-1]) == order[0]  # wraps round
    review.acquire_lease(store, bob, order[0])
    assert review.neighbour(store, alice, QueueFilter()) == order[1]


def test_sync_items_adds_state_rows_for_new_candidates(store):
    with store.session() as s, s.begin():
        cand = s.scalars(select(CandidateRow)).first()
        s.add(
            CandidateRow(
                passage_id=cand.passage_id, indicator_id="3.1.1", domain="3", score=0.9, rank=9, model_version=MODEL
            )
        )
    assert review.sync_items(store) == 1
    assert review.sync_items(store) == 0
    assert review.queue(store, QueueFilter()).total == 9


# --------------------------------------------------------------------------- leases and decisions


def test_a_leased_item_cannot_be_decided_by_another_analyst(store, users, taxonomy):
    cid = candidate_id(store, "1.2.1", "Migration Act")
    alice, bob = users["alice"], users["bob"]
    review.acquire_lease(store, alice, cid, minutes=10)
    with pytest.raises(review.LeaseHeld, match="being reviewed by alice"):
        review.acquire_lease(store, bob, cid)
    with pytest.raises(review.LeaseHeld):
        review.decide(store, bob, cid, version=0, status="rejected")
    # once the lease has run out, bob may take it over
    later = now() + timedelta(minutes=11)
    review.acquire_lease(store, bob, cid, at=later)
    out = review.decide(store, bob, cid, version=0, status="rejected", at=later)
    assert out.status == "rejected" and state(store, cid).lease_user_id is None  # deciding ends the lease


def test_opening_an_item_releases_the_analysts_other_leases(store, users):
    a, b = candidate_id(store, "1.2.1", "Migration Act"), candidate_id(store, "4.3.4")
    review.acquire_lease(store, users["alice"], a)
    review.acquire_lease(store, users["alice"], b)
    assert state(store, a).lease_user_id is None and state(store, b).lease_user_id == users["alice"].id


def test_a_stale_decision_is_refused_with_an_explanation(store, users, taxonomy):
    cid = candidate_id(store, "4.3.4")
    alice, bob = users["alice"], users["bob"]
    review.decide(store, alice, cid, version=0, status="confirmed", polarity="gap", taxonomy=taxonomy)
    with pytest.raises(review.StaleDecision, match=r"alice confirmed it as 4\.3\.4 \(gap\)") as err:
        review.decide(store, bob, cid, version=0, status="rejected")  # bob's screen showed version 0
    assert (err.value.seen, err.value.current) == (0, 1)
    st = state(store, cid)
    assert (st.status, st.final_indicator, st.version) == ("confirmed", "4.3.4", 1)  # nothing overwritten
    with store.session() as s:
        assert s.scalar(select(DecisionRow.user_id).where(DecisionRow.candidate_id == cid)) == alice.id
        assert len(s.scalars(select(DecisionRow).where(DecisionRow.candidate_id == cid)).all()) == 1


def test_two_concurrent_analysts_cannot_both_decide_one_item(store, users):
    cid = candidate_id(store, "2.2.1")
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def work(name: str, status: str) -> None:
        barrier.wait()
        try:
            review.acquire_lease(store, users[name], cid)
            review.decide(store, users[name], cid, version=0, status=status)
            results[name] = "decided"
        except review.ReviewError as err:
            results[name] = type(err).__name__

    threads = [
        threading.Thread(target=work, args=("alice", "confirmed")),
        threading.Thread(target=work, args=("bob", "rejected")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["LeaseHeld", "decided"] or sorted(results.values()) == [
        "StaleDecision",
        "decided",
    ]
    with store.session() as s:
        assert len(s.scalars(select(DecisionRow).where(DecisionRow.candidate_id == cid)).all()) == 1
        assert s.get(ReviewStateRow, cid).version == 1


def test_concurrent_decisions_without_leases_are_serialised_by_the_version(store, users):
    """Even with no lease in the way (both leases long expired), only one of N writers wins."""
    cid = candidate_id(store, "6.4.2", "Strategy")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    names = ["alice", "bob", "root", "alice"]

    def work(i: int) -> None:
        barrier.wait()
        try:
            review.decide(store, users[names[i]], cid, version=0, status="rejected")
            outcomes.append("ok")
        except review.StaleDecision:
            outcomes.append("stale")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale", "stale", "stale"]


def test_every_decision_keeps_what_was_shown_and_what_was_decided(store, users, taxonomy):
    cid = candidate_id(store, "1.2.2")
    review.acquire_lease(store, users["alice"], cid)
    out = review.decide(
        store,
        users["alice"],
        cid,
        version=0,
        status="confirmed",
        indicator="1.2.1",
        polarity="developed",
        note="  spouses and children  ",
        taxonomy=taxonomy,
    )
    assert (out.status, out.final_indicator) == ("confirmed", "1.2.1")
    with store.session() as s:
        d = s.get(DecisionRow, out.decision_id)
        assert (d.user_id, d.shown_indicator, d.shown_score, d.model_version) == (
            users["alice"].id,
            "1.2.2",
            0.47,
            MODEL,
        )
        assert (d.status, d.final_indicator, d.polarity, d.note, d.item_version) == (
            "confirmed",
            "1.2.1",
            "developed",
            "spouses and children",
            0,
        )
        ch = s.get(ChangeRow, out.change_id)
        assert ch.before["status"] == "pending" and ch.after["final_indicator"] == "1.2.1"
        assert s.get(CandidateRow, cid).status == "confirmed"  # mirrored for `mgi candidates`


def test_bad_input_gets_a_clear_error(store, users, taxonomy):
    cid = candidate_id(store, "1.2.2")
    alice = users["alice"]
    with pytest.raises(review.UnknownIndicator, match="unknown indicator '7.7.7'"):
        review.decide(store, alice, cid, version=0, status="confirmed", indicator="7.7.7", taxonomy=taxonomy)
    with pytest.raises(review.ReviewError, match="unknown decision"):
        review.decide(store, alice, cid, version=0, status="maybe")
    with pytest.raises(review.ReviewError, match="unknown polarity"):
        review.decide(store, alice, cid, version=0, status="confirmed", polarity="so-so")
    with pytest.raises(review.UnknownItem, match="no candidate #999"):
        review.decide(store, alice, 999, version=0, status="rejected")
    with pytest.raises(review.NotAllowed):
        review.decide(store, alice, cid, version=0, status="rejected", kind="resolution")


# --------------------------------------------------------------------------- undo


def test_undo_restores_the_previous_state_with_a_new_change_log_entry(store, users, taxonomy):
    cid = candidate_id(store, "1.2.1", "Migration Act")
    alice = users["alice"]
    first = review.decide(store, alice, cid, version=0, status="confirmed", taxonomy=taxonomy)
    second = review.decide(
        store, alice, cid, version=1, status="confirmed", indicator="1.2.2", polarity="gap", taxonomy=taxonomy
    )
    out = review.undo(store, alice)
    assert (out.status, out.final_indicator, out.polarity, out.version) == ("confirmed", "1.2.1", "developed", 3)
    out = review.undo(store, alice)
    assert (out.status, out.final_indicator, out.version) == ("pending", None, 4)
    with pytest.raises(review.NothingToUndo):
        review.undo(store, alice)
    with store.session() as s:
        decisions = s.scalars(select(DecisionRow).where(DecisionRow.candidate_id == cid)).all()
        assert len(decisions) == 2 and not any(d.active for d in decisions)  # kept, marked undone
        actions = [
            c.action for c in s.scalars(select(ChangeRow).where(ChangeRow.candidate_id == cid).order_by(ChangeRow.id))
        ]
        assert actions == ["decide", "decide", "undo", "undo"]
        assert s.get(CandidateRow, cid).status == "pending"
    assert {first.decision_id, second.decision_id} == {d.id for d in decisions}


def test_undo_of_someone_elses_decision_needs_an_admin(store, users):
    cid = candidate_id(store, "4.3.4")
    out = review.decide(store, users["alice"], cid, version=0, status="rejected")
    with pytest.raises(review.NotAllowed):
        review.undo(store, users["bob"], out.change_id)
    assert review.undo(store, users["root"], out.change_id).status == "pending"
    with pytest.raises(review.NothingToUndo, match="already undone"):
        review.undo(store, users["alice"], out.change_id)


def test_undo_is_refused_while_someone_else_holds_the_lease(store, users):
    cid = candidate_id(store, "4.3.4")
    review.decide(store, users["alice"], cid, version=0, status="rejected")
    review.acquire_lease(store, users["bob"], cid)
    with pytest.raises(review.LeaseHeld):
        review.undo(store, users["alice"])


# --------------------------------------------------------------------------- double review, agreement, bulk


def test_double_review_reports_agreement_and_conflicts(store, users):
    alice, bob, root = users["alice"], users["bob"], users["root"]
    top = review.queue(store, QueueFilter(), sort="score").items[:4]
    ids, suggested = [it["id"] for it in top], {it["id"]: it["indicator"] for it in top}
    with pytest.raises(review.NotAllowed):
        review.require_reviews(store, alice, ids, 2)
    assert review.require_reviews(store, root, ids, 2) == 4
    labels = {
        ids[0]: ("confirmed", "confirmed"),
        ids[1]: ("rejected", "rejected"),
        ids[2]: ("confirmed", "rejected"),
        ids[3]: ("rejected", "rejected"),
    }
    for cid, (a, b) in labels.items():
        v = state(store, cid).version
        review.decide(store, alice, cid, version=v, status=a)
        assert state(store, cid).status == "pending"  # waits for the second, independent review
        # bob does not see alice's decision while the item waits for him
        assert review.item_detail(store, bob, cid)["decisions"] == []
        review.decide(store, bob, cid, version=v + 1, status=b)
    assert state(store, ids[0]).status == "confirmed" and state(store, ids[2]).status == "conflict"
    report = review.agreement(store)
    [pair] = report["pairs"]
    assert (pair["a"], pair["b"], pair["items"], pair["agree"]) == ("alice", "bob", 4, 3)
    assert pair["percent"] == pytest.approx(75.0)
    from sklearn.metrics import cohen_kappa_score

    def label(cid: int, status: str) -> str:  # what two reviews must share to agree
        return "rejected" if status == "rejected" else f"{suggested[cid]}/developed"

    la = [label(c, labels[c][0]) for c in ids]
    lb = [label(c, labels[c][1]) for c in ids]
    assert pair["kappa"] == pytest.approx(cohen_kappa_score(la, lb))
    assert [c["id"] for c in report["conflicts"]] == [ids[2]]
    # an administrator resolves the conflict
    v = state(store, ids[2]).version
    with pytest.raises(review.NotAllowed):
        review.decide(store, alice, ids[2], version=v, status="rejected", kind="resolution")
    review.decide(store, root, ids[2], version=v, status="rejected", kind="resolution")
    assert state(store, ids[2]).status == "rejected"
    assert review.agreement(store)["conflicts"] == []


def test_near_duplicate_groups_and_bulk_decisions(store, users):
    groups = review.near_duplicate_groups(store, QueueFilter())
    [group] = groups  # the trafficking article appears in two documents
    assert group["indicator"] == "6.4.2" and group["size"] == 2
    items = [(it["id"], it["version"]) for it in group["items"]]
    review.acquire_lease(store, users["bob"], items[1][0])
    out = review.bulk_decide(store, users["alice"], items, status="confirmed", polarity="developed")
    assert [o.candidate_id for o in out.done] == [items[0][0]]
    assert out.refused[0][0] == items[1][0] and "bob" in out.refused[0][1]
    assert review.near_duplicate_groups(store, QueueFilter()) == []  # one of the pair is no longer pending


def test_history_lists_changes_with_undo_flags(store, users):
    cid = candidate_id(store, "4.3.4")
    review.decide(store, users["alice"], cid, version=0, status="rejected")
    review.decide(store, users["bob"], candidate_id(store, "2.2.1"), version=0, status="confirmed")
    mine = review.history(store, users["alice"].id)
    assert [(h["candidate_id"], h["action"], h["undoable"]) for h in mine] == [(cid, "decide", True)]
    assert len(review.history(store)) == 2
    assert {r["user"] for r in review.counts_by_user(store)} == {"alice", "bob"}


def test_item_detail_highlights_the_passage_in_its_page(store, users):
    cid = candidate_id(store, "1.2.1", "Migration Act")
    item = review.item_detail(store, users["alice"], cid)
    assert item["aligned"] and item["document"]["title"] == "Migration Act 2021"
    [seg] = item["context"]
    assert seg["mark"].startswith("Article 2. Family reunification") and "Article 1. Scope" in seg["before"]
    assert [s["indicator"] for s in item["siblings"]] == ["1.2.1", "1.2.2"]


# --------------------------------------------------------------------------- terminal review


def test_terminal_review_with_piped_keys(store, users, taxonomy):
    from apps.cli.terminal import terminal_review

    keys = io.StringIO("a\nx\nc\nfamily reunif\ng\nn spouses only\ng\ns\nu\nwhat\nq\n")
    out = io.StringIO()
    counts = terminal_review(
        store, users["alice"], taxonomy, QueueFilter(country=NORVANIA), stdin=keys, stdout=out, width=100
    )
    text = out.getvalue()
    assert counts == {"confirmed": 2, "rejected": 1, "relabelled": 1, "skipped": 1, "undone": 1, "refused": 0}
    assert ">>>" in text and "Suggested:" in text and "unknown key 'what'" in text
    assert "changed to 1.2.1 and confirmed" in text and "confirmed as" in text and "(gap)" in text
    with store.session() as s:
        decisions = s.scalars(select(DecisionRow).order_by(DecisionRow.id)).all()
        assert [(d.status, d.active) for d in decisions] == [
            ("confirmed", True),
            ("rejected", True),
            ("confirmed", True),
            ("confirmed", False),
        ]
        assert decisions[2].final_indicator == "1.2.1" and decisions[3].note == "spouses only"
        assert decisions[3].polarity == "gap"
    # everything leased was given back when the session ended
    with store.session() as s:
        assert s.scalars(select(ReviewStateRow).where(ReviewStateRow.lease_user_id.is_not(None))).all() == []


def test_terminal_review_ends_cleanly_at_end_of_input(store, users, taxonomy):
    from apps.cli.terminal import terminal_review

    counts = terminal_review(
        store, users["alice"], taxonomy, QueueFilter(), stdin=io.StringIO("a\n"), stdout=io.StringIO()
    )
    assert counts["confirmed"] == 1


def test_mgi_review_command_with_piped_stdin(store, monkeypatch, capsys):
    from review_seed import mgi

    monkeypatch.setenv("MGI_DB_URL", store.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("x\nq\n"))
    code, out, err = mgi(capsys, "review", "--user", "alice", "--country", "norvania", "--sort", "score")
    assert code == 0, err
    assert "Session: 1 rejected" in out
    code, _out, err = mgi(capsys, "review", "--user", "nobody")
    assert (
        code == 2
        and err.strip()
        == "mgi review: no user named 'nobody': see `mgi users list`, or add one with `mgi users add nobody`"
    )
    code, _out, err = mgi(capsys, "review", "--user", "alice", "--country", "Atlantis")
    assert code == 2 and "no documents for country 'Atlantis'" in err and NORVANIA in err
