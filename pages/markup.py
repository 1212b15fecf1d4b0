"""HTML fragments the pages share: the stylesheet, large projector-friendly tables, status
cells (symbol, words and colour from the status vocabularies), the demo tag and an indicator's
table row. Functions return already-escaped HTML strings; only ``inject_css`` draws.

A helper module, not a page: dashboard.py registers the pages with st.navigation.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from metrics import IndicatorStatus, Plan, Quarter, Review, StatusIcon, format_value

CSS = """
<style>
.csp-table {border-collapse: collapse; width: 100%; font-size: 1.05rem; margin-bottom: 0.8rem;}
.csp-table th {text-align: left; border-bottom: 2px solid #1f1f1f; padding: 0.35rem 0.5rem;
  font-weight: 600; white-space: nowrap;}
.csp-table td {border-bottom: 1px solid #d9d9d9; padding: 0.45rem 0.5rem; vertical-align: top;
  overflow-wrap: anywhere;}
.csp-table td.num {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;}
.csp-status {font-weight: 700; white-space: nowrap;}
.csp-demo {display: inline-block; border: 1px solid #a15c00; color: #7a4500; border-radius: 4px;
  padding: 0 0.3rem; font-size: 0.8rem; font-weight: 600; margin-left: 0.3rem; white-space: nowrap;}
.csp-sentence {font-size: 1.15rem; margin: 0.2rem 0 0.4rem 0;}
.csp-muted {color: #5f6368;}
</style>
"""


def inject_css() -> None:
    """Add the shared stylesheet to the page (the router does it once per rerun)."""
    st.html(CSS)


def demo_tag(is_demo: bool) -> str:
    """A small 'demo' badge after a figure that is demo data; nothing otherwise."""
    return '<span class="csp-demo">demo</span>' if is_demo else ""


def status_cell(status: StatusIcon) -> str:
    """Any status (RAG, variation, assurance, action, submission) as its symbol and words, in its colour."""
    return f'<span class="csp-status" style="color:{status.colour}">{status.icon} {escape(status.word)}</span>'


def reported_status(vocabulary: type[StatusIcon], text: str) -> str:
    """A status stored as words (an action's, a return's), shown as its vocabulary shows it;
    words outside the vocabulary (such as 'No update') are shown as they are."""
    member = vocabulary.from_word(text)
    return status_cell(member) if member else escape(text)


def html_table(columns: list[tuple[str, str]], rows: list[dict[str, str]]) -> str:
    """A plain HTML table; ``columns`` are (key, heading), a heading ending in '#' is numeric.
    Cell values are already-escaped HTML."""
    head = "".join(f"<th>{escape(h.rstrip('#'))}</th>" for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if h.endswith("#") else ""}">{row.get(k, "")}</td>' for k, h in columns)
        + "</tr>"
        for row in rows
    )
    return f'<table class="csp-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def spc_cell(review: Review) -> str:
    """Variation and assurance, each as its icon and words."""
    return f"{status_cell(review.spc.variation)}<br>{status_cell(review.spc.assurance)}"


def spc_inline(review: Review) -> str:
    """Variation and assurance on one line."""
    return spc_cell(review).replace("<br>", " &nbsp; ")


def quarter_label(day: object) -> str:
    """The financial-year quarter a stored date falls in, e.g. '2025/26 Q2'."""
    return Quarter.of(pd.Timestamp(day).date()).label


def indicator_row(s: IndicatorStatus, plan_: Plan, review: Review | None = None) -> dict[str, str]:
    """One indicator as a table row: status in icon and word, its sentence, figures,
    directions, owner, and (given its review) variation and assurance."""
    ind = s.indicator
    note = f'<br><span class="csp-muted">{escape(s.value.note)}</span>' if s.value.note else ""
    name = f'{escape(ind.name)}<br><span class="csp-muted">{escape(s.sentence)}</span>'
    return {
        "status": status_cell(s.rag),
        "indicator": name,
        "value": f"{format_value(s.value.value, ind.unit)}{demo_tag(s.value.is_demo)}"
        f'<br><span class="csp-muted">{escape(s.value.label)}</span>{note}',
        "target": format_value(s.target, ind.unit),
        "previous": escape(s.vs_previous.short)
        if ind.frequency != "annual"
        else '<span class="csp-muted">annual</span>',
        "last_year": escape(s.vs_last_year.short),
        "owner": escape(plan_.subgroup(ind.owner).short_name),
        "spc": spc_cell(review) if review else "",
    }


INDICATOR_COLUMNS = [
    ("status", "Status"),
    ("spc", "Variation · assurance"),
    ("indicator", "Indicator"),
    ("value", "Latest#"),
    ("target", "Target#"),
    ("previous", "vs last quarter#"),
    ("last_year", "vs last year#"),
    ("owner", "Owner"),
]
