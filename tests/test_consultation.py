"""The consultation package: importing with located problems, coding counts, reach against the
population (checked against published values), the public summary (accessible, inert, free of
personal data) and the demo from any plan."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from metrics import load_plan, spreadsheet
from metrics.consultation import (
    ActionTaken,
    Activity,
    ActivityType,
    Code,
    CodingFrame,
    Consultation,
    Finding,
    Reach,
    Record,
    demo_record,
    public_summary,
    reach_table,
    read_activities,
    read_comments,
    redacted_comment,
    suggest,
    summary_html,
    summary_pdf,
)
from metrics.consultation.coding import (
    UNCODED,
    WHOLE_AREA,
    chosen_quotes,
    code_counts,
    counts_by_activity_type,
    counts_by_area,
)
from metrics.consultation.export import record_xlsx
from metrics.consultation.importing import Limits
from metrics.consultation.reach import binomial_cdf, clopper_pearson, not_placed
from metrics.consultation.redaction import has_personal_data

ROOT = Path(__file__).resolve().parents[1]
AREAS = {"E01": "Northfield", "E02": "Southgate", "E03": "Riverside"}
CONSULTATION = Consultation(
    "c1", "Safety plan consultation", date(2024, 7, 10), date(2024, 10, 2), "To hear residents", "Safety Plan"
)
FRAME = CodingFrame(
    (
        Code("night", "Feeling unsafe at night", "place", ("at night", "after dark", "evening*")),
        Code("asb", "Anti-social behaviour", "place", ("ASB", "anti-social", "litter", "fly-tipping")),
        Code("vehicle", "Vehicle crime", "offending", ("car crime", "vehicle crime", "catalytic")),
        Code("drugs", "Drugs", "offending", ("drug", "dealing")),
    )
)
THEMES = {"place": "Public places", "offending": "Offending"}


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- importing -----------------------------------------------------------------------------


def test_activities_import_from_csv_with_names_or_codes_and_common_type_words() -> None:
    got = read_activities(
        _csv(
            "Date,Type,Audience,Area,Participants,Note\n"
            "2024-07-10,online survey,Residents,,696,\n"
            "12/08/2024,Forum,Residents' association,Northfield,23,Chair asked about lighting\n"
            "1 September 2024,workshop,Partners,E02,,\n"
        ),
        "activities.csv",
        areas=AREAS,
        consultation=CONSULTATION,
    )
    assert got.ok, [p.text for p in got.problems]
    survey, forum, workshop = got.items
    assert survey.type == ActivityType.ONLINE_SURVEY and survey.area is None and survey.participants == 696
    assert forum.type == ActivityType.FORUM_VISIT and forum.area == "E01" and forum.date == date(2024, 8, 12)
    assert workshop.participants is None and workshop.area == "E02"


def test_every_problem_is_located_in_one_round_and_nothing_is_returned() -> None:
    got = read_activities(
        _csv(
            "id,date,type,audience,area,participants\n"
            "a1,2024-07-10,online survey,Residents,,696\n"
            "a2,31/02/2024,picnic,Residents,Atlantis,lots\n"
            "a1,2025-01-01,workshop,,,3\n"
        ),
        "activities.csv",
        areas=AREAS,
        consultation=CONSULTATION,
    )
    assert got.items == ()
    texts = [p.text for p in got.problems]
    where = {(p.row, p.column.split()[0]) for p in got.problems}
    assert where == {
        (3, "'date'"),
        (3, "'type'"),
        (3, "'area'"),
        (3, "'participants'"),
        (4, "'date'"),
        (4, "'audience'"),
        (4, "'id'"),
    }
    assert all(t.startswith("'activities.csv', row ") and "To fix:" in t for t in texts)
    assert any("outside the consultation (10 Jul 2024 to 02 Oct 2024)" in t for t in texts)
    assert any("one of: online survey, workshop, public event" in t and "Seen: 'picnic'" in t for t in texts)
    assert any("used already on row 2" in t for t in texts)


def test_a_missing_column_names_the_header_row_and_what_it_needs() -> None:
    got = read_activities(_csv("when,type\n2024-07-10,workshop\n"), "a.csv", areas=AREAS)
    assert not got.ok and got.items == ()
    (p,) = got.problems
    assert p.row == 1 and "no column 'date', 'audience'" in p.problem and "required: date, type, audience" in p.fix


def test_comments_import_from_xlsx_redacted_and_checked_against_activities_codes_and_groups() -> None:
    rows = [
        ["id", "activity", "comment", "area", "group", "codes"],
        ["c1", "a1", "Drug dealing at night, ring 07700 900123", "Southgate", "18-24", "drugs; night"],
        ["c2", "a1", "<script>alert('x')</script> litter everywhere", None, None, None],
    ]
    got = read_comments(
        _xlsx(rows), "comments.xlsx", activity_ids={"a1"}, areas=AREAS, frame=FRAME, groups=["18-24", "25-64"]
    )
    assert got.ok, [p.text for p in got.problems]
    c1, c2 = got.items
    assert c1.codes == ("drugs", "night") and c1.area == "E02" and c1.group == "18-24"
    assert c1.redacted == "Drug dealing at night, ring [phone number removed]"
    assert c1.text.endswith("07700 900123")  # the original, for the analyst only
    assert c2.text.startswith("<script>")  # kept as text: every output escapes it


def test_bad_comments_are_all_located_and_hostile_cells_refused() -> None:
    rows = [
        ["activity", "comment", "group", "codes"],
        ["a9", "fine", None, None],
        ["a1", '=HYPERLINK("http://evil.example","click")', None, None],
        ["a1", "x" * 60, "pensioners", "nope"],
        ["a1", "", None, None],
    ]
    got = read_comments(
        _xlsx(rows), "c.xlsx", activity_ids={"a1"}, areas=AREAS, frame=FRAME, groups=["18-24"],
        limits=Limits(max_cell_chars=50),
    )  # fmt: skip
    assert got.items == ()
    found = {(p.row, p.column.split()[0], p.problem[:40]) for p in got.problems}
    assert (2, "'activity'", "no activity has this id") in found
    assert (3, "'comment'", "the cell holds text a spreadsheet would ") in found
    assert (4, "'comment'", "the cell holds 60 characters, more than ") in found
    assert (4, "'group'", "this is not one of the declared groups") in found
    assert (4, "'codes'", "these codes are not in the coding frame") in found
    assert (5, "'comment'", "the comment is blank") in found
    bell = read_comments(_csv("activity,comment\na1,bell\x07\n"), "c.csv", activity_ids={"a1"}, areas=AREAS)
    assert bell.items == () and "row 2, 'comment' (B): the cell holds a control character" in bell.problems[0].text


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.xls", b"anything", "'.xls' file cannot be read"),
        ("a.xlsx", b"id,date\n", "not an Excel workbook"),
        ("a.csv", "date,type\n".encode("utf-16"), "binary data"),
        ("a.csv", "date,type,audience\n2024-07-10,workshop,Caf\xe9\n".encode("cp1252"), "not UTF-8"),
        ("a.csv", b"", "the file is empty"),
    ],
)
def test_unreadable_files_get_one_clear_message(name: str, content: bytes, words: str) -> None:
    got = read_activities(content, name, areas=AREAS)
    assert got.items == () and len(got.problems) == 1
    assert words in got.problems[0].text


def test_many_bad_rows_are_bounded_with_a_count_of_the_rest() -> None:
    body = "".join(f"2024-07-{10 + i % 20},picnic,Residents\n" for i in range(30))
    got = read_activities(_csv("date,type,audience\n" + body), "a.csv", areas=AREAS)
    assert len(got.problems) == 11
    assert "20 more problems like the one above" in got.problems[-1].problem


# --- coding ----------------------------------------------------------------------------------


def test_suggestions_come_from_key_phrases_most_found_first() -> None:
    got = suggest("Fly-tipping and litter, and drug dealing in the evenings", FRAME)
    assert [s.code_id for s in got] == ["asb", "drugs", "night"]
    assert got[0].phrases == ("litter", "fly-tipping")
    assert suggest("Nothing relevant here", FRAME) == ()
    assert [s.code_id for s in suggest("drugs", FRAME)] == ["drugs"]  # a plural matches


def _comments() -> tuple[list[Activity], list]:
    acts = [
        Activity("a1", date(2024, 7, 10), ActivityType.ONLINE_SURVEY, "Residents", None, 3),
        Activity("a2", date(2024, 8, 1), ActivityType.FORUM_VISIT, "Forum", "E01", 20),
    ]
    comments = [
        redacted_comment("c1", "a1", "unsafe at night", area="E01", codes=("night",)),
        redacted_comment("c2", "a1", "drugs and night", area="E02", codes=("drugs", "night")),
        redacted_comment("c3", "a2", "ASB", area="E01", codes=("asb",)),
        redacted_comment("c4", "a2", "not coded yet"),
    ]
    return acts, comments


def test_counts_per_code_by_area_and_by_activity_type() -> None:
    acts, comments = _comments()
    table = code_counts(comments, acts, FRAME, THEMES)
    assert table.set_index("code_id")["comments"].to_dict() == {
        "night": 2,
        "asb": 1,
        "vehicle": 0,
        "drugs": 1,
        UNCODED: 1,
    }
    assert table.set_index("code_id").loc["night", "share"] == pytest.approx(0.5)
    by_area = counts_by_area(comments, acts, FRAME, list(AREAS))
    assert by_area.loc["night"].to_dict() == {"E01": 1, "E02": 1, "E03": 0, WHOLE_AREA: 0}
    assert by_area.loc[UNCODED, WHOLE_AREA] == 1
    by_type = counts_by_activity_type(comments, acts, FRAME)
    assert by_type.loc["night", "online survey"] == 2 and by_type.loc["asb", "forum visit"] == 1
    assert list(by_type.columns) == [t.value for t in ActivityType]


def test_chosen_quotes_are_redacted_and_only_where_the_comment_carries_the_code() -> None:
    acts, comments = _comments()
    comments[1] = redacted_comment("c2", "a1", "Drugs, email jo@example.org", codes=("drugs",))
    quotes = chosen_quotes(comments, [("drugs", "c2"), ("asb", "c1"), ("night", "c1"), ("night", "gone")], FRAME)
    assert [(q.code_id, q.comment_id) for q in quotes] == [("night", "c1"), ("drugs", "c2")]
    assert quotes[1].text == "Drugs, email [email removed]"


# --- reach -----------------------------------------------------------------------------------


def test_the_exact_interval_and_tail_match_published_values() -> None:
    # Clopper-Pearson 95% for 5/10 (Agresti & Coull 1998 table; R binom.test(5, 10)): 0.1871, 0.8129
    low, high = clopper_pearson(5, 10)
    assert (low, high) == (pytest.approx(0.187086, abs=1e-6), pytest.approx(0.812914, abs=1e-6))
    # 0 of 10: the upper bound is 1 - 0.025 ** (1 / 10) in closed form
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025**0.1, abs=1e-9)
    # P(X <= 2) for Binomial(20, 0.3) = 0.035483 (R pbinom(2, 20, 0.3))
    assert binomial_cdf(2, 20, 0.3) == pytest.approx(0.0354831, abs=1e-7)


def test_reach_flags_under_and_over_reach_only_with_evidence() -> None:
    table = reach_table({"a": 10, "b": 50, "c": 40, "x": 7}, {"a": 300, "b": 300, "c": 400}, {"a": "Alpha"})
    rows = table.set_index("area")
    assert rows.loc["a", "name"] == "Alpha" and rows.loc["a", "heard"] == 10
    assert rows.loc["a", "population_share"] == pytest.approx(0.3) and rows.loc["a", "expected"] == pytest.approx(30)
    assert rows.loc["a", "ratio"] == pytest.approx(1 / 3)
    assert list(rows["reach"]) == [Reach.UNDER, Reach.OVER, Reach.IN_LINE]
    assert not_placed({"a": 10, "x": 7, "(not known)": 3}, {"a": 300}) == 10
    # 2 heard where 4 were expected: a ratio of 0.5 but no evidence of under-reach
    small = reach_table({"a": 2, "b": 18}, {"a": 200, "b": 800}).set_index("area")
    assert small.loc["a", "ratio"] == pytest.approx(0.5) and small.loc["a", "reach"] == Reach.IN_LINE


# --- the public summary ------------------------------------------------------------------------

PERSONAL = [
    "jo.bloggs@example.co.uk",
    "sam (at) example dot org",
    "07700 900123",
    "+44 (0)121 496 0000",
    "024 7683 2000",
    "CV1 5RR",
    "b12 9qt",
    "Sam Exampleton",
]
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> =HYPERLINK(\"http://evil\")"


@pytest.fixture(scope="module")
def hostile_record() -> Record:
    """A record whose comments, findings and actions carry personal data and markup."""
    acts = (
        Activity("a1", date(2024, 7, 10), ActivityType.ONLINE_SURVEY, "<i>Residents</i>", "E01", 40),
        Activity("a2", date(2024, 8, 1), ActivityType.WORKSHOP, "Partners", None, 12, note="Internal: chair rude"),
    )
    comments = tuple(
        redacted_comment(
            f"c{i}", "a1", f"Drug dealing at night. Contact {item}. {HOSTILE}", area="E01",
            codes=("drugs", "night"), marked_names=("Sam Exampleton",),
        )
        for i, item in enumerate(PERSONAL)
    )  # fmt: skip
    findings = (
        Finding("F1", "Residents feel less safe at night (tell 07700 900123)", ("night_out",), ("A-2025/26-Q1-01",)),
    )
    done = (ActionTaken("W1", "F1", f"More patrols; ask jo.bloggs@example.co.uk {HOSTILE}", date(2025, 1, 5)),)
    chosen = tuple(("drugs", c.id) for c in comments) + tuple(("night", c.id) for c in comments)
    return Record(CONSULTATION, acts, comments, findings, done, chosen)


@pytest.fixture(scope="module")
def outputs(hostile_record: Record) -> dict[str, str]:
    s = public_summary(
        hostile_record, FRAME, partnership="Test partnership", theme_names=THEMES,
        priority_texts={"night_out": "A safe night out"}, area_names=AREAS, population={"E01": 100, "E02": 300},
    )  # fmt: skip
    pdf = summary_pdf(s)
    reader = PdfReader(io.BytesIO(pdf))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages)
    book = openpyxl.load_workbook(io.BytesIO(record_xlsx(hostile_record, FRAME, THEMES, AREAS)))
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "Comment (redacted)" in cells and not any(spreadsheet.needs_quote(v) for v in cells)
    return {
        "html": summary_html(s),
        "xlsx": "\n".join(cells),
        "pdf": pdf_text,
        "texts": "\n".join(s.texts()),
        "pdf_lang": str(reader.trailer["/Root"].get("/Lang")),
        "pdf_title": str(reader.metadata.title),
    }


@pytest.mark.parametrize("kind", ["html", "pdf", "texts", "xlsx"])
def test_no_output_holds_any_personal_data(outputs: dict[str, str], kind: str) -> None:
    text = outputs[kind]
    flat = " ".join(text.split())
    for item in PERSONAL:
        assert item.lower() not in flat.lower(), item
    squeezed = flat.replace(" ", "")
    for digits in ("900123", "4960000", "76832000", "5RR", "9qt"):  # any part of a number or postcode
        assert digits not in squeezed, digits
    assert not has_personal_data(flat, ["Sam Exampleton"])
    assert "Exampleton" not in flat
    if kind != "xlsx":  # the officers' export keeps notes and board action references; the public summary never
        assert "Internal" not in flat and "A-2025/26-Q1-01" not in flat


def test_the_html_is_accessible_and_markup_from_comments_is_inert(outputs: dict[str, str]) -> None:
    page = outputs["html"]
    assert page.startswith('<!DOCTYPE html><html lang="en-GB">')
    assert "<script" not in page.lower() and "<img" not in page.lower()  # no live markup from any text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<i>" not in page
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert page.count("<table>") == page.count("<caption>") == page.count("<thead>")
    assert '<th scope="col">' in page and "<title>What residents told us: Safety plan consultation</title>" in page
    for heading in ("About the consultation", "How we heard from people", "What people told us", "You said, we did"):
        assert f"<h2>{heading}</h2>" in page
    assert "More patrols; ask [email removed]" in page and "A safe night out" in page


def test_the_pdf_has_title_language_and_the_sections(outputs: dict[str, str]) -> None:
    assert outputs["pdf_lang"] == "en-GB"
    assert outputs["pdf_title"] == "What residents told us: Safety plan consultation"
    for heading in ("How we heard from people", "What people told us", "You said, we did", "Who we heard from"):
        assert heading in outputs["pdf"]


# --- the demo --------------------------------------------------------------------------------

FACTS = Consultation(
    "c2024", "Plan consultation 2024", date(2024, 7, 10), date(2024, 10, 2), "To hear residents", "The plan",
    responses_reported=696, emerging_themes=("Residents feel safer by day than at night", "Vehicle crime"),
    source="Scrutiny committee minutes",
)  # fmt: skip


@pytest.mark.parametrize("plan_path", [None, ROOT / "tests/partnerships/marrowvale/plan.yaml"])
def test_the_demo_works_from_any_plan_with_real_facts_as_such_and_the_rest_flagged(plan_path: Path | None) -> None:
    plan = load_plan(plan_path) if plan_path else load_plan()
    record = demo_record(FACTS, plan)
    assert record.consultation.weeks == 12 and record.consultation.responses_reported == 696
    survey = [a for a in record.activities if a.type == ActivityType.ONLINE_SURVEY]
    assert survey[0].participants == 696 and not survey[0].demo  # the reported fact
    others = [a for a in record.activities if a is not survey[0]]
    assert others and all(a.demo for a in others)
    assert {a.type for a in record.activities} == set(ActivityType)
    assert record.comments and all(c.demo for c in record.comments)
    assert {c.area for c in record.comments} - {None} <= {w.code for w in plan.wards}
    assert any("[" in c.redacted for c in record.comments)  # made-up contact details are redacted
    assert [f.statement for f in record.findings] == list(FACTS.emerging_themes)
    objective_ids = {o.id for o in plan.objectives}
    assert all(f.demo and set(f.priority_ids) <= objective_ids and f.priority_ids for f in record.findings)
    assert record.has_demo and record.chosen_quotes and all(a.demo for a in record.actions_taken)
    assert demo_record(FACTS, plan) == record  # the same seed gives the same demo
    from metrics.consultation import frame_from_plan

    frame = frame_from_plan(plan)
    summary = public_summary(
        record, frame, partnership=plan.partnership.name, theme_names={t.id: t.name for t in plan.themes},
        priority_texts={o.id: o.text for o in plan.objectives}, area_names=plan.ward_names(),
        population={w.code: w.population or 0 for w in plan.wards},
    )  # fmt: skip
    page = summary_html(summary)
    assert "Demo data" in page and "(demo)" in page and "Scrutiny committee minutes" in page
    assert "<td>Online survey</td><td>1</td><td>696</td>" in page  # the real count, not marked demo
    assert not has_personal_data(" ".join(summary.texts()))


def test_the_package_names_no_partnership() -> None:
    for path in (ROOT / "metrics/consultation").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "coventry" not in text.lower(), path
        assert "streamlit" not in text, path
