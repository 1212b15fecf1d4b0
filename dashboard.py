"""The dashboard: router and shared frame. Run with ``streamlit run dashboard.py``.

On a fresh machine with no store, the first start creates it and loads the demo data,
showing progress. Pages are registered explicitly; one theme page per theme of the plan.
st.navigation is called before anything is drawn, so that it resolves the address asked
for (a shared link to a theme page) even on the first start.
"""

from __future__ import annotations

import streamlit as st

from metrics import PlanError, StoreError, initialise, load_plan
from pages import markup, reads, widgets

st.set_page_config(page_title="CSP performance", page_icon=":material/shield:", layout="wide")

try:
    plan = load_plan()
except PlanError as exc:
    problem = exc

    def plan_error() -> None:
        st.title("The partnership plan cannot be loaded")
        st.error(
            f"The plan in `{problem.path}` has {len(problem.problems)} problem(s). Correct them in the "
            "file and reload this page.\n\n" + "\n".join(f"- `{p}`" for p in problem.problems)
        )

    # The only page: without st.navigation Streamlit would list the files in pages/.
    st.navigation([st.Page(plan_error, title="Plan error", url_path="plan-error")], position="hidden").run()
    st.stop()

board = [
    st.Page("pages/overview.py", title="Plan on a Page", icon=":material/dashboard:", default=True),
    st.Page(
        "pages/exceptions.py", title="Exception report", icon=":material/priority_high:", url_path="exception-report"
    ),
    st.Page("pages/action_log.py", title="Action log", icon=":material/assignment:", url_path="action-log"),
]
themes: list[st.Page] = []
theme_by_path: dict[str, str] = {}
for theme in plan.themes:
    url = theme.id.replace("_", "-")
    theme_by_path[url] = theme.id
    themes.append(st.Page("pages/theme.py", title=theme.short_name, icon=theme.icon, url_path=url))
evidence = [
    st.Page("pages/assessment.py", title="Strategic Assessment", icon=":material/analytics:", url_path="assessment"),
    st.Page("pages/wards.py", title="Ward explorer", icon=":material/map:", url_path="wards"),
]
returns_pages = [
    st.Page(
        "pages/returns_upload.py", title="Upload a return", icon=":material/upload_file:", url_path="returns-upload"
    ),
    st.Page(
        "pages/returns_tracker.py", title="Returns tracker", icon=":material/checklist:", url_path="returns-tracker"
    ),
]
nav = st.navigation(
    {plan.partnership.short_name: board, "Themes": themes, "Evidence": evidence, "Returns": returns_pages}
)
widgets.set_theme(theme_by_path.get(nav.url_path))

try:
    if not reads.store_ready():
        with st.status("First start: creating the data store and loading demo data…", expanded=True) as box:
            bar = st.progress(0.0)

            def progress(fraction: float, message: str) -> None:
                bar.progress(fraction, text=message)

            report = initialise(plan, reads.store(), with_demo=True, progress=progress)
            for line in report.lines():
                st.write(line)
            box.update(label="Data store ready", state="complete", expanded=False)
    markup.inject_css()
    nav.run()
except StoreError as exc:
    st.error(str(exc), icon=":material/lock:")
