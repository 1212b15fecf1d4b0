"""Consultation: the record of a consultation (its facts and activities), comments coded to
the plan one at a time (the analyst's, with the comments as written), counts per code, who was
heard against the population, and "you said, we did" with each finding's board actions. The
board's officer imports activities and comments and downloads the public summary.

Text residents wrote is shown with st.text or in tables (never as markdown or HTML), so markup
in a comment stays inert; everywhere but the coding page shows only the redacted text.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from metrics import (
    Quarter,
    access,
    board_actions,
    consultation,
    consultation_followup,
    consultation_operations,
    consultation_plan,
    spreadsheet,
)
from pages import auth, reads, widgets
from pages.safe_text import plain

POSITION_KEY = "consult_position"  # the coding page's place among the comments
PERCENT_COLUMNS = ("share_heard", "population_share", "low", "high")  # the reach table's shares
IMPORT_KINDS = {"Activities": "activities", "Comments": "comments"}

user = auth.require_page(access.Action.VIEW_BOARD)
plan = reads.plan()
meeting_quarter = widgets.selected_quarter()
words = reads.words()
frame = consultation_plan.coding_frame(plan)
theme_names = {t.id: t.name for t in plan.themes}
area_names = plan.ward_names()

st.title("Consultation")
stored = reads.consultations()
if not stored:
    st.info(
        "No consultation is recorded yet. Declare one under `consultation:` in the plan, or start with the demo "
        "(`python -m metrics init --demo`)."
    )
    st.stop()
titles = {cid: f"{title} (from {start:%d %b %Y})" for cid, title, start in stored}
cid = (
    st.selectbox("Consultation", list(titles), format_func=titles.get, key="consult_id")
    if len(titles) > 1
    else stored[0][0]
)
record = reads.consultation(cid)
if record is None:
    st.error("This consultation is no longer in the store. Reload the page.")
    st.stop()
c = record.consultation
widgets.demo_banner(record.has_demo)
if record.has_demo:
    st.caption(
        "In this consultation the facts from the published record are real (dates, survey responses, emerging "
        "themes); the individual activities, participant counts, comments, codes and actions are invented (demo)."
    )

may_code = auth.allowed(access.Action.CODE_COMMENTS)
may_record = auth.allowed(access.Action.RECORD_CONSULTATION)
names = ["Record", *(["Coding"] if may_code else []), "Counts", "Who was heard", "You said, we did"]
tabs = dict(zip(names, st.tabs(names), strict=True))


def _demo(flag: bool) -> str:
    return "demo" if flag else ""


# --- the record ---------------------------------------------------------------------------------
with tabs["Record"]:
    st.subheader(plain(c.title))
    st.markdown(
        f"**Dates:** {c.start.day} {c.start:%B %Y} to {c.end.day} {c.end:%B %Y} ({c.weeks} weeks)  \n"
        f"**Purpose:** {plain(c.purpose)}  \n**Informs:** {plain(c.plan_title)}"
    )
    if c.responses_reported is not None or c.emerging_themes:
        lines = [f"- {plain(t)}" for t in c.emerging_themes]
        reported = f"{c.responses_reported:,} survey responses. " if c.responses_reported is not None else ""
        st.markdown(
            f"**As published in {plain(c.source or 'the published record')}:** {reported}\n\n" + "\n".join(lines)
        )
    activities = pd.DataFrame(
        [
            {
                "Date": a.date,
                "Type": a.type.value,
                "Audience": a.audience,
                words.One: area_names.get(a.area, a.area) if a.area else f"Whole {words.whole}",
                "Participants": a.participants,
                "Note": a.note,
                "Demo": _demo(a.demo),
            }
            for a in record.activities
        ]
    )
    st.markdown(f"**{len(record.activities)} activities, {len(record.comments):,} comments**")
    if len(activities):
        st.dataframe(spreadsheet.safe_frame(activities), hide_index=True, width="stretch", key="consult_activities")
    if may_record:
        with st.expander("Record an activity"), st.form("consult_activity", clear_on_submit=True, border=False):
            a1, a2, a3 = st.columns(3)
            when = a1.date_input("Date", value=c.start, min_value=c.start, max_value=c.end, key="consult_a_date")
            kind = a2.selectbox("Type", list(consultation.ActivityType), format_func=lambda t: t.value.capitalize())
            participants = a3.number_input("Participants (0 if not counted)", min_value=0, step=1, value=0)
            audience = st.text_input("Audience (who took part)", key="consult_a_audience")
            whole = f"Whole {words.whole}"
            area = st.selectbox(words.One, [None, *area_names], format_func=lambda a: area_names.get(a, whole))
            note = st.text_input("Note (for officers only; never published)", key="consult_a_note")
            if st.form_submit_button("Record the activity"):
                try:
                    consultation_operations.add_activity(
                        reads.store(), user, cid, when=when, kind=kind, audience=audience, area=area,
                        participants=int(participants) or None, note=note,
                    )  # fmt: skip
                    st.rerun()
                except consultation.ConsultationError as exc:
                    st.error(plain(exc))
        with st.expander("Import activities or comments (CSV or Excel)"):
            st.caption(
                "Activities: columns date, type, audience (and area, participants, note, id). Comments: columns "
                "activity (the activity's id), comment (and area, group, codes, id). Every problem is listed with "
                "its row and column; a file with any problem stores nothing."
            )
            kind = st.radio("What the file holds", list(IMPORT_KINDS), horizontal=True, key="consult_import_kind")
            upload = st.file_uploader("File", type=["csv", "xlsx"], key="consult_import_file")
            if upload is not None and st.button("Check and import", key="consult_import"):
                got = consultation_operations.import_file(
                    reads.store(), user, cid, upload.getvalue(), upload.name,
                    kind=IMPORT_KINDS[kind], areas=area_names, frame=frame,
                )  # fmt: skip
                if got.ok:
                    st.success(f"Imported {len(got.items)} {IMPORT_KINDS[kind]} from {plain(upload.name)}.")
                else:
                    st.error(f"Nothing was imported: {len(got.problems)} problem(s) to put right.")
                    widgets.problem_table([p.text for p in got.problems], key="consult_import_problems")

    with_comments = {s_.id for s_ in plan.surveys if s_.comment}
    if may_code and auth.allowed(access.Action.VIEW_RESPONDENTS) and with_comments:
        waves = [w for w in consultation_operations.survey_waves(reads.store()) if w[0] in with_comments]
        with st.expander("Comments from a survey wave"):
            st.caption("The survey's declared comment column comes in as comments of one online survey activity, "
                       "redacted as it comes in, with each respondent's area and group.")  # fmt: skip
            if not waves:
                st.info("No wave of a survey that declares a comment column is stored yet.")
            else:
                pick = st.selectbox("Wave", waves, format_func=lambda w: f"{w[0]} {w[1]} ({w[2]:,} respondents)")
                if st.button("Bring in the comments", key="consult_survey"):
                    try:
                        n = consultation_operations.comments_from_survey(
                            reads.store(), user, cid, plan, pick[0], pick[1]
                        )
                        st.success(f"{n:,} comments brought in.")
                    except consultation.ConsultationError as exc:
                        st.error(plain(exc))

# --- coding, one comment at a time (the analyst's) ---------------------------------------------
if may_code:
    with tabs["Coding"]:
        full = consultation_operations.with_originals(reads.store(), user, cid)
        uncoded_only = st.toggle("Only comments not yet coded", key="consult_uncoded")
        queue = [x for x in full.comments if not (uncoded_only and x.codes)]
        if not queue:
            st.success("Every comment is coded.")
        else:
            pos = min(st.session_state.get(POSITION_KEY, 0), len(queue) - 1)
            comment = queue[pos]
            done = sum(1 for x in full.comments if x.codes)
            st.progress(done / len(full.comments), text=f"{done:,} of {len(full.comments):,} comments coded")
            source = next((a for a in full.activities if a.id == comment.activity_id), None)
            st.markdown(
                f"**Comment {pos + 1} of {len(queue)}** · {plain(source.type.value if source else '')} · "
                f"{plain(area_names.get(comment.area, 'area not known') if comment.area else 'area not known')}"
                + (" · demo" if comment.demo else "")
            )
            st.caption("As written (personal data: shown on this page only)")
            st.text(comment.text if not comment.original_deleted else "(original deleted)")
            st.caption("As shown everywhere else")
            st.text(comment.redacted)
            hints = consultation.suggest(comment.text or comment.redacted, frame)
            if hints:
                st.caption(
                    "Suggested: "
                    + "; ".join(f"{plain(frame.code(h.code_id).label)} ({plain(', '.join(h.phrases))})" for h in hints)
                )
            labels = {
                code.id: f"{code.label} ({theme_names.get(code.theme_id, code.theme_id)})" for code in frame.codes
            }
            with st.form("consult_code", border=False):
                chosen = st.multiselect(
                    "Codes", list(labels), default=list(comment.codes) or [h.code_id for h in hints],
                    format_func=labels.get, key=f"consult_codes_{comment.id}",
                )  # fmt: skip
                names_text = st.text_input("Names to redact (separate with commas)", key=f"consult_names_{comment.id}")
                quote = st.checkbox("Use as an example quote for its codes", key=f"consult_quote_{comment.id}")
                save = st.form_submit_button("Save and next", type="primary", shortcut="Ctrl+Enter")
            if save:
                consultation_operations.code_comment(
                    reads.store(), user, cid, comment, chosen, [n for n in names_text.split(",") if n.strip()]
                )
                if quote and chosen:
                    kept = [q for q in full.chosen_quotes if q[1] != comment.id]
                    consultation_operations.choose_quotes(
                        reads.store(), user, cid, kept + [(code, comment.id) for code in chosen]
                    )
                st.session_state[POSITION_KEY] = (pos + 1) % len(queue) if not uncoded_only or not chosen else pos
                st.rerun()
            b1, b2, b3 = st.columns(3)
            if b1.button("Previous", shortcut="Ctrl+Shift+Left", key="consult_prev"):
                st.session_state[POSITION_KEY] = (pos - 1) % len(queue)
                st.rerun()
            if b2.button("Skip for now", shortcut="Ctrl+Shift+Right", key="consult_skip"):
                st.session_state[POSITION_KEY] = (pos + 1) % len(queue)
                st.rerun()
            if not comment.original_deleted and b3.button("Delete this original", key="consult_delete_one"):
                consultation_operations.delete_originals(reads.store(), user, cid, [comment.id])
                st.rerun()
            st.caption("Keys: Ctrl+Enter saves and moves on; Ctrl+Shift+Right skips; Ctrl+Shift+Left goes back.")
        with st.expander("Delete every original of this consultation"):
            st.caption("The redacted comments, their codes and the counts stay. This cannot be undone.")
            if st.checkbox("I understand", key="consult_delete_all_ok") and st.button("Delete all originals"):
                gone = consultation_operations.delete_originals(reads.store(), user, cid)
                st.success(f"Deleted {gone:,} originals.")

# --- counts ---------------------------------------------------------------------------------------
with tabs["Counts"]:
    counts = consultation.code_counts(record.comments, record.activities, frame, theme_names)
    shown = counts.rename(columns={"theme": "Theme", "code": "Code", "comments": "Comments", "share": "Share"})
    st.caption("A comment may carry several codes, so the shares can add up to more than 100%." + (
        " Comments and codes are demo data." if any(x.demo for x in record.comments) else ""))  # fmt: skip
    st.dataframe(
        spreadsheet.safe_frame(shown.drop(columns=["code_id"])),
        hide_index=True,
        column_config={"Share": st.column_config.NumberColumn(format="percent")},
        key="consult_counts",
    )
    by_area = consultation.coding.counts_by_area(record.comments, record.activities, frame, list(area_names))
    by_area.index = [frame.code(i).label if i in frame.ids() else i for i in by_area.index]
    by_area = by_area.rename(columns=area_names)
    st.markdown(f"**By {words.one}**")
    st.dataframe(by_area, key="consult_by_area")
    by_type = consultation.coding.counts_by_activity_type(record.comments, record.activities, frame)
    by_type.index = by_area.index
    st.markdown("**By type of activity**")
    st.dataframe(by_type, key="consult_by_type")
    quotes = consultation.chosen_quotes(record.comments, record.chosen_quotes, frame)
    if quotes:
        st.markdown("**Example quotes the analyst chose (redacted)**")
        st.dataframe(
            spreadsheet.safe_frame(
                pd.DataFrame(
                    [{"Code": frame.code(q.code_id).label, "Quote": q.text, "Demo": _demo(q.demo)} for q in quotes]
                )
            ),
            hide_index=True,
            key="consult_quotes",
        )


# --- who was heard ---------------------------------------------------------------------------------
def _reach(title: str, heard: dict, population: dict, names: dict, unit: str, placed_note: str) -> None:
    """One reach table (counts, shares, interval, flag) with its method note."""
    table = consultation.reach_table(heard, population, names)
    st.markdown(f"**{plain(title)}**")
    st.dataframe(
        table.drop(columns=["area"]).rename(columns={"name": unit}),
        hide_index=True,
        column_config={
            c_: st.column_config.NumberColumn(format="percent")
            for c_ in ("share_heard", "population_share", "low", "high")
        },
        key=f"consult_reach_{title}",
    )
    not_placed = consultation.reach.not_placed(heard, population)
    st.caption(f"{not_placed:,} {placed_note}. " + consultation.reach.method_note(len(table)))


with tabs["Who was heard"]:
    population = {w.code: w.population for w in plan.wards if w.population}
    if not population:
        st.info(f"The plan gives no population for its {words.many}, so reach cannot be compared.")
    else:
        elsewhere = f"not placed in a {words.one} (not known, or across the whole {words.whole})"
        _reach(
            "People at activities, by where each was held", consultation.reach.participants_by_area(record.activities),
            population, area_names, words.One, elsewhere,
        )  # fmt: skip
        _reach(
            "People who commented, by the area they gave", consultation.reach.respondents_by(record.comments),
            population, area_names, words.One, elsewhere,
        )  # fmt: skip
    # By declared group: the first demographic of a survey that gives its population.
    declared = next((d for s_ in plan.surveys for d in s_.demographics[:1] if d.population), None)
    if declared is not None and any(x.group for x in record.comments):
        _reach(
            f"People who commented, by {declared.id.replace('_', ' ')}",
            consultation.reach.respondents_by(record.comments, "group"), dict(declared.population),
            {g: g for g in declared.population}, declared.id.replace("_", " ").capitalize(), "with no group given",
        )  # fmt: skip
    if record.has_demo:
        st.caption("Participant counts and comments' areas are demo data; population figures are the plan's.")

# --- you said, we did ------------------------------------------------------------------------------
with tabs["You said, we did"]:
    views = reads.board_actions()
    # overdue as the board's pages judge it: at the meeting reviewing the quarter chosen in the sidebar
    as_of = board_actions.meeting_day(meeting_quarter or Quarter.of(date.today()).previous())
    behind = {f.finding.id: f for f in consultation_followup.overdue_findings(record.findings, views, as_of)}
    objective_text = {o.id: o.text for o in plan.objectives}
    if not record.findings:
        st.info("No findings recorded yet.")
    for f in record.findings:
        label = f.statement + (" (links demo)" if f.demo else "")
        with st.container(border=True):
            st.markdown(f"**{plain(label)}**" + (f"  \nSource: {plain(f.source)}" if f.source else ""))
            for p in f.priority_ids:
                st.markdown(f"- Priority: {plain(objective_text.get(p, p))}")
            for ref in f.action_refs:
                st.markdown(f"- Board action {plain(ref)}")
            if f.id in behind:
                follow = behind[f.id]
                st.warning(
                    "Linked board action(s) overdue: " + ", ".join(follow.overdue)
                    + ("; not in the action log: " + ", ".join(follow.missing) if follow.missing else ""),
                    icon=":material/schedule:",
                )  # fmt: skip
            for a in record.actions_taken:
                if a.finding_id == f.id:
                    when = f" ({a.when:%B %Y})" if a.when else ""
                    st.markdown(f"We did{when}: {plain(a.text)}" + (" *(demo)*" if a.demo else ""))
    if may_record:
        refs = [v.reference for v in views]
        with st.expander("Record a finding"), st.form("consult_finding", clear_on_submit=True, border=False):
            statement = st.text_input("What residents told us", key="consult_f_statement")
            priorities = st.multiselect(
                "Priorities it informs", list(objective_text), format_func=objective_text.get, key="consult_f_prio"
            )
            linked = st.multiselect("Board actions that follow it up", refs, key="consult_f_refs")
            if st.form_submit_button("Record the finding"):
                try:
                    consultation_operations.add_finding(reads.store(), user, cid, statement, priorities, linked)
                    st.rerun()
                except consultation.ConsultationError as exc:
                    st.error(plain(exc))
        if record.findings:
            statements = {f.id: f.statement for f in record.findings}
            with st.expander("Record what was done"), st.form("consult_done", clear_on_submit=True, border=False):
                finding_id = st.selectbox("Finding", list(statements), format_func=statements.get, key="consult_w_f")
                did = st.text_input("What we did", key="consult_w_text")
                done_on = st.date_input("When", value=date.today(), key="consult_w_when")
                if st.form_submit_button("Record what was done"):
                    try:
                        consultation_operations.add_action_taken(reads.store(), user, cid, finding_id, did, done_on)
                        st.rerun()
                    except consultation.ConsultationError as exc:
                        st.error(plain(exc))
        public = consultation_plan.summary_for(plan, record)
        d1, d2 = st.columns(2)
        d1.download_button(
            "Public summary (HTML)", consultation.summary_html(public).encode("utf-8"),
            file_name=f"{cid}-summary.html", mime="text/html", key="consult_html",
        )  # fmt: skip
        d2.download_button(
            "Public summary (PDF)", consultation.summary_pdf(public), file_name=f"{cid}-summary.pdf",
            mime="application/pdf", key="consult_pdf",
        )  # fmt: skip
        st.caption("The public summary holds no personal data and no internal notes: only redacted quotes the "
                   "analyst chose, counts, findings and what was done.")  # fmt: skip
