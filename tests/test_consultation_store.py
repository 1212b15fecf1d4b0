"""Consultations in the plan, the store and on the command line: the plan's coding frame and
published facts, the demo consultation stored at first start, originals kept apart and
deletable, and the export and public summary commands."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml

from metrics.cli import main
from metrics.consultation import from_plan
from metrics.consultation.followup import overdue_findings
from metrics.consultation.record import Finding
from metrics.consultation.redaction import has_personal_data, redacted_comment
from metrics.plan.model import PlanError, load_plan
from metrics.store import Store, schema
from metrics.store import consultation as consultation_store

ROOT = Path(__file__).resolve().parents[1]


def test_the_plan_declares_the_coding_frame_and_the_published_facts(plan) -> None:
    frame = from_plan.coding_frame(plan)
    assert not frame.demo and {c.theme_id for c in frame.codes} == {t.id for t in plan.themes}
    (spec,) = plan.consultations
    c = from_plan.consultation_of(spec, plan)
    assert (c.start, c.end, c.weeks, c.responses_reported) == (date(2024, 7, 10), date(2024, 10, 2), 12, 696)
    assert "safer during the day than at night" in c.emerging_themes[0] and c.source and not c.demo


def test_a_plan_without_a_frame_gets_one_from_its_objectives(other_plan) -> None:
    frame = from_plan.coding_frame(other_plan)
    assert frame.demo and frame.ids() == tuple(o.id for o in other_plan.objectives)


def test_bad_consultation_entries_are_all_reported_at_once(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    section = raw["consultation"]
    section["coding_frame"].append({"id": "violence", "theme": "nowhere", "label": "Again"})
    section["consultations"][0].update(end=date(2024, 1, 1))
    section["consultations"].append(dict(section["consultations"][0], start="soon"))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    text = str(caught.value)
    assert "consultation.coding_frame[15].id: duplicate code id 'violence'" in text
    assert "consultation.coding_frame[15].theme: unknown theme 'nowhere'; use the id of a theme: exploitation" in text
    assert "consultation.consultations[0].end: 2024-01-01 is before the start 2024-07-10" in text
    assert "consultation.consultations[1].id: duplicate consultation id 'plan_2024'" in text
    assert "consultation.consultations[1].start: 'soon' is not a date" in text


def test_the_demo_consultation_is_stored_redacted_with_originals_apart(demo_store: Store) -> None:
    ((cid, title, start),) = consultation_store.consultation_ids(demo_store)
    assert (cid, start) == ("plan_2024", date(2024, 7, 10))
    public = consultation_store.load_record(demo_store, cid)
    assert public is not None and public.has_demo and public.consultation.responses_reported == 696
    assert all(c.text == "" and c.marked_names == () for c in public.comments)  # no original unless asked
    assert not any(has_personal_data(c.redacted) for c in public.comments)
    analyst = consultation_store.load_record(demo_store, cid, originals=True)
    assert analyst is not None and any(has_personal_data(c.text, c.marked_names) for c in analyst.comments)
    assert any(f.action_refs for f in public.findings)  # linked to the demo board actions
    before = schema.checksums(demo_store)
    some = [c.id for c in analyst.comments[:3]]
    assert consultation_store.delete_originals(demo_store, cid, some) == 3
    after = consultation_store.load_record(demo_store, cid, originals=True)
    assert after is not None
    assert [c.original_deleted for c in after.comments[:4]] == [True, True, True, False]
    assert [(c.redacted, c.codes) for c in after.comments] == [(c.redacted, c.codes) for c in analyst.comments]
    changed = {t for t in before if before[t] != schema.checksums(demo_store)[t]}
    assert changed == {"consultation_originals", "consultation_comments"}
    assert consultation_store.delete_originals(demo_store, cid) == len(analyst.comments) - 3


def test_a_record_round_trips_through_the_store(tmp_path: Path) -> None:
    from metrics.consultation.demo import demo_record

    plan = load_plan()
    record = demo_record(from_plan.consultation_of(plan.consultations[0], plan), plan, from_plan.coding_frame(plan))
    store = Store(tmp_path / "s.duckdb")
    schema.migrate(store)
    consultation_store.save_record(store, record)
    assert consultation_store.load_record(store, record.consultation.id, originals=True) == record
    marked = redacted_comment(record.comments[0].id, record.comments[0].activity_id, "Ring Ann", marked_names=("Ann",))
    consultation_store.update_comment(store, record.consultation.id, marked.coded(("drugs",)))
    again = consultation_store.load_record(store, record.consultation.id, originals=True)
    assert again is not None and again.comments[0].codes == ("drugs",) and again.comments[0].marked_names == ("Ann",)
    consultation_store.delete_demo(store)
    assert consultation_store.consultation_ids(store) == []


class _Action:
    def __init__(self, reference: str, overdue: bool) -> None:
        self.reference, self._overdue = reference, overdue

    def is_overdue(self, as_of: date) -> bool:
        return self._overdue


def test_findings_with_overdue_or_missing_linked_actions_are_picked_out() -> None:
    findings = [Finding("F1", "a", action_refs=("A1", "A2")), Finding("F2", "b", action_refs=("A3",)),
                Finding("F3", "c", action_refs=("A9",)), Finding("F4", "d")]  # fmt: skip
    got = overdue_findings(findings, [_Action("A1", False), _Action("A2", True), _Action("A3", False)], date.today())
    assert [(g.finding.id, g.overdue, g.missing) for g in got] == [("F1", ("A2",), ()), ("F3", (), ("A9",))]


def test_the_commands_write_the_record_and_the_public_summary(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSP_DB", str(demo_store.path))
    before = schema.checksums(demo_store)
    for name in ("summary.html", "summary.pdf", "record.xlsx"):
        kind = "export" if name.endswith(".xlsx") else "summary"
        assert main(["consultation", kind, "--out", str(tmp_path / name)]) == 0
        assert "It contains demo data, marked as such." in capsys.readouterr().out
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "696" in page and "Scrutiny Co-ordination Committee minutes" in page and "(demo)" in page
    assert not has_personal_data(page) and "Exampleton" not in page
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "record.xlsx").read_bytes()))
    assert book.sheetnames == ["About", "Activities", "Comments", "Coding", "Findings", "We did"]
    cells = " ".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v)
    assert not has_personal_data(cells) and "Exampleton" not in cells
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF")
    assert schema.checksums(demo_store) == before
    assert main(["consultation", "summary", "--out", str(tmp_path / "x.txt")]) == 1
    assert "name the file .html or .pdf" in capsys.readouterr().err
    assert main(["consultation", "export", "--out", str(tmp_path / "x.xlsx"), "--id", "nope"]) == 1
    assert "--id nope: no such consultation; the store holds: plan_2024." in capsys.readouterr().err


def test_the_board_pack_says_what_residents_told_us_with_overdue_links(demo_store: Store) -> None:
    import datetime as dt

    from PIL import Image
    from pypdf import PdfReader

    from metrics.pack import build, gather
    from metrics.quarters import Quarter

    png = io.BytesIO()
    Image.new("RGB", (4, 2), "white").save(png, format="PNG")
    plan = load_plan()
    pack = gather(
        plan, demo_store, Quarter.parse("2025/26 Q2"), dt.datetime(2026, 1, 5), chart=lambda r: png.getvalue()
    )
    section = pack.residents
    assert section is not None and section.has_demo and section.title == "What residents told us"
    assert len(section.rows) == 5 and "696 survey responses reported" in section.intro[0]
    assert any("(overdue)" in row[2] for row in section.rows)
    assert section.rows[0][0].startswith("Residents generally feel safer during the day than at night [Scrutiny")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(build(pack, "pdf"))).pages)
    assert "What residents told us" in text and "DEMO" in text
    assert not has_personal_data(text)


def test_the_writes_check_the_role_again_and_report_every_problem(demo_store: Store) -> None:
    from metrics import access
    from metrics.consultation import operations
    from metrics.consultation.record import ActivityType, ConsultationError

    officer = access.User("O", "o@example.org", roles=frozenset({access.Role.BOARD_OFFICER}))
    analyst = access.User("A", "a@example.org", roles=frozenset({access.Role.ANALYST}))
    member = access.User("M", "m@example.org", roles=frozenset({access.Role.BOARD_MEMBER}))
    before = schema.checksums(demo_store)
    with pytest.raises(access.AccessDenied):
        operations.with_originals(demo_store, officer, "plan_2024")  # originals are the analyst's
    with pytest.raises(access.AccessDenied):
        operations.add_finding(demo_store, member, "plan_2024", "x", [], [])
    with pytest.raises(access.AccessDenied):
        operations.delete_originals(demo_store, officer, "plan_2024")
    with pytest.raises(ConsultationError) as caught:
        operations.add_activity(
            demo_store, officer, "plan_2024", when=date(2025, 1, 1), kind=ActivityType.WORKSHOP, audience=" ",
            area=None, participants=-3,
        )  # fmt: skip
    assert str(caught.value) == (
        "The activity was not recorded: the date 01 Jan 2025 is outside the consultation (10 Jul 2024 to 02 Oct 2024); "
        "the audience is blank: say who took part; the number of participants cannot be negative."
    )
    assert schema.checksums(demo_store) == before
    assert operations.with_originals(demo_store, analyst, "plan_2024").comments[0].text


def test_a_survey_waves_comments_come_in_redacted_with_area_and_group(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The survey's own store read is stood in for (its import is tested in the survey's tests);
    the consultation side is real."""
    from dataclasses import replace

    import pandas as pd

    from metrics import access
    from metrics.consultation import operations
    from metrics.consultation.record import ConsultationError
    from metrics.store import survey as survey_store

    plan = load_plan()
    survey = replace(plan.surveys[0], comment="Any other comments")
    plan = replace(plan, surveys=(survey, *plan.surveys[1:]))
    rows = pd.DataFrame(
        {
            "row_number": [1, 2, 3],
            "weight": [1.0, 1.0, 1.0],
            "comment": ["Drug dealing by the park, ring 07700 900123", "", "Speeding on the A45 at night"],
            "area": ["E05001218", None, "E05001219"],
            "age_band": ["16-24", "65+", None],
        }
    )
    monkeypatch.setattr(survey_store, "respondents", lambda store, survey_id, wave: rows)
    analyst = access.User("A", "a@example.org", roles=frozenset({access.Role.ANALYST}))
    officer = access.User("O", "o@example.org", roles=frozenset({access.Role.BOARD_OFFICER}))
    with pytest.raises(access.AccessDenied):
        operations.comments_from_survey(demo_store, officer, "plan_2024", plan, survey.id, "2024")
    assert operations.comments_from_survey(demo_store, analyst, "plan_2024", plan, survey.id, "2024") == 2
    record = consultation_store.load_record(demo_store, "plan_2024")
    assert record is not None
    activity = record.activity("S-resident_survey-2024")
    assert activity.participants == 3 and activity.audience == "CCSP resident survey, 2024"
    brought = [c for c in record.comments if c.activity_id == activity.id]
    assert [(c.redacted, c.area, c.group) for c in brought] == [
        ("Drug dealing by the park, ring [phone number removed]", "E05001218", "16-24"),
        ("Speeding on the A45 at night", "E05001219", None),
    ]
    with pytest.raises(ConsultationError, match="in this consultation already"):
        operations.comments_from_survey(demo_store, analyst, "plan_2024", plan, survey.id, "2024")
