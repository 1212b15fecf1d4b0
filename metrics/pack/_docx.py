"""The board pack as a Word document, with python-docx."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt, RGBColor

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


def _table(doc, headings: list[str], rows: list[list[str]], size: float = 8) -> None:
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Light List"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)


def _board_actions(doc, pack: Pack) -> None:  # noqa: ANN001 - a python-docx Document
    """The two action log sections, on a page of their own."""
    doc.add_page_break()
    for title, intro, rows in action_sections(pack):
        doc.add_heading(title, level=1)
        doc.add_paragraph(intro)
        if rows:
            _table(doc, ACTION_HEADINGS, rows)


def render(pack: Pack) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    section.footer.paragraphs[0].text = f"{pack.plan.partnership.short_name} board pack {pack.quarter.label}"
    # cover
    doc.add_heading(pack.title, level=0)
    doc.add_paragraph(f"{pack.quarter.label} ({pack.quarter.months_label}) · {pack.plan.partnership.plan_title}")
    doc.core_properties.title = pack.title
    doc.core_properties.language = "en-GB"
    for i, line in enumerate(cover_lines(pack)):
        run = doc.add_paragraph().add_run(line)
        if i == 0 and pack.completeness.is_partial:
            run.bold = True
            run.font.color.rgb = RGBColor(0x7A, 0x45, 0x00)
    if pack.has_demo:
        run = doc.add_paragraph().add_run(
            "DEMO DATA: this pack contains generated figures, marked (demo). They are not real."
        )
        run.bold = True
        run.font.color.rgb = RGBColor(0x7A, 0x45, 0x00)
    doc.add_paragraph(f"Generated {pack.generated_at:%d %B %Y at %H:%M} UTC.")
    # summary
    doc.add_page_break()
    doc.add_heading("Summary of all indicators", level=1)
    for line in key_lines():
        doc.add_paragraph(line).runs[0].font.size = Pt(8)
    _table(doc, SUMMARY_HEADINGS, summary_rows(pack))
    # exceptions
    doc.add_page_break()
    doc.add_heading("Exceptions", level=1)
    if not pack.items:
        doc.add_paragraph("No indicator needs the board's attention or shows notable improvement this quarter.")
    for item in pack.items:
        r = item.review
        doc.add_heading(r.indicator.name, level=2)
        status = doc.add_paragraph().add_run(
            f"{r.category.word}: {'; '.join(r.reasons)}.   {r.status.rag.icon} {r.status.rag.word}   "
            f"{r.spc.variation.icon} {r.spc.variation.word}   {r.spc.assurance.icon} {r.spc.assurance.word}"
        )
        status.bold = True
        doc.add_paragraph(r.sentence)
        doc.add_picture(io.BytesIO(item.chart_png), width=Mm(170))
        doc.add_heading("Owner's commentary", level=3)
        doc.add_paragraph(commentary_text(item))
        doc.add_heading(f"Proposed action ({pack.plan.subgroup(r.indicator.owner).name})", level=3)
        for line in action_lines(item):
            doc.add_paragraph(line, style="List Bullet")
        for line in open_action_lines(pack, item):
            doc.add_paragraph(f"Open board action: {line}")
    _board_actions(doc, pack)
    if pack.residents is not None:  # what residents told us, on a page of its own
        doc.add_page_break()
        doc.add_heading(pack.residents.title, level=1)
        for line in pack.residents.intro:
            doc.add_paragraph(line)
        if pack.residents.rows:
            _table(doc, RESIDENTS_HEADINGS, pack.residents.rows)
    if pack.peers is not None:  # how we compare, on a page of its own
        doc.add_page_break()
        doc.add_heading(pack.peers.title, level=1)
        for line in pack.peers.lines:
            doc.add_paragraph(line)
        for picture in pack.peers.pictures:
            shape = doc.add_picture(io.BytesIO(picture.png), width=Mm(170))
            shape._inline.docPr.set("descr", picture.alt)  # alt text, read by screen readers
            doc.add_paragraph(picture.alt).runs[0].font.size = Pt(8)
        if pack.peers.rows:
            _table(doc, PEER_HEADINGS, [list(r) for r in pack.peers.rows])
    doc.add_page_break()
    doc.add_heading("Submission status of each subgroup", level=1)
    _table(doc, SUBMISSION_HEADINGS, submission_rows(pack))
    doc.add_heading("Data notes", level=1)
    for line in data_notes(pack):
        doc.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
