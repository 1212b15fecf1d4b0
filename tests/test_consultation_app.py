"""The Consultation page in the real Streamlit runtime (AppTest), on a copy of the demo store in
local mode (an administrator): the record, coding one comment at a time, counts, reach, and
"you said, we did"; the comments' markup stays inert and only the coding page shows originals."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics.consultation.redaction import has_personal_data
from metrics.store import Store
from metrics.store import consultation as consultation_store
from tests.test_app import APP, TIMEOUT, _goto, _no_errors, _text


@pytest.fixture
def at(app_store: Store) -> AppTest:
    return _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "consultation")


def test_the_page_shows_the_record_counts_reach_and_follow_up(at: AppTest) -> None:
    _no_errors(at, "consultation page")
    text = _text(at)
    assert [t.label for t in at.tabs] == ["Record", "Coding", "Counts", "Who was heard", "You said, we did"]
    assert "Demo data." in text and "696 survey responses" in text
    assert "Scrutiny Co\\-ordination Committee minutes" in text or "Scrutiny Co-ordination Committee minutes" in text
    assert "Residents generally feel safer during the day than at night" in text
    assert "Clopper-Pearson" in text and "Bonferroni" in text
    assert any(b.label == "Save and next" for b in at.get("form_submit_button"))
    downloads = [d.proto.label for d in at.get("download_button")]
    assert downloads == ["Public summary (HTML)", "Public summary (PDF)"]


def test_only_the_coding_page_shows_comments_as_written(at: AppTest, app_store: Store) -> None:
    at.session_state["consult_position"] = 4  # the demo's fifth comment carries made-up contact details
    at.run()
    as_written, redacted = (e.value for e in at.get("text"))
    assert has_personal_data(as_written, ["Sam Exampleton5"]), "the analyst sees the original"
    assert not has_personal_data(redacted) and "removed]" in redacted
    outside_coding = [e.value for e in at.dataframe] + [_text(at)]
    assert not any(has_personal_data(str(v)) for v in outside_coding)


def test_coding_a_comment_stores_its_codes_and_moves_on(at: AppTest, app_store: Store) -> None:
    before = consultation_store.load_record(app_store, "plan_2024")
    assert before is not None
    first = before.comments[0]
    at.multiselect(key=f"consult_codes_{first.id}").set_value(["drugs", "night_safety"])
    at.text_input(key=f"consult_names_{first.id}").set_value("Riverside")
    next(b for b in at.get("form_submit_button") if b.label == "Save and next").click().run()
    _no_errors(at, "after saving")
    after = consultation_store.load_record(app_store, "plan_2024")
    assert after is not None and after.comments[0].codes == ("drugs", "night_safety")
    assert "Comment 2 of" in _text(at)


def test_markup_in_a_finding_or_comment_stays_inert(app_store: Store) -> None:
    from dataclasses import replace

    record = consultation_store.load_record(app_store, "plan_2024", originals=True)
    assert record is not None
    hostile = "**loud** <img src=x onerror=alert(1)> [click](http://evil.example)"
    findings = (replace(record.findings[0], statement=hostile), *record.findings[1:])
    comments = (replace(record.comments[0], text=hostile, redacted=hostile), *record.comments[1:])
    consultation_store.save_record(app_store, replace(record, findings=findings, comments=comments))
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "consultation")
    _no_errors(at, "hostile text")
    markdown = [e.value for e in at.markdown]
    assert any("\\*\\*loud\\*\\* \\<img src\\=x onerror\\=alert\\(1\\)\\>" in m for m in markdown)
    assert not any("<img" in m.replace("\\<img", "") for m in markdown)
    assert hostile in [e.value for e in at.get("text")]  # plain text on the coding page


@pytest.mark.parametrize(
    ("who", "coding", "summary"), [("board", False, False), ("officer", False, True), ("analyst", True, False)]
)
def test_each_role_sees_what_it_may(
    app_store: Store, tmp_path, monkeypatch: pytest.MonkeyPatch, who: str, coding: bool, summary: bool
) -> None:
    from tests.test_auth_app import signed_in

    at = _goto(signed_in(who, tmp_path, monkeypatch), "consultation")
    _no_errors(at, who)
    assert ("Coding" in [t.label for t in at.tabs]) is coding
    assert bool(at.get("text")) is coding, "comments as written only for the analyst"
    assert bool(at.get("download_button")) is summary, "the public summary is the board officer's"


@pytest.mark.parametrize("url", ["", "exception-report"])
def test_plan_on_a_page_and_the_exception_report_show_findings_with_overdue_actions(app_store: Store, url: str) -> None:
    at = _goto(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), url)
    _no_errors(at, url or "plan on a page")
    warning = next(w.value for w in at.warning if "You said, we did" in w.value).replace("\\", "")
    assert "3 finding(s) of Community Safety Partnership Plan consultation 2024 have a linked board" in warning
    assert "- Concern about anti-social behaviour: A-2025/26-Q1-01, A-2025/26-Q1-03 *(links demo)*" in warning


def test_the_board_officer_records_an_activity_a_finding_and_what_was_done(at: AppTest, app_store: Store) -> None:
    before = consultation_store.load_record(app_store, "plan_2024")
    assert before is not None
    at.text_input(key="consult_a_audience").set_value("Tenants' forum")
    next(b for b in at.get("form_submit_button") if b.label == "Record the activity").click().run()
    _no_errors(at, "activity")
    at.text_input(key="consult_f_statement").set_value("Residents want <b>lighting</b> in parks")
    at.multiselect(key="consult_f_prio").set_value(["night_out"])
    at.multiselect(key="consult_f_refs").set_value(["A-2025/26-Q1-01"])
    next(b for b in at.get("form_submit_button") if b.label == "Record the finding").click().run()
    _no_errors(at, "finding")
    at.selectbox(key="consult_w_f").set_value("F06")
    at.text_input(key="consult_w_text").set_value("Lighting reviewed in two parks")
    next(b for b in at.get("form_submit_button") if b.label == "Record what was done").click().run()
    _no_errors(at, "we did")
    after = consultation_store.load_record(app_store, "plan_2024")
    assert after is not None and len(after.activities) == len(before.activities) + 1
    added = next(a for a in after.activities if a.audience == "Tenants' forum")  # listed by date
    assert not added.demo and added.participants is None and added.area is None
    assert after.findings[-1].statement == "Residents want <b>lighting</b> in parks"
    assert after.findings[-1].action_refs == ("A-2025/26-Q1-01",) and not after.findings[-1].demo
    assert after.actions_taken[-1].finding_id == "F06" and after.actions_taken[-1].text.startswith("Lighting")
    assert "Residents want \\<b\\>lighting\\<\\/b\\> in parks" in _text(at)  # shown as typed, not as markup
