"""Small assertions shared by several test modules."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.records import Page, Passage


def page_slice(pages: Sequence[Page], p: Passage) -> str:
    """The cleaned page text a passage's offsets point at (across a page break: the parts joined by a newline)."""
    by_number = {page.number: page.text for page in pages}
    if p.page == p.page_end:
        return by_number[p.page][p.char_start : p.char_end]
    parts = [by_number[p.page][p.char_start :]]
    parts += [by_number[n] for n in range(p.page + 1, p.page_end)]
    parts.append(by_number[p.page_end][: p.char_end])
    return "\n".join(parts)


def assert_in_order_without_overlap(passages: Sequence[Passage]) -> None:
    assert [p.index for p in passages] == list(range(len(passages)))
    for a, b in zip(passages, passages[1:], strict=False):
        assert (a.page_end, a.char_end) <= (b.page, b.char_start), (a, b)
