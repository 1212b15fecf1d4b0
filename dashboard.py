"""The dashboard: router and shared frame. Run with ``streamlit run dashboard.py``.

On a fresh machine with no store, the first start creates it and loads the demo data,
showing progress. Pages are registered explicitly; one theme page per theme of the plan.
st.navigation is called before anything is drawn, so that it resolves the address asked
for (a shared link to a theme page) even on the first start.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from metrics import InitError, PlanError, StoreError, access, area_words, initialise, load_plan
from pages import auth, markup, reads, widgets

# The page icon is a file in the repository: a :material/...: page icon makes the browser fetch
# the favicon from fonts.gstatic.com, which fails offline (nothing is fetched at run time).
BENCH_EMPTY_PAGE = "CSP_BENCH_EMPTY_PAGE"  # set to 1 by bench/page_switch.py only
PAGE_ICON = str(Path(__file__).resolve().parent / "assets" / "icon.png")
st.set_page_config(page_title="CSP performance", page_icon=PAGE_ICON, layout="wide", initial_sidebar_state="auto")

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

# Who is using the app decides which pages exist for them (nothing is drawn yet): a session
# that may not see the dashboard (sign in, no role, refused) gets that one page only.
gate = auth.resolve(plan)
if gate.blocker is not None:
    auth.show_blocker(gate)
user = gate.user

# Each section's pages as (file, title, icon, address), kept only where the person may see them.
board_view = access.can(user, access.Action.VIEW_BOARD)
board = [
    ("pages/overview.py", "Plan on a Page", ":material/dashboard:", "plan-on-a-page"),
    ("pages/exceptions.py", "Exception report", ":material/priority_high:", "exception-report"),
    # Its own address, so the person presenting opens it directly (not "presenter": a url_path
    # equal to its file's name in pages/ breaks AppTest's page switching).
    ("pages/presenter.py", "Present the quarter", ":material/slideshow:", "present"),
    # the action log: every board member reads it; changing it is RECORD_BOARD_ACTION's
    ("pages/action_log.py", "Action log", ":material/assignment:", "action-log"),
    # consultations: every board member reads counts and "you said, we did"; coding is the analyst's
    ("pages/consultation.py", "Consultation", ":material/forum:", "consultation"),
]
if plan.surveys:  # resident surveys: every board member reads the estimates; uploading is the analyst's
    board.append(("pages/survey.py", "Resident surveys", ":material/how_to_vote:", "surveys"))
themes = []
theme_by_path: dict[str, str] = {}
for theme in plan.themes:
    url = theme.id.replace("_", "-")
    theme_by_path[url] = theme.id
    themes.append(("pages/theme.py", theme.short_name, theme.icon, url))
# A plan with no Strategic Assessment file has no page for it; the explorer takes the plan's word.
evidence = []
if board_view and plan.settings.strategic_assessment_file is not None:
    evidence.append(("pages/assessment.py", "Strategic Assessment", ":material/analytics:", "assessment"))
if access.can(user, access.Action.VIEW_ANALYSIS):
    evidence.append(("pages/wards.py", f"{area_words(plan).One} explorer", ":material/map:", "wards"))
returns_pages = []
if access.can(user, access.Action.SUBMIT_RETURN) or access.can(user, access.Action.VIEW_RETURNS):
    returns_pages.append(("pages/returns_upload.py", "Upload a return", ":material/upload_file:", "returns-upload"))
if board_view:
    returns_pages.append(("pages/returns_tracker.py", "Returns tracker", ":material/checklist:", "returns-tracker"))
specs = {plan.partnership.short_name: board if board_view else [], "Themes": themes if board_view else []}
specs |= {"Evidence": evidence, "Returns": returns_pages}
# The first page the person may see is the default, served at the root address (Plan on a Page
# for the board; a subgroup lead's returns for a lead).
sections: dict[str, list[st.Page]] = {}
for name, pages in specs.items():
    if pages:
        sections[name] = [
            st.Page(
                f, title=t, icon=i, url_path=None if not sections and n == 0 else u, default=not sections and n == 0
            )
            for n, (f, t, i, u) in enumerate(pages)
        ]
if os.environ.get(BENCH_EMPTY_PAGE) == "1":
    # bench/page_switch.py compares each page with an almost empty one: the shared frame (the
    # sidebar's quarter picker, the stylesheet) and a title, nothing else.
    def empty_page() -> None:
        widgets.selected_quarter()
        st.title("Empty page (benchmark)", anchor=False)

    sections["Benchmark"] = [st.Page(empty_page, title="Empty page (benchmark)", url_path="bench-empty")]
# Every page listed, always: beyond twelve pages Streamlit would hide some behind "View more",
# which a board member at a projector should not have to find.
nav = st.navigation(sections, expanded=True)
widgets.set_theme(theme_by_path.get(nav.url_path))

try:
    if not reads.store_ready():
        with st.status("First start: creating the data store and loading demo data…", expanded=True) as box:
            bar = st.progress(0.0)

            def progress(fraction: float, message: str) -> None:
                bar.progress(fraction, text=message)

            try:
                report = initialise(plan, reads.store(), with_demo=True, progress=progress)
            except InitError as exc:
                # The store is as it was (init is all or nothing): say what failed, never a traceback.
                box.update(label="First start failed: nothing was changed", state="error", expanded=True)
                st.error(str(exc), icon=":material/error:")
                st.stop()
            for line in report.lines():
                st.write(line)
            box.update(label="Data store ready", state="complete", expanded=False)
    markup.inject_css()
    auth.frame(gate)
    nav.run()
except StoreError as exc:
    st.error(str(exc), icon=":material/lock:")
