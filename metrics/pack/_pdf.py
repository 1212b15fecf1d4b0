"""The board pack as PDF, with fpdf2 (pure Python; see metrics/pack/model.py for why)."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from metrics.pack.model import (
    ACTION_HEADINGS,
    RESIDENTS_HEADINGS,
    SUBMISSION_HEADINGS,
    SUMMARY_HEADINGS,
    Pack,
    action_lines,
    action_sections,
    commentary_text,
    cover_lines,
    data_notes,
    key_lines,
    open_action_lines,
    submission_rows,
    summary_rows,
)
from metrics.pack.peers import HEADINGS as PEER_HEADINGS

FONT = "DejaVu"
PDF_LANGUAGE = "en-GB"


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=15)
        self.add_font(FONT, "", str(_font_dir() / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(95, 99, 104)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, level: int = 0) -> None:
        size = {0: 15, 1: 12}[level]
        if self.get_y() > self.h - 60:
            self.add_page()
        self.start_section(text, level=level)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def para(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, headings: list[str], rows: list[list[str]], widths: tuple[float, ...], size: float = 7) -> None:
        self.set_font(FONT, "", size)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=size * 0.48,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            row = table.row()
            for h in headings:
                row.cell(h)
            for values in rows:
                row = table.row()
                for v in values:
                    row.cell(v)
        self.ln(2)


def _board_actions(pdf: _Pdf, pack: Pack) -> None:
    """The two action log sections, on a page of their own."""
    pdf.add_page()
    for title, intro, rows in action_sections(pack):
        pdf.heading(title)
        pdf.para(intro, 9)
        if rows:
            pdf.grid(ACTION_HEADINGS, rows, (24, 52, 20, 17, 24, 49))


def render(pack: Pack) -> bytes:
    pdf = _Pdf(f"{pack.plan.partnership.short_name} board pack {pack.quarter.label}")
    # Document title, language and author for screen readers and the PDF reader's title bar.
    pdf.set_title(pack.title)
    pdf.set_lang(PDF_LANGUAGE)
    pdf.set_author(pack.plan.partnership.name)
    pdf.set_subject(f"Quarterly performance report to the board, {pack.quarter.label}")
    pdf.set_display_mode("fullwidth")
    # cover (a bookmark too, so the outline lists every part of the pack)
    pdf.add_page()
    pdf.start_section("Cover", level=0)
    pdf.ln(40)
    pdf.set_font(FONT, "B", 22)
    pdf.multi_cell(0, 10, pack.plan.partnership.name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 16)
    pdf.multi_cell(
        0, 8, f"Board pack: {pack.quarter.label} ({pack.quarter.months_label})", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    pdf.para(pack.plan.partnership.plan_title, 12)
    pdf.ln(6)
    for i, line in enumerate(cover_lines(pack)):
        partial = i == 0 and pack.completeness.is_partial
        if partial:
            pdf.set_text_color(122, 69, 0)
        pdf.para(line, 11, bold=partial)
        pdf.set_text_color(0, 0, 0)
    if pack.has_demo:
        pdf.set_text_color(122, 69, 0)
        pdf.para("DEMO DATA: this pack contains generated figures, marked (demo). They are not real.", 11, bold=True)
        pdf.set_text_color(0, 0, 0)
    pdf.para(f"Generated {pack.generated_at:%d %B %Y at %H:%M} UTC.", 9)
    # summary
    pdf.add_page()
    pdf.heading("Summary of all indicators")
    for line in key_lines():
        pdf.para(line, 7.5)
    pdf.grid(SUMMARY_HEADINGS, summary_rows(pack), (44, 17, 13, 19, 22, 31, 27, 13))
    # exceptions
    pdf.add_page()
    pdf.heading("Exceptions")
    if not pack.items:
        pdf.para("No indicator needs the board's attention or shows notable improvement this quarter.")
    for item in pack.items:
        r = item.review
        if pdf.get_y() > pdf.h - 135:  # keep the heading, sentence and chart on one page
            pdf.add_page()
        pdf.heading(r.indicator.name, level=1)
        pdf.para(
            f"{r.category.word}: {'; '.join(r.reasons)}.   {r.status.rag.icon} {r.status.rag.word}   "
            f"{r.spc.variation.icon} {r.spc.variation.word}   {r.spc.assurance.icon} {r.spc.assurance.word}",
            8.5,
            bold=True,
        )
        pdf.para(r.sentence, 9.5)
        pdf.image(io.BytesIO(item.chart_png), w=168)
        pdf.para("Owner's commentary", 9, bold=True)
        pdf.para(commentary_text(item), 9)
        pdf.para(f"Proposed action ({pack.plan.subgroup(r.indicator.owner).name})", 9, bold=True)
        for line in action_lines(item):
            pdf.para(f"• {line}", 9)
        for line in open_action_lines(pack, item):
            pdf.para(f"Open board action: {line}", 9)
        pdf.ln(3)
    _board_actions(pdf, pack)
    if pack.residents is not None:  # what residents told us, on a page of its own
        pdf.add_page()
        pdf.heading(pack.residents.title)
        for line in pack.residents.intro:
            pdf.para(line, 9)
        if pack.residents.rows:
            pdf.grid(RESIDENTS_HEADINGS, pack.residents.rows, (52, 44, 34, 56))
    if pack.peers is not None:  # how we compare, on a page of its own
        pdf.add_page()
        pdf.heading(pack.peers.title)
        for line in pack.peers.lines:
            pdf.para(line, 9)
        for picture in pack.peers.pictures:
            pdf.image(io.BytesIO(picture.png), w=168, alt_text=picture.alt)
            pdf.para(picture.alt, 8)
        if pack.peers.rows:
            pdf.grid(PEER_HEADINGS, [list(r) for r in pack.peers.rows], (52, 20, 20, 18, 34, 42))
    # submissions and notes
    pdf.add_page()
    pdf.heading("Submission status of each subgroup")
    # "Missing" is the widest: it names each awaited action by its words (never its id).
    pdf.grid(SUBMISSION_HEADINGS, submission_rows(pack), (29, 16, 13, 14, 27, 52, 18, 17))
    pdf.heading("Data notes")
    for line in data_notes(pack):
        pdf.para(f"• {line}", 8.5)
    return bytes(pdf.output())
