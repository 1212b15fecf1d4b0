"""The consultation pieces a plan declares: its coding frame and its consultations' facts.

A plan without a coding frame gets one made from its own objectives (marked demo, see
``demo.frame_from_plan``), so the coding page works from any plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metrics.consultation.coding import Code, CodingFrame
from metrics.consultation.demo import demo_record, frame_from_plan
from metrics.consultation.record import Consultation, ConsultationError, Record
from metrics.consultation.summary import PublicSummary, public_summary

if TYPE_CHECKING:
    from metrics.plan.model import ConsultationSpec, Plan


def coding_frame(plan: Plan) -> CodingFrame:
    """The plan's coding frame, or (where it declares none) one made from its objectives."""
    if plan.coding_frame:
        return CodingFrame(tuple(Code(c.id, c.label, c.theme_id, c.phrases) for c in plan.coding_frame))
    return frame_from_plan(plan)


def consultation_of(spec: ConsultationSpec, plan: Plan) -> Consultation:
    """A declared consultation as a record: its published facts, informing this plan."""
    return Consultation(
        id=spec.id,
        title=spec.title,
        start=spec.start,
        end=spec.end,
        purpose=spec.purpose,
        plan_title=plan.partnership.plan_title,
        responses_reported=spec.responses_reported,
        emerging_themes=spec.emerging_themes,
        source=spec.source,
    )


def demo_records(plan: Plan) -> list[Record]:
    """A demo record for each consultation the plan marks ``demo: true``: its facts real, the
    detail invented and marked demo."""
    frame = coding_frame(plan)
    return [
        demo_record(consultation_of(s, plan), plan, frame, seed=plan.settings.demo_seed + i)
        for i, s in enumerate(plan.consultations)
        if s.demo
    ]


def summary_for(plan: Plan, record: Record) -> PublicSummary:
    """The public summary of a record in the plan's own words (its themes, priorities and areas)."""
    return public_summary(
        record,
        coding_frame(plan),
        partnership=plan.partnership.name,
        theme_names={t.id: t.name for t in plan.themes},
        priority_texts={o.id: o.text for o in plan.objectives},
        area_names=plan.ward_names(),
        population={w.code: w.population for w in plan.wards if w.population},
        area_word=plan.partnership.area_singular.capitalize(),
    )


def choose(stored: list[tuple[str, str, object]], wanted: str | None) -> str:
    """The id of the consultation asked for, or the latest stored when none is named."""
    if not stored:
        raise ConsultationError(
            "No consultation is recorded in the store; record one on the Consultation page, or run "
            "'python -m metrics init --demo' for the demo consultation."
        )
    ids = [s[0] for s in stored]
    if wanted is None:
        return ids[0]
    if wanted not in ids:
        raise ConsultationError(f"--id {wanted}: no such consultation; the store holds: {', '.join(ids)}.")
    return wanted
