"""The demo consultation: a published consultation's real facts, with invented detail around
them so every page has something to show.

Real, and shown as such: what the given :class:`Consultation` holds (its title, dates, purpose,
the survey responses and emerging themes a published document reports, and that document's
name). Those facts come from the plan's configuration, never from code. The online survey's
record carries the reported response count and is not marked demo.

Invented, and marked ``demo=True`` wherever shown: every other activity, participant counts,
comments (some with made-up contact details, to show redaction), their codes, the links from
each finding to the plan's priorities, and what was done. It works from any plan: codes come
from the plan's coding frame when it declares one, otherwise one per objective under each theme.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from metrics.consultation.coding import Code, CodingFrame, phrase_found, suggest
from metrics.consultation.record import (
    ActionTaken,
    Activity,
    ActivityType,
    Comment,
    Consultation,
    Finding,
    Record,
)
from metrics.consultation.redaction import redacted_comment

if TYPE_CHECKING:
    from metrics.plan.model import Plan

DEMO_SEED = 2024
COMMENTS_PER_ACTIVITY = (2, 6)  # a small, readable demo: a few comments from each activity
SURVEY_COMMENTS = 40  # free-text answers from the survey (the demo does not invent all of them)
UNCODED_SHARE = 0.25  # left for the analyst to code, so the coding page has work
PHRASES_PER_CODE = 4
WORD_MIN = 4  # shorter words are too common to suggest a code
_STOP = set(
    "that this with within from into their there where which while across ensure increase reduce improve "
    "level levels year number people support review through other those they them have will more less "
    "partnership overall rates awareness knowledge understanding appropriate city county borough entering "
    "great influence neighbourhood".split()
)
_SURVEY_AUDIENCE = "Residents and stakeholders"
_AUDIENCES = {
    ActivityType.WORKSHOP: "Partners of the {theme} theme",
    ActivityType.PUBLIC_EVENT: "Residents at a community event",
    ActivityType.FORUM_VISIT: "Residents' association forum",
    ActivityType.EMAIL_OR_LETTER: "Residents writing in",
    ActivityType.STAKEHOLDER_MEETING: "Business and voluntary sector representatives",
}
_TEMPLATES = (
    "More needs to be done about {p} round here.",
    "I don't feel safe after dark because of {p}.",
    "{P} has got worse on our street this year.",
    "Please put more patrols on for {p}, especially in the evenings.",
    "Nobody seems to follow up when we report {p}.",
    "Our kids see {p} on the way to school, it needs sorting.",
)
# Made-up contact details in shapes the redaction must catch: Ofcom's drama numbers, a reserved
# example domain, a postcode district that does not exist, and a name the analyst marks.
_PERSONAL = (
    ("Ring me on 07700 900{n:03d} if you want details.", ()),
    ("You can email me at resident{n}@example.org.", ()),
    ("I live at ZE9 9{l}Z and it happens outside.", ()),
    ("My neighbour Sam Exampleton{n} has seen it too.", ("Sam Exampleton{n}",)),
)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", text) if w.isupper() or len(w) >= WORD_MIN]


def frame_from_plan(plan: Plan) -> CodingFrame:
    """A coding frame from the plan's own words, for a plan that declares none: one code per
    objective under its theme, its key phrases the objective's distinctive words. Marked demo."""
    codes = []
    for theme in plan.themes:
        for o in theme.objectives:
            phrases = [w.lower() if not w.isupper() else w for w in _words(o.text) if w.lower() not in _STOP]
            codes.append(Code(o.id, o.text, theme.id, tuple(dict.fromkeys(phrases))[:PHRASES_PER_CODE]))
    return CodingFrame(tuple(codes), demo=True)


def _activities(c: Consultation, plan: Plan, rng: random.Random) -> list[Activity]:
    days = max((c.end - c.start).days, 1)
    areas = [w.code for w in plan.wards]
    out = [
        Activity(
            "A0001", c.start, ActivityType.ONLINE_SURVEY, _SURVEY_AUDIENCE, None, c.responses_reported,
            f"Responses as reported in {c.source}" if c.source else "", demo=c.responses_reported is None,
        )
    ]  # fmt: skip
    plan_of = [(ActivityType.WORKSHOP, t.short_name) for t in plan.themes]
    plan_of += [(ActivityType.FORUM_VISIT, "")] * 4 + [(ActivityType.PUBLIC_EVENT, "")] * 3
    plan_of += [(ActivityType.STAKEHOLDER_MEETING, ""), (ActivityType.EMAIL_OR_LETTER, "")]
    for i, (kind, theme) in enumerate(plan_of, start=2):
        local = kind in (ActivityType.FORUM_VISIT, ActivityType.PUBLIC_EVENT) and areas
        out.append(
            Activity(
                f"A{i:04d}",
                c.start + timedelta(days=rng.randrange(days)),
                kind,
                _AUDIENCES[kind].format(theme=theme),
                rng.choice(areas) if local else None,
                rng.randrange(8, 60) if kind != ActivityType.EMAIL_OR_LETTER else rng.randrange(5, 25),
                "Demo note for officers only.",
                demo=True,
            )
        )
    return sorted(out, key=lambda a: (a.date, a.id))


def _comments(activities: Sequence[Activity], frame: CodingFrame, plan: Plan, rng: random.Random) -> list[Comment]:
    areas = [w.code for w in plan.wards]
    usable = [code for code in frame.codes if code.phrases]
    out: list[Comment] = []
    if not usable:
        return out
    for a in activities:
        many = SURVEY_COMMENTS if a.type == ActivityType.ONLINE_SURVEY else rng.randrange(*COMMENTS_PER_ACTIVITY)
        for _ in range(many):
            n = len(out) + 1
            picked = rng.sample(usable, k=min(len(usable), 1 + (rng.random() < 0.3)))
            phrase = rng.choice(picked[0].phrases)
            text = rng.choice(_TEMPLATES).format(p=phrase, P=phrase[:1].upper() + phrase[1:])
            if len(picked) > 1:
                text += f" And {rng.choice(picked[1].phrases)} too."
            names: tuple[str, ...] = ()
            if n % 5 == 0:
                extra, marks = _PERSONAL[(n // 5) % len(_PERSONAL)]
                text += " " + extra.format(n=n, l=rng.choice("ABDEFGHJ"))
                names = tuple(m.format(n=n) for m in marks)
            codes = () if rng.random() < UNCODED_SHARE else tuple(c.id for c in picked)
            area = a.area or (rng.choice(areas) if areas and rng.random() < 0.8 else None)
            out.append(redacted_comment(f"C{n:05d}", a.id, text, area=area, codes=codes, marked_names=names, demo=True))
    return out


def _overlap(a: str, b: str) -> int:
    return len({w.lower() for w in _words(a)} & {w.lower() for w in _words(b)} - _STOP)


def _priorities(statement: str, plan: Plan, frame: CodingFrame) -> tuple[str, ...]:
    """The plan objectives a finding most plausibly informs (an invented link, marked demo): the
    codes its words suggest, then the objectives (with their "how we plan") mentioning those
    codes' phrases or sharing its words; failing all, the first objective of the first code's
    theme, or of the plan."""
    codes = [frame.code(s.code_id) for s in suggest(statement, frame)]
    phrases = [p for code in codes for p in code.phrases]
    themes = {code.theme_id for code in codes}
    scored = []
    for t in plan.themes:
        for o in t.objectives:
            words = " ".join([o.text, *(a.text for a in o.how_we_plan)])
            score = 2 * sum(phrase_found(p, words) for p in phrases) + _overlap(statement, o.text)
            scored.append((score + (t.id in themes), o.id))
    best = sorted((s for s in scored if s[0] > 1), key=lambda s: -s[0])[:2]
    if best:
        return tuple(o for _, o in best)
    theme = next((t for t in plan.themes if t.id in themes and t.objectives), None)
    first = theme.objectives[0] if theme else next((o for t in plan.themes for o in t.objectives), None)
    return (first.id,) if first else ()


def _findings(c: Consultation, plan: Plan, frame: CodingFrame, comments: Sequence[Comment]) -> list[Finding]:
    if c.emerging_themes:
        statements = [(s, c.source) for s in c.emerging_themes]
    else:  # no published themes: the most raised codes, as invented findings
        counts = {code.id: sum(code.id in x.codes for x in comments) for code in frame.codes}
        top = sorted(frame.codes, key=lambda code: -counts[code.id])[:3]
        statements = [(f"Residents raised: {code.label}", "") for code in top]
    return [
        Finding(f"F{i:02d}", statement, _priorities(statement, plan, frame), (), source=source, demo=True)
        for i, (statement, source) in enumerate(statements, start=1)
    ]


def demo_record(
    consultation: Consultation, plan: Plan, frame: CodingFrame | None = None, seed: int = DEMO_SEED
) -> Record:
    """The demo record for a consultation whose facts are real (see the module docstring)."""
    rng = random.Random(seed)
    frame = frame or frame_from_plan(plan)
    activities = _activities(consultation, plan, rng)
    comments = _comments(activities, frame, plan, rng)
    findings = _findings(consultation, plan, frame, comments)
    objective_text = {o.id: o.text for t in plan.themes for o in t.objectives}
    done = [
        ActionTaken(
            f"W{i:02d}",
            f.id,
            "The board asked the lead subgroup to act on this under the priority "
            f"'{objective_text.get(f.priority_ids[0], '') if f.priority_ids else ''}' and to report back each quarter.",
            consultation.end + timedelta(days=60 + 30 * i),
            demo=True,
        )
        for i, f in enumerate(findings, start=1)
    ]
    quotes: dict[str, str] = {}
    for x in comments:  # one quote per code, preferring one that shows redaction at work
        for code in x.codes:
            if code not in quotes or ("[" in x.redacted and "[" not in _by_id(comments, quotes[code]).redacted):
                quotes[code] = x.id
    return Record(
        consultation=consultation,
        activities=tuple(activities),
        comments=tuple(comments),
        findings=tuple(findings),
        actions_taken=tuple(done),
        chosen_quotes=tuple(quotes.items()),
    )


def _by_id(comments: Sequence[Comment], comment_id: str) -> Comment:
    return next(x for x in comments if x.id == comment_id)
