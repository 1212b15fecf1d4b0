"""Upload a quarterly return: choose the subgroup and quarter, download the template, upload
the filled-in file, read every problem (summary at the top, linked to the rows of the
preview), confirm, and see earlier versions and what changed between them."""

from __future__ import annotations

import logging
import math
from datetime import date
from html import escape

import streamlit as st

from metrics import Quarter, access, return_versions, returns, spreadsheet
from pages import auth, reads, widgets
from pages.safe_text import plain

SEVERITY = {"error": ("✖ Error", "#b3261e"), "warning": ("▲ Warning", "#8a5a00")}
OUTCOME_KEY = "_return_outcome"
UPLOAD_GENERATION = "_return_upload_generation"  # a new key empties the uploader after a submission
PREVIEW_LIMIT = 300
# What the lead filled in, and enough to recognise the row; the reference columns stay in the file.
PREVIEW_COLUMNS = ("section", "quarter", "id", "indicator_id", "action_id", "period", "value", "ward", "status",
                   "commentary", "contact")  # fmt: skip  # rows shown per sheet; a return is normally a few dozen


def message_item(m: returns.Message) -> str:
    label, colour = SEVERITY[m.severity]
    where = escape(m.where)
    if m.anchor:
        where = f'<a href="#{m.anchor}">{where}</a>'
    seen = "" if m.seen is None else f" Seen: <code>{escape(m.seen) or 'blank'}</code>."
    return (
        f'<li><span class="csp-status" style="color:{colour}">{label}</span> {where}: '
        f"{escape(m.problem)}.{seen} <em>Expected:</em> {escape(m.expected)}.</li>"
    )


def summary(parsed: returns.ParsedReturn) -> None:
    errors, warnings = parsed.error_count, parsed.warning_count  # all found, not only those listed
    if errors:
        st.error(
            f"**{errors:,} error(s)** must be fixed before this return can be stored"
            + (f", and {warnings:,} warning(s) to check." if warnings else ".")
            + " Correct the file and upload it again.",
            icon=":material/error:",
        )
    elif warnings:
        st.warning(
            f"**No errors; {warnings:,} warning(s).** Each says what clears it: fill in the cell it names "
            "and upload the file again, or store the return as it is with an explanation below.",
            icon=":material/warning:",
        )
    else:
        st.success("**The file passed every check.** Confirm below to store it.", icon=":material/check_circle:")
    if parsed.messages:
        st.html('<ul class="csp-messages">' + "".join(message_item(m) for m in parsed.messages) + "</ul>")


def preview(parsed: returns.ParsedReturn) -> None:
    for sheet, frame in parsed.preview.items():
        if frame.empty:
            continue
        st.subheader(f"Preview: {sheet}" + (" sheet" if sheet != returns.CSV_SHEET else ""))
        columns = [c for c in PREVIEW_COLUMNS if c in frame.columns]
        head = "<th>Row</th><th>Messages</th>" + "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = []
        anchor_sheet = returns.sheet_anchor(sheet)
        for r in frame.head(PREVIEW_LIMIT).itertuples(index=False):
            row = r._asdict()
            note = row["messages"]
            style = ""
            if note.startswith("Error"):
                style = ' style="background:#fde7e5"'
            elif note:
                style = ' style="background:#fff4d6"'
            cells = "".join(f"<td>{escape(str(row[c]))}</td>" for c in columns)
            body.append(
                f'<tr id="{anchor_sheet}-{row["row"]}"{style}><td class="num">{row["row"]}</td>'
                f"<td>{escape(note)}</td>{cells}</tr>"
            )
        st.html(
            '<div style="overflow-x:auto"><table class="csp-table"><thead><tr>'
            + head
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table></div>"
        )
        if len(frame) > PREVIEW_LIMIT:
            st.caption(f"First {PREVIEW_LIMIT} of {len(frame)} rows shown.")


def versions(subgroup_id: str, quarter: Quarter) -> None:
    held = reads.submissions(subgroup_id, quarter)
    st.header("Versions stored")
    if held.empty:
        st.info(f"No return has been stored for {reads.plan().subgroup(subgroup_id).name} in {quarter.label} yet.")
        return
    if held["is_demo"].any():
        widgets.demo_banner(True)
    # Every table here is neutralised before it is shown: its own "Download as CSV" must not
    # export a formula a lead typed as text (the input checks refuse them; this covers the rest).
    st.dataframe(spreadsheet.safe_frame(return_versions.versions_table(held)), hide_index=True, width="stretch")
    numbers = [int(v) for v in held["version"]]
    pick = st.columns(3)
    latest = numbers[0]  # widget keys carry it, so a new version resets the choices to it
    shown = pick[0].selectbox("View version", numbers, key=f"return_view_version_{latest}")
    row = held[held["version"] == shown].iloc[0]
    # The file as uploaded is kept for audit; it goes only to those allowed to see it.
    content = reads.return_file(row["sha256"]) if auth.allowed(access.Action.DOWNLOAD_ORIGINAL, subgroup_id) else None
    if content is not None:
        pick[1].download_button(
            f"Download version {shown} as uploaded",
            content,
            file_name=spreadsheet.safe_filename(row["filename"]),  # the name as uploaded may hold anything
            # Served only as a download, never shown in the browser: the bytes as uploaded, for audit.
            mime="application/octet-stream",
            key="return_original",
        )
    pick[2].caption(f"sha256 {row['sha256'][:16]}…")
    indicator_rows, action_rows = reads.submission_rows(subgroup_id, quarter, shown)
    figures = return_versions.version_figures(indicator_rows, reads.plan())
    st.dataframe(spreadsheet.safe_frame(figures), hide_index=True, width="stretch")
    st.dataframe(spreadsheet.safe_frame(return_versions.version_actions(action_rows)), hide_index=True, width="stretch")
    if isinstance(row["warnings"], str) and row["warnings"]:
        st.caption("Warnings accepted with this version: " + plain(row["warnings"].replace("\n", " · ")))
    if len(numbers) > 1:
        st.subheader("What changed")
        a, b = st.columns(2)
        old = a.selectbox("From version", numbers, index=1, key=f"return_compare_old_{latest}")
        new = b.selectbox("To version", numbers, index=0, key=f"return_compare_new_{latest}")
        diff = reads.version_changes(subgroup_id, quarter, old, new)
        if old == new or diff.empty:
            st.info("No differences.")
        else:
            table = return_versions.changes_table(diff, reads.plan(), old, new)
            st.dataframe(spreadsheet.safe_frame(table), hide_index=True, width="stretch")
    if not auth.allowed(access.Action.VIEW_AUDIT, subgroup_id):
        return
    audit = reads.return_audit(subgroup_id, quarter)
    with st.expander(f"Audit log: {len(audit)} attempt(s)"):
        st.dataframe(spreadsheet.safe_frame(return_versions.audit_table(audit)), hide_index=True, width="stretch")


plan = reads.plan()
st.title("Upload a quarterly return")
user = auth.current_user()  # who every audit row and version records: the signed-in identity
today = date.today()
options = widgets.return_quarters(today)
# Only the subgroups whose returns this person may submit or see (a lead: the ones they lead).
subgroups = {
    s.id: s.name
    for s in plan.subgroups
    if access.can(user, access.Action.SUBMIT_RETURN, s.id) or access.can(user, access.Action.VIEW_RETURNS, s.id)
}
if not subgroups:
    st.error("You do not have access to any subgroup's returns. Ask an administrator.", icon=":material/lock:")
    st.stop()
top = st.columns(2)
subgroup_id = top[0].selectbox("Subgroup", list(subgroups), format_func=subgroups.get, key="return_subgroup")
default_quarter = options[1].label if len(options) > 1 else options[0].label
labels = [q.label for q in options]
quarter_label = top[1].selectbox(
    "Quarter",
    labels,
    index=labels.index(default_quarter),
    key="return_quarter",
    help="UK financial-year quarters (Q1 is April-June).",
)
quarter = options[labels.index(quarter_label)]

if not access.can(user, access.Action.SUBMIT_RETURN, subgroup_id):
    st.info(f"You can see {subgroups[subgroup_id]}'s returns but not submit them.", icon=":material/visibility:")
    versions(subgroup_id, quarter)
    st.stop()

st.markdown(
    f"**1. Download the template** for {escape(subgroups[subgroup_id])}, {quarter.label} "
    f"({quarter.months_label}), fill in value, commentary and (for actions) status, and save it. "
    "The workbook's Read me sheet explains every column."
)
dl = st.columns(2)
dl[0].download_button(
    "Excel template (.xlsx)",
    reads.return_template(subgroup_id, quarter, "xlsx"),
    file_name=returns.template_filename(plan, subgroup_id, quarter, ".xlsx"),
    mime=returns.XLSX_MIME,
    key="template_xlsx",
)
dl[1].download_button(
    "CSV template (.csv)",
    reads.return_template(subgroup_id, quarter, "csv"),
    file_name=returns.template_filename(plan, subgroup_id, quarter, ".csv"),
    mime="text/csv",
    key="template_csv",
)

outcome = st.session_state.pop(OUTCOME_KEY, None)
if outcome is not None:
    kind, text = outcome
    # The message can quote a name from a sign-in claim: shown as plain text.
    {"accepted": st.success, "duplicate": st.info, "rejected": st.error}[kind](plain(text))

st.markdown("**2. Upload the filled-in file** (.xlsx or .csv). It is checked before anything is stored.")
generation = st.session_state.get(UPLOAD_GENERATION, 0)
limit_mb = plan.settings.returns.max_file_mb
upload = st.file_uploader(
    "Return file",
    key=f"return_file_{generation}",
    help=f"An .xlsx or .csv return of at most {limit_mb:g} MB.",
    # The browser refuses a larger file before sending it (the checks say the same for the CLI).
    max_upload_size=max(1, math.ceil(limit_mb)),
)

if upload is not None:
    content = upload.getvalue()
    parsed = returns.validate_return(plan, reads.store(), content, upload.name, subgroup_id, quarter)
    summary(parsed)
    preview(parsed)
    st.markdown("**3. Confirm.** Nothing has been stored yet.")
    explanation = None
    if parsed.warnings and not parsed.errors:
        explanation = st.text_area(
            "Explanation for the warnings (stored with the return)",
            key="return_explanation",
            placeholder="For example: figures for September are provisional; the rise follows a police operation.",
        )
    if parsed.errors:
        st.caption(
            "This file has errors, so submitting it will be refused and recorded as a rejected attempt in the "
            "audit log. Fix the file and upload it again."
        )
    if st.button("Submit this return", type="primary", key="return_submit"):
        result = None
        try:  # the rule is asked again where the return is stored, whatever this page showed
            result = returns.submit(plan, reads.store(), parsed, content, user, explanation)
        except access.AccessDenied as exc:
            result = returns.Outcome("rejected", None, f"Not stored: {exc}")
        except returns.ReturnError as exc:
            st.error(str(exc), icon=":material/block:")
        except Exception as exc:  # noqa: BLE001 - the page's boundary: a message here, the traceback in the log
            logging.getLogger(__name__).exception("Submitting return %r (sha256 %s) failed", upload.name, parsed.sha256)
            st.error(
                f"The submission stopped at an unexpected fault ({type(exc).__name__}); nothing was stored. "
                f"The details are in the server's log for the operator (reference {parsed.sha256[:12]}).",
                icon=":material/block:",
            )
        if result is not None:
            st.session_state[OUTCOME_KEY] = (result.outcome, result.message)
            if result.stored:
                st.session_state[UPLOAD_GENERATION] = generation + 1
                reads.clear_after_return()
            st.rerun()

versions(subgroup_id, quarter)
