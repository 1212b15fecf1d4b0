"""Returns tracker: for the chosen quarter, every subgroup, what it owes, what it has
submitted (version, when, by whom), what is still missing, and whether it is overdue."""

from __future__ import annotations

from datetime import date
from html import escape

import pandas as pd
import streamlit as st

from metrics import tracker
from metrics.access import Action
from pages import auth, common

STATUS_STYLE = {
    tracker.SUBMITTED: ("✔", "#1e6b35"),
    tracker.SUBMITTED_LATE: ("✔", "#1e6b35"),
    tracker.INCOMPLETE: ("◐", "#8a5a00"),
    tracker.INCOMPLETE_OVERDUE: ("✖", "#b3261e"),
    tracker.NOT_YET_DUE: ("○", "#5f6368"),
    tracker.DUE: ("▲", "#8a5a00"),
    tracker.OVERDUE: ("✖", "#b3261e"),
}

auth.require_page(Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
today = date.today()
options = common.return_quarters(today)
labels = [q.label for q in options]
with_returns = [q.label for q in options if not common.submissions(None, q).empty]
default = with_returns[0] if with_returns else labels[min(1, len(labels) - 1)]

st.title("Returns tracker")
label = st.selectbox(
    "Quarter",
    labels,
    index=labels.index(default),
    key="tracker_quarter",
    help="The latest quarter with a return stored is shown first.",
)
quarter = options[labels.index(label)]
frame = common.tracker(quarter, today)
due = frame["deadline"].iloc[0]
rule = common.plan().settings.returns.deadline_working_days
st.markdown(
    f"### {quarter.label} ({quarter.months_label}) · due {due:%A %d %B %Y}\n"
    f"Returns are due {rule} working days after the quarter ends (rule in config.yaml)."
)
common.demo_banner(bool(frame["is_demo"].any()))
cols = st.columns(4)
counts = frame["status"].value_counts()
for col, (title, statuses) in zip(
    cols,
    (
        ("✔ Submitted", (tracker.SUBMITTED, tracker.SUBMITTED_LATE)),
        ("◐ Incomplete", (tracker.INCOMPLETE,)),
        ("✖ Overdue", (tracker.OVERDUE, tracker.INCOMPLETE_OVERDUE)),
        ("○ Not yet due", (tracker.NOT_YET_DUE, tracker.DUE)),
    ),
    strict=True,
):
    col.metric(title, int(sum(counts.get(s, 0) for s in statuses)))

rows = []
for r in frame.itertuples(index=False):
    icon, colour = STATUS_STYLE[r.status]
    submitted = "–"
    if not pd.isna(r.version):
        submitted = (
            f"version {r.version}{common.demo_tag(r.is_demo)}<br>"
            f'<span class="csp-muted">{r.submitted_at:%d %b %Y %H:%M} by {escape(str(r.submitted_by))}</span>'
        )
    rows.append(
        {
            "subgroup": escape(r.subgroup_name),
            "status": f'<span class="csp-status" style="color:{colour}">{icon} {escape(r.status)}</span>',
            "indicators": f"{r.indicators_submitted} of {r.indicators_owed}",
            "actions": f"{r.actions_submitted} of {r.actions_owed}",
            "submitted": submitted,
            "missing": escape(r.missing) or "Nothing",
        }
    )
st.html(
    common.html_table(
        [
            ("subgroup", "Subgroup"),
            ("status", "Status"),
            ("indicators", "Indicators#"),
            ("actions", "Action updates#"),
            ("submitted", "Latest version"),
            ("missing", "Still missing"),
        ],
        rows,
    )
)
st.caption(
    "Key: ✔ Submitted (complete) · ◐ Incomplete (a version is stored but something is missing) · "
    "✖ Overdue (past the deadline and incomplete or not submitted) · ○ Not yet due · ▲ Due (the quarter has "
    "ended; within the deadline). Counts are what the latest version holds; upload a new version to fill gaps."
)
if auth.allowed(Action.SUBMIT_RETURN):
    st.page_link("pages/returns_upload.py", label="Upload a return", icon=":material/upload_file:")
