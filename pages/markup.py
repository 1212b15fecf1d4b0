"""HTML fragments the pages share: the stylesheet, large projector-friendly tables, status
cells (symbol, words and colour from the status vocabularies), the demo tag and an indicator's
table row. Functions return already-escaped HTML strings; only ``inject_css`` draws.

A helper module, not a page: dashboard.py registers the pages with st.navigation.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from metrics import (
    ActionProgress,
    ActionStatus,
    Commentary,
    Indicator,
    IndicatorStatus,
    Plan,
    Review,
    StatusIcon,
    format_value,
)

CSS = """
<style>
.csp-table {border-collapse: collapse; width: 100%; font-size: 1.05rem; margin-bottom: 0.8rem;}
.csp-table th {text-align: left; border-bottom: 2px solid #1f1f1f; padding: 0.35rem 0.5rem;
  font-weight: 600; white-space: nowrap;}
.csp-table td {border-bottom: 1px solid #d9d9d9; padding: 0.45rem 0.5rem; vertical-align: top;
  overflow-wrap: anywhere;}
.csp-table td.num {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;}
/* A table in a narrow column (a theme card's figures): fixed column widths, every cell wraps,
   so it is never wider than its column (at 1366 px one ran under its card's SPC chart). */
.csp-table.csp-fixed {table-layout: fixed;}
.csp-table.csp-fixed th, .csp-table.csp-fixed td.num {white-space: normal; text-align: left;}
/* A card's key figures, the two the board came for (latest and target): large, side by side
   while two fit, one above the other in a narrower column. */
.csp-keyfigs {display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 8.5rem), 1fr));
  gap: 0.5rem; margin: 0.2rem 0 0.7rem 0;}
.csp-keyfig {border: 1px solid #c7c7c7; border-radius: 6px; padding: 0.3rem 0.6rem; min-width: 0;}
.csp-keylabel {font-size: 0.95rem; color: #4a4a4a;}
.csp-keyvalue {font-size: 1.9rem; font-weight: 700; line-height: 1.25; font-variant-numeric: tabular-nums;
  overflow-wrap: anywhere;}
.csp-status {font-weight: 700; white-space: nowrap;}
.csp-demo {display: inline-block; border: 1px solid #a15c00; color: #7a4500; border-radius: 4px;
  padding: 0 0.3rem; font-size: 0.8rem; font-weight: 600; margin-left: 0.3rem; white-space: nowrap;}
.csp-sentence {font-size: 1.15rem; margin: 0.2rem 0 0.4rem 0;}
.csp-muted {color: #5f6368;}
/* Indicator cards: a grid that keeps each indicator's name and status readable at laptop width
   (a wide table wrapped the name one word per line and cut off its last columns at 1366 px). */
.csp-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 21rem), 1fr));
  gap: 0.6rem; margin: 0.3rem 0 0.9rem 0;}
.csp-card {border: 1px solid #c7c7c7; border-left-width: 6px; border-radius: 6px; padding: 0.45rem 0.7rem;
  overflow-wrap: anywhere;}
.csp-card .csp-name {font-weight: 600; font-size: 1.05rem; margin: 0.15rem 0;}
.csp-card .csp-figs {font-variant-numeric: tabular-nums; margin: 0.1rem 0;}
/* Less empty space above the title, so a laptop's first screen reaches the first exception. */
[data-testid="stMainBlockContainer"] {padding-top: 2.5rem;}
.csp-chart {width: 100%; height: auto;}
.csp-complete {color: #1b6e3a; font-weight: 600; margin: 0 0 0.4rem 0;}
.csp-exceptions {margin: 0 0 0.6rem 1.2rem; padding: 0;}
.csp-exceptions li {margin: 0.15rem 0; font-size: 1.1rem;}
/* Accessibility (WCAG 2.2 AA). Streamlit draws captions in the text colour at 60% opacity
   (#929292-#828180 on white, 3.1-3.9:1): full opacity and a dark grey here (8.9:1).
   Its hover "link to heading" anchors put dozens of hidden stops in the tab order: removed.
   Its navigation shows focus as a faint grey background: a solid outline instead. */
[data-testid="stCaptionContainer"] {opacity: 1; color: #4a4a4a;}
[data-testid="stHeaderActionElements"] {display: none;}
/* !important: Streamlit's own focus styles are class selectors that would otherwise win. */
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, summary:focus-visible,
input:focus-visible {outline: 3px solid #1f4e9c !important; outline-offset: 2px;}
/* Presenter mode (pages/presenter.py): large type scoped to its container. Body text scales with
   the window: 29.8 px at 1920 px wide (projector), no smaller than 20 px at 1280. */
.st-key-csp-present p, .st-key-csp-present li, .st-key-csp-present blockquote {
  font-size: clamp(20px, 1.55vw, 34px); line-height: 1.35;}
.st-key-csp-present h1 {font-size: clamp(30px, 2.5vw, 54px); padding-top: 0.2rem;}
.st-key-csp-present h3 {font-size: clamp(22px, 1.7vw, 36px);}
.st-key-csp-present .csp-present-context {font-size: clamp(16px, 1.1vw, 24px); color: #4a4a4a; margin: 0;}
.st-key-csp-present .csp-present-where {text-align: center; font-weight: 700;}
.csp-present-list {margin: 0 0 0 1.2em; padding: 0;}
/* The Page Up/Down twins of Previous and Next: their shortcuts work, the buttons stay unseen. */
.st-key-csp-clicker {display: none;}
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


def html_table(columns: list[tuple[str, str]], rows: list[dict[str, str]], widths: list[int] | None = None) -> str:
    """A plain HTML table; ``columns`` are (key, heading), a heading ending in '#' is numeric.
    Cell values are already-escaped HTML. ``widths``: each column's share of the table in per
    cent, fixed, every cell wrapping (for a narrow column); without them the cells size it."""
    head = "".join(f"<th>{escape(h.rstrip('#'))}</th>" for _, h in columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if h.endswith("#") else ""}">{row.get(k, "")}</td>' for k, h in columns)
        + "</tr>"
        for row in rows
    )
    if widths is None:
        return f'<table class="csp-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    return (
        f'<table class="csp-table csp-fixed"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def spc_cell(review: Review) -> str:
    """Variation and assurance, each as its icon and words."""
    return f"{status_cell(review.spc.variation)}<br>{status_cell(review.spc.assurance)}"


def spc_inline(review: Review) -> str:
    """Variation and assurance on one line."""
    return spc_cell(review).replace("<br>", " &nbsp; ")


def status_lines(s: IndicatorStatus, review: Review) -> str:
    """An indicator's status, variation and assurance on one line, its sentence below (with the
    demo tag when its figure is demo data)."""
    return (
        f'<div class="csp-sentence">{status_cell(s.rag)} &nbsp; {spc_inline(review)}</div>'
        f'<div class="csp-sentence">{escape(review.sentence)}{demo_tag(s.value.is_demo)}</div>'
    )


def baseline_text(ind: Indicator) -> str:
    """The plan's baseline: its figure, and the change it quotes on the year before."""
    base = ind.baseline
    change = "" if base.change_pct is None else f"{base.change_pct:+.1f}% on the year before"
    if base.value is None:
        return "no figure quoted" + (f"; {change}" if change else " in the plan")
    return format_value(base.value, ind.unit) + (f"<br>{change}" if change else "")


def key_figures(figures: list[tuple[str, str]]) -> str:
    """Figures in large type, each under its label ((label, value) pairs, already HTML)."""
    tiles = "".join(
        f'<div class="csp-keyfig"><div class="csp-keylabel">{label}</div><div class="csp-keyvalue">{value}</div></div>'
        for label, value in figures
    )
    return f'<div class="csp-keyfigs">{tiles}</div>'


FIGURE_WIDTHS = [50, 50]  # per cent: what a figure is compared with, then the change (both wrap)


def indicator_figures(s: IndicatorStatus) -> str:
    """A theme card's figures: the latest and the target in large type, then the changes on
    last quarter and last year and the plan's baseline in a table that wraps to its column."""
    ind = s.indicator
    latest = format_value(s.value.value, ind.unit) + demo_tag(s.value.is_demo)
    previous = escape(s.vs_previous.short) if ind.frequency != "annual" else "annual"
    rows = [
        # a survey measure's figure with its 95% interval and responses, e.g. "63.2% (59.6-66.7%), 696 responses"
        *([{"k": "Survey estimate (95% interval)", "v": escape(s.figure)}] if s.survey else []),
        {"k": "vs last quarter", "v": previous},
        {"k": "vs previous wave" if s.survey else "vs same period last year", "v": escape(s.vs_last_year.short)},
        {"k": f"Baseline {escape(ind.baseline.period or '')}", "v": baseline_text(ind)},
    ]
    return key_figures(
        [(f"Latest ({escape(s.value.label)})", latest), ("Target", format_value(s.target, ind.unit))]
    ) + html_table([("k", "Measure"), ("v", "Value#")], rows, FIGURE_WIDTHS)


def commentary_quote(note: Commentary, dated: bool = False) -> str:
    """An owner's commentary as a quotation: escaped text, never markdown (a return's words
    cannot become a link, an image or HTML), its author, with ``dated`` its quarter."""
    when = f" ({note.quarter.label})" if dated else ""
    return (
        '<blockquote style="overflow-wrap:anywhere">'
        f"{escape(note.text)} — {escape(note.author or 'unattributed')}{when}{demo_tag(note.is_demo)}</blockquote>"
    )


def actions_table(plan_: Plan, objective_id: str, progress: dict[str, ActionProgress]) -> str:
    """A priority's actions: each with its owner, its latest reported status and update (and
    the quarter of that update), or that nothing is reported yet."""
    rows = []
    for action in plan_.actions_for_objective(objective_id):
        update = progress.get(action.id)
        if update:
            status = reported_status(ActionStatus, update.status) + demo_tag(update.is_demo)
            words = f'{escape(update.commentary or "")}<br><span class="csp-muted">{update.quarter.label}</span>'
        else:
            status, words = "– No update", '<span class="csp-muted">Not yet reported</span>'
        owner = escape(plan_.subgroup(action.owner).short_name)
        rows.append({"action": escape(action.text), "owner": owner, "status": status, "update": words})
    columns = [("action", "Action"), ("owner", "Owner"), ("status", "Status"), ("update", "Latest update")]
    return html_table(columns, rows)


def indicator_card(s: IndicatorStatus, plan_: Plan, review: Review | None = None, link: str | None = None) -> str:
    """One indicator as a card: status (symbol and word) and name first, then latest and target,
    the changes on last quarter and last year (sign and judgement apart), variation and
    assurance, owner and the sentence. ``link``: where the name links to (its detail)."""
    ind = s.indicator
    name = escape(ind.name)
    if link:
        name = f'<a href="{escape(link)}">{name}</a>'
    previous = f"last quarter {escape(s.vs_previous.short)} · " if ind.frequency != "annual" else "annual figure · "
    note = f" · {escape(s.value.note)}" if s.value.note else ""
    spc = f'<div class="csp-figs">{spc_inline(review)}</div>' if review else ""
    return (
        f'<div class="csp-card" style="border-left-color:{s.rag.colour}">'
        f"<div>{status_cell(s.rag)}</div>"
        f'<div class="csp-name">{name}</div>'
        f'<div class="csp-figs">Latest <strong>{escape(s.figure)}</strong>'
        f"{demo_tag(s.value.is_demo)} ({escape(s.value.label)}{note}) · target {format_value(s.target, ind.unit)}</div>"
        f'<div class="csp-figs">{previous}{"previous wave" if s.survey else "last year"} '
        f"{escape(s.vs_last_year.short)}</div>"
        f"{spc}"
        f'<div class="csp-muted">{escape(s.sentence)} Owner: {escape(plan_.subgroup(ind.owner).short_name)}.</div>'
        "</div>"
    )


def linked_status_item(status: StatusIcon, href: str, name: str, is_demo: bool, details: list[str]) -> str:
    """One line of a linked list of indicators (the exceptions on Plan on a Page and the
    Exception report, a theme at a glance): its status, its name as a link, the demo tag, then
    ``details`` (already HTML) in grey, joined by dots."""
    muted = f'<span class="csp-muted">· {" · ".join(details)}</span>' if details else ""
    return f'<li>{status_cell(status)} <a href="{href}">{escape(name)}</a>{demo_tag(is_demo)} {muted}</li>'


def review_item(plan_: Plan, review: Review, href: str, details: list[str]) -> str:
    """An exception as a line of a linked list (see :func:`linked_status_item`), its owner last."""
    owner = escape(plan_.subgroup(review.indicator.owner).short_name)
    return linked_status_item(
        review.status.rag, href, review.indicator.name, review.status.value.is_demo, [*details, owner]
    )


def indicator_anchor(indicator_id: str) -> str:
    """The id of an indicator's card on its theme page (the page's at-a-glance list links here)."""
    return f"ind-{indicator_id}"


def exception_anchor(indicator_id: str) -> str:
    """The id of an exception's detail on the Exception report (links point here)."""
    return f"exc-{indicator_id}"


def indicator_cards(cards: list[str]) -> str:
    """Cards laid out in a grid as wide as the page allows."""
    return f'<div class="csp-cards">{"".join(cards)}</div>'
