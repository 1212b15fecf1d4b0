"""The quarterly board pack, as PDF or Word, built without a browser.

``model`` gathers what the pack shows and words it; ``pdf`` and ``docx`` lay it out and import
only ``model``; this module chooses between them. Callers use the names below.
"""

from __future__ import annotations

import datetime as dt

from metrics.pack.model import FORMATS, Pack, PackError, gather, pack_format
from metrics.plan.model import Plan
from metrics.quarters import Quarter
from metrics.store import Store

__all__ = ["FORMATS", "Pack", "PackError", "board_pack", "build", "gather", "pack_format"]


def build(pack: Pack, fmt: str) -> bytes:
    """The pack as PDF or Word bytes (``fmt`` is one of ``FORMATS``)."""
    # The renderers are imported when a pack is built, not with the package: fpdf2 and
    # python-docx cost a quarter of a second, which every command and page start paid for.
    from metrics.pack import _docx, _pdf

    if fmt == "pdf":
        return _pdf.render(pack)
    if fmt == "docx":
        return _docx.render(pack)
    raise PackError(f"Unknown board pack format {fmt!r}; use one of {', '.join(FORMATS)}.")


def board_pack(
    plan: Plan,
    store: Store,
    quarter: Quarter,
    fmt: str,
    now: dt.datetime | None = None,
) -> bytes:
    """Gather and render the pack as at ``now`` (UTC; default the present moment)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return build(gather(plan, store, quarter, now), fmt)
