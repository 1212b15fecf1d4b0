"""The board pack: PDF and Word, built by the command line and by the library; its text, its
sections, its charts as real images, and its PDF pages rendered to PNG for a person to look at
(tests/artifacts/pack-*.png)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from docx import Document
from PIL import Image
from pypdf import PdfReader

from metrics.board.exceptions import exception_report, review_all
from metrics.pack import PackError, board_pack, pack_format
from metrics.plan.model import load_plan
from metrics.quarters import Quarter
from metrics.store import Store, schema
from metrics.store import indicators as indicator_store
from metrics.survey.results import board_figures
from tests.conftest import ROOT
from tests.test_cli import _run

Q2 = Quarter.parse("2025/26 Q2")
NOW = dt.datetime(2025, 11, 3, 9, 30)
ARTIFACTS = ROOT / "tests" / "artifacts"
PEER_PICTURES = 2  # How we compare: the funnel of partnerships and the trend


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def packs(demo_template):
    plan = load_plan()
    store = Store(demo_template)
    # judged as the pack judges them: a survey measure by its wave's interval
    report = exception_report(review_all(plan, indicator_store.values(store), Q2, None, board_figures(plan, store)))
    pdf = board_pack(plan, store, Q2, "pdf", NOW)
    docx = board_pack(plan, store, Q2, "docx", NOW)
    return report, pdf, docx


def test_the_pdf_has_every_exception_title_and_sentence(packs) -> None:
    report, pdf, _ = packs
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = _words(" ".join(page.extract_text() for page in reader.pages))
    assert len(report) == 11
    for r in report:
        assert r.indicator.name in text
        assert _words(r.sentence) in text, r.indicator.id
    for part in (
        "Summary of all indicators",
        "Variation (SPC, NHS Making Data Count)",
        "Submission status of each subgroup",
        # the demo returns, as the tracker sees them on 3 November 2025 (deadline 28 October)
        "Harm Abuse Reduction Partnership",
        "Incomplete, overdue",
        # names, not ids: the actions' own words (cut at a word), never prevent_schools
        "Indicators: Prevent referrals; Action updates (2): Development of educational resources for schools",
        "Complete quarter: 25 of 25 indicators have a figure for 2025/26 Q2.",
        "by Demo lead (demo)",
        "Data notes",
        "DEMO DATA",
        "Generated 03 November 2025 at 09:30 UTC",
        "Owner's commentary",
        "Proposed action",
    ):
        assert part in text, part
    assert "· worse" in text and "· better" in text, "changes with their judgement, as on the pages"
    # no heading broken mid-word in a narrow column ("Indicato rs")
    for heading in (
        "Subgroup Indicators Actions Version Submitted Missing Deadline Status",
        "Indicator Latest Target vs last year Status Variation Assurance Owner",
    ):
        assert heading in text, heading
    for raw_id in ("prevent_schools", "hh_schools", "ccsp_duty_to_collaborate"):
        assert raw_id not in text.replace(" ", ""), f"the id {raw_id} is shown where people read"
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert outline[:3] == ["Cover", "Summary of all indicators", "Exceptions"]
    assert outline[-3:] == ["How we compare", "Submission status of each subgroup", "Data notes"]
    assert reader.metadata.title == "Coventry Community Safety Partnership: board pack, 2025/26 Q2"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == len(report) + PEER_PICTURES
    for img in images:
        picture = Image.open(io.BytesIO(img.data))
        assert picture.width > 600 and picture.height > 250
        assert sum(1 for n in picture.convert("L").histogram() if n) > 20, "a chart, not a blank box"


def test_the_word_file_has_the_sections_and_charts(packs) -> None:
    report, _, docx = packs
    doc = Document(io.BytesIO(docx))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    names = [h for _, h in headings]
    assert headings[0] == ("Title", "Coventry Community Safety Partnership: board pack, 2025/26 Q2")
    for section in ("Summary of all indicators", "Exceptions", "Submission status of each subgroup", "Data notes"):
        assert ("Heading 1", section) in headings
    assert [h for s, h in headings if s == "Heading 2"] == [r.indicator.name for r in report]
    assert names.count("Owner's commentary") == len(report)
    text = "\n".join(p.text for p in doc.paragraphs)
    for r in report:
        assert r.sentence in text
    summary, arising, followed, residents, peers, submissions = doc.tables
    assert [c.text for c in peers.rows[0].cells][-1] == "Judgement" and len(peers.rows) == 8  # 7 partnerships
    assert ("Heading 1", "What residents told us") in headings
    assert residents.rows[0].cells[0].text == "Residents told us" and len(residents.rows) == 6  # five findings
    assert [row.cells[0].text for row in arising.rows[1:]] == ["A-2025/26-Q2-01", "A-2025/26-Q2-02"]
    assert [row.cells[0].text for row in followed.rows[1:]] == ["A-2025/26-Q1-03", "A-2025/26-Q1-01", "A-2025/26-Q1-02"]
    assert ("Heading 1", "Actions arising") in headings and ("Heading 1", "Actions from the last meeting") in headings
    assert len(summary.rows) == 26  # heading and 25 indicators
    assert [row.cells[0].text for row in submissions.rows[1:]] == [s.name for s in load_plan().subgroups]
    statuses = {row.cells[0].text: row.cells[-1].text for row in submissions.rows[1:]}
    assert statuses["Prevent"] == "Overdue" and statuses["Coventry Reducing Reoffending Board"] == "Submitted"
    assert len(doc.inline_shapes) == len(report) + PEER_PICTURES
    blobs = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(blobs) == len(report) + PEER_PICTURES and all(b.startswith(b"\x89PNG") for b in blobs)


def test_how_we_compare_has_its_pictures_with_alt_text_in_both_formats(packs) -> None:
    _, pdf, docx = packs
    doc = Document(io.BytesIO(docx))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings.index("How we compare") == headings.index("Submission status of each subgroup") - 1
    described = [s._inline.docPr.get("descr") or "" for s in doc.inline_shapes]
    assert described[-2].startswith("Funnel plot of 7 partnerships") and "higher than expected" in described[-2]
    assert described[-1].startswith("Monthly rate per 1,000 residents of Coventry Community Safety Partnership")
    reader = PdfReader(io.BytesIO(pdf))
    text = _words(" ".join(page.extract_text() for page in reader.pages))
    assert "How we compare" in text and "Sandwell (demo)" in text and "(this partnership) (demo)" in text
    alts = [str(node.get("/Alt")) for node in _struct_nodes(reader) if node.get("/Alt")]
    assert any(a.startswith("Funnel plot of 7 partnerships") for a in alts), alts


def _struct_nodes(reader: PdfReader) -> list:
    """Every node of the PDF's structure tree (where fpdf2 puts an image's alt text)."""
    found, todo = [], [reader.trailer["/Root"].get("/StructTreeRoot")]
    while todo:
        node = todo.pop()
        if node is None:
            continue
        node = node.get_object()
        if isinstance(node, list):
            todo += node
        elif hasattr(node, "get"):
            found.append(node)
            kids = node.get("/K")
            if kids is not None:
                todo.append(kids)
    return found


def test_the_pack_has_the_action_sections_with_status_and_latest_note(packs) -> None:
    """Actions arising (new at this quarter's meeting) and actions from the last meeting
    (overdue first, each with its status and latest note), in both formats."""
    _, pdf, docx = packs
    reader = PdfReader(io.BytesIO(pdf))
    text = _words(" ".join(page.extract_text() for page in reader.pages))
    arising = text.index("Actions arising")
    followed = text.index("Actions from the last meeting")
    submissions = text.index("Submission status of each subgroup")
    assert arising < followed < submissions
    assert "Decision: Keep" in text[arising:followed]
    follow = text[followed:submissions]
    assert follow.index("A-2025/26-Q1-03") < follow.index("A-2025/26-Q1-01") < follow.index("A-2025/26-Q1-02")
    assert follow.count("OVERDUE") == 2
    assert "recovery plan agreed with the partners and in place" in follow, "the latest note"
    assert "Demo lead (demo)" in follow, "who gave it"
    exceptions = text[text.index("Exceptions") : arising]
    assert "Open board action: A-2025/26-Q1-01 (City Tasking, due 2025/26 Q2, In progress, OVERDUE)" in exceptions
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "Actions arising" in outline and "Actions from the last meeting" in outline
    doc = Document(io.BytesIO(docx))
    rows = {row.cells[0].text: [c.text for c in row.cells] for t in doc.tables[1:3] for row in t.rows[1:]}
    assert rows["A-2025/26-Q1-02"][4] == "✔ Done"
    assert rows["A-2025/26-Q1-01"][4] == "◐ In progress · OVERDUE"


def test_pdf_pages_render_to_png(packs, tmp_path) -> None:
    """pdftoppm (poppler) renders every page; the PNGs are kept for a person to look at."""
    _, pdf, _ = packs
    ARTIFACTS.mkdir(exist_ok=True)
    source = tmp_path / "pack.pdf"
    source.write_bytes(pdf)
    for old in ARTIFACTS.glob("pack-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(source), str(ARTIFACTS / "pack")], check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("pack-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages)
    for page in pages:
        image = Image.open(page).convert("L")
        assert image.getextrema()[0] < 100, f"{page.name} has no dark ink"


def test_the_command_writes_the_pack_and_leaves_the_store_alone(demo_store, tmp_path) -> None:
    """(Both formats are built above; the command is run once, for the quicker of the two.)"""
    before = schema.checksums(demo_store)
    out = tmp_path / "pack.docx"
    result = _run("board-pack", "--quarter", "Q2 2025/26", "--out", str(out), env={"CSP_DB": str(demo_store.path)})
    assert result.returncode == 0, result.stderr
    assert f"Board pack for 2025/26 Q2 written to {out}" in result.stdout
    assert len(Document(str(out)).inline_shapes) == 11 + PEER_PICTURES
    assert schema.checksums(demo_store) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2025 Q9", "--out", "x.pdf"], "Quarter '2025 Q9' is not in a form we read"),
        (["--quarter", "2025/26 Q2", "--out", "x.txt"], "written as .pdf or .docx; 'x.txt' ends in 'txt'"),
        (["--quarter", "2030/31 Q1", "--out", "x.pdf"], "no monthly or quarterly figures for 2030/31 Q1"),
    ],
)
def test_the_command_explains_bad_input(demo_store, tmp_path, args, message) -> None:
    before = schema.checksums(demo_store)
    result = _run("board-pack", *args, env={"CSP_DB": str(demo_store.path)})
    assert result.returncode == 1
    assert message in result.stderr
    assert not (ROOT / "x.pdf").exists() and not (ROOT / "x.txt").exists()
    assert schema.checksums(demo_store) == before


def test_pack_format() -> None:
    assert pack_format("a/b.PDF") == "pdf" and pack_format("b.docx") == "docx"
    with pytest.raises(PackError, match="ends in 'nothing'"):
        pack_format("pack")


def test_a_survey_measures_chart_shows_its_interval_and_ticks_that_read_apart(
    demo_template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SPC picture of a survey measure (demo wave) draws the latest figure's 95% interval as
    a bar at the last point; a measure with no survey figure has no interval bar; and a percent
    axis over a narrow span (the same measure's line alone, 60-64%) never shows two ticks alike
    ("62%, 62%")."""
    from collections import OrderedDict

    import matplotlib.figure

    from metrics.pack import model
    from metrics.pack.model import spc_png

    monkeypatch.setattr(model, "_drawn", OrderedDict())  # draw each afresh, whatever drew before
    drawn: list[matplotlib.figure.Figure] = []
    save = matplotlib.figure.Figure.savefig

    def keep(fig: matplotlib.figure.Figure, *args: object, **kwargs: object) -> None:
        drawn.append(fig)
        save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    plan = load_plan()
    store = Store(demo_template)
    reviews = review_all(plan, indicator_store.values(store), Q2, None, board_figures(plan, store))
    survey = next(r for r in reviews if r.indicator.id == "unsafe_at_night")
    counted = next(r for r in reviews if r.indicator.police_uk is not None)
    line_only = next(
        r for r in review_all(plan, indicator_store.values(store), Q2) if r.indicator.id == survey.indicator.id
    )
    found = survey.status.survey.current.estimate
    for review in (survey, counted, line_only):
        assert spc_png(review).startswith(b"\x89PNG")
    survey_axes, counted_axes, narrow_axes = (fig.axes[0] for fig in drawn)
    bars = [c for c in survey_axes.containers if type(c).__name__ == "ErrorbarContainer"]
    assert len(bars) == 1 and "95% interval (survey)" in survey_axes.get_legend_handles_labels()[1]
    (segment,) = bars[0].lines[2][0].get_segments()
    assert segment[0][0] == segment[1][0] == len(survey.spc.chart.points) - 1  # at the last point
    assert sorted(y for _, y in segment) == pytest.approx([found.lower, found.upper])
    assert not [c for c in counted_axes.containers if type(c).__name__ == "ErrorbarContainer"]
    ticks = [t.get_text() for t in narrow_axes.get_yticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) > 2 and all(t.endswith("%") for t in ticks), ticks


def test_a_picture_is_drawn_once_for_what_it_shows(demo_template, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same chart asked for again (another quarter's page, the pack, another copy of the
    store) is the same picture, not drawn again; a chart whose points changed is drawn anew."""
    from collections import OrderedDict
    from dataclasses import replace

    from metrics.pack import model

    monkeypatch.setattr(model, "_drawn", OrderedDict())
    draws: list[str] = []
    draw = model._draw_spc
    monkeypatch.setattr(model, "_draw_spc", lambda r, w, h: draws.append(r.indicator.id) or draw(r, w, h))
    plan = load_plan()
    review = review_all(plan, indicator_store.values(Store(demo_template)), Q2)[0]
    first = model.spc_png(review)
    assert model.spc_png(review) == first and draws == [review.indicator.id]
    points = review.spc.chart.points.copy()
    points.loc[points.index[-1], "value"] += 1
    changed = replace(review, spc=replace(review.spc, chart=replace(review.spc.chart, points=points)))
    assert model.spc_png(changed) != first and len(draws) == 2
    assert model.spc_png(review, 5.0, 2.5) != first and len(draws) == 3  # another size is another picture
