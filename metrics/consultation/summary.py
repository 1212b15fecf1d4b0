"""The public summary of a consultation: an accessible HTML page and a PDF, fit for a council's
website.

What it holds: the consultation's facts, how people were heard (activities and participants by
type), what they said (comments per code, and only the example quotes the analyst chose, always
redacted), the findings with the plan's priorities they inform and what was done ("you said, we
did"), and who was heard by area against the population. What it never holds: an original
comment, an activity's internal note, a board action's reference or commentary, a name or
contact detail. Every text is redacted again as it is written (a finding or "we did" typed with
a telephone number in it is caught too) and escaped, so markup from a comment is shown as text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from metrics.consultation.coding import CodingFrame, chosen_quotes
from metrics.consultation.reach import Reach, participants_by_area, reach_table, respondents_by
from metrics.consultation.record import ActivityType, Record
from metrics.consultation.redaction import redacted_text

DEMO_MARK = " (demo)"
DEMO_BANNER = (
    "Demo data: parts of this summary are invented to show how the tool works. They are marked (demo) "
    "and are not real. Facts taken from a published document are marked with their source."
)
FONT = "DejaVu"
PDF_LANGUAGE = "en-GB"
HTML_LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Line:
    """One public line of text, already redacted, and whether it is invented for the demo."""

    text: str
    demo: bool = False

    @property
    def shown(self) -> str:
        return self.text + (DEMO_MARK if self.demo else "")


@dataclass(frozen=True)
class FindingSection:
    statement: Line
    source: str  # where a published statement comes from, or ""
    priorities: tuple[str, ...]
    done: tuple[Line, ...]


@dataclass(frozen=True)
class PublicSummary:
    """Everything the public summary shows, already chosen and redacted."""

    title: str
    partnership: str
    facts: tuple[tuple[str, str], ...]  # (label, value)
    fact_source: str
    emerging_themes: tuple[str, ...]
    heard_headings: tuple[str, ...]
    heard_rows: tuple[tuple[str, ...], ...]
    said_headings: tuple[str, ...]
    said_rows: tuple[tuple[str, ...], ...]
    quotes: tuple[tuple[str, Line], ...]  # (code label, quote)
    findings: tuple[FindingSection, ...]
    reach_headings: tuple[str, ...]
    reach_rows: tuple[tuple[str, ...], ...]
    reach_note: str
    has_demo: bool

    def texts(self) -> list[str]:
        """Every piece of text the summary shows, for checks."""
        out = [self.title, self.partnership, self.fact_source, self.reach_note, *self.emerging_themes]
        out += [v for pair in self.facts for v in pair] + [c for r in self.heard_rows for c in r]
        out += [c for r in self.said_rows for c in r] + [c for r in self.reach_rows for c in r]
        out += [f"{label} {q.text}" for label, q in self.quotes]
        for f in self.findings:
            out += [f.statement.text, f.source, *f.priorities, *(d.text for d in f.done)]
        return out


def _clean(text: str) -> str:
    return redacted_text(" ".join(text.split()))


def public_summary(
    record: Record,
    frame: CodingFrame,
    *,
    partnership: str,
    theme_names: Mapping[str, str],
    priority_texts: Mapping[str, str],
    area_names: Mapping[str, str],
    population: Mapping[str, int] | None = None,
    area_word: str = "Area",
) -> PublicSummary:
    """The public summary of a record (see the module docstring for what it holds and omits)."""
    c = record.consultation
    demo = record.has_demo
    facts = [
        ("Consultation", _clean(c.title)),
        ("Dates", f"{c.start.day} {c.start:%B %Y} to {c.end.day} {c.end:%B %Y} ({c.weeks} weeks)"),
        ("Purpose", _clean(c.purpose)),
        ("The plan it informs", _clean(c.plan_title)),
    ]
    if c.responses_reported is not None:
        facts.append(("Survey responses reported", f"{c.responses_reported:,}"))
    heard = []
    for t in ActivityType:
        acts = [a for a in record.activities if a.type == t]
        if not acts:
            continue
        counted = [a.participants for a in acts if a.participants is not None]
        mark = DEMO_MARK if any(a.demo for a in acts) else ""
        heard.append(
            (t.value.capitalize(), f"{len(acts):,}{mark}", f"{sum(counted):,}{mark}" if counted else "not counted")
        )
    comments = record.comments
    per_code = {code.id: sum(1 for x in comments if code.id in x.codes) for code in frame.codes}
    said = [
        (theme_names.get(code.theme_id, code.theme_id), _clean(code.label), f"{per_code[code.id]:,}")
        for code in frame.codes
        if per_code[code.id]
    ]
    any_demo_comment = any(x.demo for x in comments)
    if any_demo_comment:
        said = [(t, label, n + DEMO_MARK) for t, label, n in said]
    marked = {x.id: x.marked_names for x in comments}
    quotes = tuple(
        (_clean(frame.code(q.code_id).label), Line(redacted_text(q.text, marked.get(q.comment_id, ())), q.demo))
        for q in chosen_quotes(comments, record.chosen_quotes, frame)
    )
    findings = tuple(
        FindingSection(
            statement=Line(_clean(f.statement), f.demo and not f.source),
            source=_clean(f.source),
            priorities=tuple(_clean(priority_texts[p]) for p in f.priority_ids if p in priority_texts),
            done=tuple(
                Line(_clean(a.text) + (f" ({a.when:%B %Y})" if a.when else ""), a.demo)
                for a in record.actions_taken
                if a.finding_id == f.id
            ),
        )
        for f in record.findings
    )
    reach_rows: list[tuple[str, ...]] = []
    if population:
        heard_areas = participants_by_area(record.activities) + respondents_by(comments)
        table = reach_table(heard_areas, population, area_names)
        for r in table.itertuples():
            reach_rows.append(
                (
                    _clean(r.name),
                    f"{r.heard:,}",
                    f"{r.share_heard:.1%}" if r.heard or r.share_heard == 0 else "",
                    f"{r.population_share:.1%}",
                    "fewer than expected" if r.reach == Reach.UNDER else "more than expected"
                    if r.reach == Reach.OVER else "in line, or too few to tell",
                )
            )  # fmt: skip
    return PublicSummary(
        title=f"What residents told us: {_clean(c.title)}",
        partnership=_clean(partnership),
        facts=tuple(facts),
        fact_source=_clean(c.source),
        emerging_themes=tuple(_clean(t) for t in c.emerging_themes),
        heard_headings=("How", "Activities", "People taking part"),
        heard_rows=tuple(heard),
        said_headings=("Theme", "What people raised", "Comments"),
        said_rows=tuple(said),
        quotes=quotes,
        findings=findings,
        reach_headings=(
            area_word,
            "People heard",
            "Share of people heard",
            "Share of population",
            "Compared with population",
        ),
        reach_rows=tuple(reach_rows),
        reach_note=(
            "People heard are those at events held in each area and those who gave their area with a comment. "
            "'Fewer than expected' means fewer than chance alone would explain, allowing for how many "
            "areas are compared."
        ),
        has_demo=demo or any_demo_comment,
    )


# --- HTML -------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #bbb;"
    "padding:.3rem .6rem;text-align:left;vertical-align:top}.demo{background:#fff4e5;border:2px solid #7a4500;"
    "padding:.6rem}blockquote{border-left:4px solid #666;margin:.5rem 0;padding-left:1rem}"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _table(caption: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_html(s: PublicSummary) -> str:
    """The summary as one self-contained, accessible HTML page: a language, one h1 and h2/h3 in
    order, tables with captions and column headers, no scripts, every text escaped."""
    parts = [
        f'<!DOCTYPE html><html lang="{HTML_LANGUAGE}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(s.title)}</title><style>{_STYLE}</style></head><body><main>",
        f"<h1>{_e(s.title)}</h1><p>{_e(s.partnership)}</p>",
    ]
    if s.has_demo:
        parts.append(f'<p class="demo" role="note"><strong>{_e(DEMO_BANNER)}</strong></p>')
    parts.append("<h2>About the consultation</h2><dl>")
    parts += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in s.facts]
    parts.append("</dl>")
    if s.emerging_themes:
        parts.append(
            f"<p>What residents told us, as reported in {_e(s.fact_source or 'the published record')}:</p><ul>"
        )
        parts += [f"<li>{_e(t)}</li>" for t in s.emerging_themes]
        parts.append("</ul>")
    parts.append("<h2>How we heard from people</h2>")
    parts.append(
        _table("Activities by type", s.heard_headings, s.heard_rows) if s.heard_rows else "<p>None recorded.</p>"
    )
    parts.append("<h2>What people told us</h2>")
    parts.append(
        _table("Comments by what they raised (a comment may raise several things)", s.said_headings, s.said_rows)
        if s.said_rows else "<p>No comments have been coded yet.</p>"
    )  # fmt: skip
    if s.quotes:
        parts.append("<h3>In their own words</h3>")
        for label, q in s.quotes:
            parts.append(f"<figure><blockquote><p>{_e(q.text)}</p></blockquote><figcaption>{_e(label)}"
                         f"{_e(DEMO_MARK) if q.demo else ''}</figcaption></figure>")  # fmt: skip
    parts.append("<h2>You said, we did</h2>")
    if not s.findings:
        parts.append("<p>No findings have been recorded yet.</p>")
    for f in s.findings:
        parts.append(f"<h3>{_e(f.statement.shown)}</h3>")
        if f.source:
            parts.append(f"<p>Source: {_e(f.source)}</p>")
        if f.priorities:
            parts.append("<p>The plan's priorities this informs:</p><ul>")
            parts += [f"<li>{_e(p)}</li>" for p in f.priorities]
            parts.append("</ul>")
        parts.append("<p>What we did:</p><ul>" + "".join(f"<li>{_e(d.shown)}</li>" for d in f.done) + "</ul>"
                     if f.done else "<p>What we did: not yet recorded.</p>")  # fmt: skip
    if s.reach_rows:
        parts.append("<h2>Who we heard from</h2>")
        parts.append(_table("People heard by area against the population", s.reach_headings, s.reach_rows))
        parts.append(f"<p>{_e(s.reach_note)}</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def summary_pdf(s: PublicSummary) -> bytes:
    """The summary as a tagged-language PDF (fpdf2, DejaVu Sans from matplotlib)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.set_title(s.title)
    pdf.set_lang(PDF_LANGUAGE)
    pdf.set_author(s.partnership)
    pdf.set_subject("Public summary of a consultation")
    pdf.add_page()

    def para(text: str, size: float = 10, bold: bool = False) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def heading(text: str, level: int) -> None:
        pdf.start_section(text, level=level)
        para(text, {0: 16, 1: 13, 2: 11}[level], bold=True)

    def grid(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        pdf.set_font(FONT, "", 8.5)
        with pdf.table(
            text_align="LEFT", line_height=4.5, borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        ) as table:  # fmt: skip
            for values in (headings, *rows):
                row = table.row()
                for v in values:
                    row.cell(v)
        pdf.ln(2)

    heading(s.title, 0)
    para(s.partnership)
    if s.has_demo:
        pdf.set_text_color(122, 69, 0)
        para(DEMO_BANNER, 10, bold=True)
        pdf.set_text_color(0, 0, 0)
    heading("About the consultation", 1)
    for k, v in s.facts:
        para(f"{k}: {v}")
    if s.emerging_themes:
        para(f"What residents told us, as reported in {s.fact_source or 'the published record'}:")
        for t in s.emerging_themes:
            para(f"• {t}")
    heading("How we heard from people", 1)
    grid(s.heard_headings, s.heard_rows) if s.heard_rows else para("None recorded.")
    heading("What people told us", 1)
    grid(s.said_headings, s.said_rows) if s.said_rows else para("No comments have been coded yet.")
    if s.quotes:
        heading("In their own words", 2)
        for label, q in s.quotes:
            para(f"“{q.text}”", 9.5)
            para(f"{label}{DEMO_MARK if q.demo else ''}", 8.5, bold=True)
    heading("You said, we did", 1)
    for f in s.findings:
        heading(f.statement.shown, 2)
        if f.source:
            para(f"Source: {f.source}", 9)
        for p in f.priorities:
            para(f"Priority: {p}", 9)
        for d in f.done or (Line("not yet recorded"),):
            para(f"What we did: {d.shown}", 9)
    if s.reach_rows:
        heading("Who we heard from", 1)
        grid(s.reach_headings, s.reach_rows)
        para(s.reach_note, 9)
    return bytes(pdf.output())
