"""Returns tracker: for the chosen quarter, every subgroup, what it owes, what it has
submitted (version, when, by whom), what is still missing, and whether it is overdue."""

from __future__ import annotations

import logging
from datetime import date
from html import escape

import pandas as pd
import streamlit as st

from metrics import SubmissionStatus, access, store_backup
from pages import auth, markup, reads, widgets

S = SubmissionStatus
LOG = logging.getLogger(__name__)
BACKUP_KEY = "tracker_backup"  # the snapshot prepared in this session: (file name, bytes, summary)
# The four counts at the top: each gathers the statuses it names, headed by the first one's symbol.
COUNTS = (
    ((S.SUBMITTED, S.SUBMITTED_LATE), S.SUBMITTED.label),
    ((S.INCOMPLETE,), S.INCOMPLETE.label),
    ((S.OVERDUE, S.INCOMPLETE_OVERDUE), S.OVERDUE.label),
    ((S.NOT_YET_DUE, S.DUE), S.NOT_YET_DUE.label),
)

auth.require_page(access.Action.VIEW_BOARD)  # the navigation hides it too; a direct address lands here
today = date.today()
options = widgets.return_quarters(today)
labels = [q.label for q in options]
with_returns = [q.label for q in options if not reads.submissions(None, q).empty]
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
frame = reads.tracker(quarter, today)
due = frame["deadline"].iloc[0]
rule = reads.plan().settings.returns.deadline_working_days
st.markdown(
    f"### {quarter.label} ({quarter.months_label}) · due {due:%A %d %B %Y}\n"
    f"Returns are due {rule} working days after the quarter ends (rule in {reads.words().plan_file})."
)
widgets.demo_banner(bool(frame["is_demo"].any()))
cols = st.columns(4)
counts = frame["status"].value_counts()
for col, (statuses, title) in zip(cols, COUNTS, strict=True):
    col.metric(title, int(sum(counts.get(s.word, 0) for s in statuses)))

rows = []
for r in frame.itertuples(index=False):
    submitted = "–"
    if not pd.isna(r.version):
        submitted = (
            f"version {r.version}{markup.demo_tag(r.is_demo)}<br>"
            f'<span class="csp-muted">{r.submitted_at:%d %b %Y %H:%M} by {escape(str(r.submitted_by))}</span>'
        )
    rows.append(
        {
            "subgroup": escape(r.subgroup_name),
            "status": markup.reported_status(SubmissionStatus, r.status),
            "indicators": f"{r.indicators_submitted} of {r.indicators_owed}",
            "actions": f"{r.actions_submitted} of {r.actions_owed}",
            "submitted": submitted,
            "missing": escape(r.missing) or "Nothing",
        }
    )
st.html(
    markup.html_table(
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
    f"Key: {S.SUBMITTED.label} (complete) · {S.INCOMPLETE.label} (a version is stored but something is missing) · "
    f"{S.OVERDUE.label} (past the deadline and incomplete or not submitted) · {S.NOT_YET_DUE.label} · "
    f"{S.DUE.label} (the quarter has ended; within the deadline). Counts are what the latest version holds; "
    "upload a new version to fill gaps."
)
if auth.allowed(access.Action.SUBMIT_RETURN):
    st.page_link("pages/returns_upload.py", label="Upload a return", icon=":material/upload_file:")


if auth.allowed(access.Action.DOWNLOAD_BACKUP):
    st.subheader("Backup of the whole store")
    st.caption(
        "A consistent snapshot of every table (returns, board decisions, the audit trail), safe to take while "
        "others use the dashboard. Restore it with `python -m metrics restore FILE`. It holds personal data: keep "
        "it as the partnership's data protection policy requires. For nightly backups see the README."
    )
    if st.button("Prepare a backup", key="backup_prepare", icon=":material/backup:"):
        with st.spinner("Taking the snapshot"):
            name, data, manifest = store_backup.snapshot_download(reads.store(), reads.plan().path)
        LOG.info("Backup %s prepared for %s", name, auth.current_user().label)
        st.session_state[BACKUP_KEY] = (name, data, f"Taken at {manifest.created_at} (UTC): {len(manifest.tables)} "
                                        f"tables, {manifest.rows:,} rows, {len(data) / 1e6:.1f} MB.")  # fmt: skip
    if BACKUP_KEY in st.session_state:
        name, data, summary = st.session_state[BACKUP_KEY]
        st.download_button(f"Download {name}", data, file_name=name, mime="application/zip", key="backup_download")
        st.caption(summary)
