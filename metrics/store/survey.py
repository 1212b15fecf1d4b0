"""Resident survey waves in the store: the wave record, respondents' declared answers and
weights (personal data), the estimates computed at import, and survey figures written as
indicator values with their provenance.

Respondent rows are read back only by :func:`respondents`, for the roles that may see them;
everything published reads :func:`estimates`. A wave is stored, or deleted, whole in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.store.engine import Store, StoreError, now
from metrics.store.schema import SURVEY_TABLES

SURVEY_SOURCE_PREFIX = "survey:"  # indicator_values.source of a survey figure: survey:<id>:<wave>


@dataclass(frozen=True)
class WaveRecord:
    """What is stored about a wave beside its respondents."""

    survey_id: str
    wave: str
    period_start: date | None
    filename: str
    sha256: str
    design_effect: float
    effective_base: float
    weight_cap: float
    trimmed: int
    weighting: str  # the weighting report's summary and notes
    imported_by: str
    is_demo: bool


def wave_exists(store: Store, survey_id: str, wave: str) -> bool:
    """True when the wave is already stored."""
    with store.connect() as con:
        row = con.execute("SELECT count(*) FROM survey_waves WHERE survey_id = ? AND wave = ?", [survey_id, wave])
        return row.fetchone()[0] > 0


def store_wave(
    store: Store,
    record: WaveRecord,
    respondents: pd.DataFrame,
    weights: pd.Series,
    estimates: pd.DataFrame,
    indicator_values: pd.DataFrame,
) -> None:
    """Store a new wave whole, in one transaction: refused (StoreError) if the wave exists.

    ``respondents`` holds only the declared keys (as metrics.survey.reading returns them);
    ``estimates`` has the survey-results columns; ``indicator_values`` the rows it supplies
    (indicator_id, period_type, period_start, value), replacing any held for the same period.
    """
    key = [record.survey_id, record.wave]
    long = respondents.reset_index(drop=True).astype(object).where(respondents.notna().to_numpy(), "")
    long.insert(0, "row_number", range(1, len(long) + 1))
    answers = long.melt(id_vars="row_number", var_name="key", value_name="value")
    answers = answers[answers["value"] != ""].astype({"value": str})
    answers.insert(0, "wave", record.wave)
    answers.insert(0, "survey_id", record.survey_id)
    people = pd.DataFrame(
        {
            "survey_id": record.survey_id,
            "wave": record.wave,
            "row_number": range(1, len(weights) + 1),
            "weight": weights.to_numpy(dtype=float),
        }
    )
    figures = estimates.rename(columns={"group": "group_name"}).assign(position=range(len(estimates)))
    with store.transaction() as con:
        held = con.execute("SELECT count(*) FROM survey_waves WHERE survey_id = ? AND wave = ?", key).fetchone()[0]
        if held:
            raise StoreError(
                f"survey {record.survey_id!r} already has a wave {record.wave!r}; an administrator can delete "
                "it first (delete-survey-wave), or import under another wave label"
            )
        con.execute(
            "INSERT INTO survey_waves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                record.period_start,
                record.filename,
                record.sha256,
                len(respondents),
                record.design_effect,
                record.effective_base,
                record.weight_cap,
                record.trimmed,
                record.weighting,
                record.imported_by,
                now(),
                record.is_demo,
            ],
        )
        con.register("incoming_people", people)
        con.execute("INSERT INTO survey_respondents SELECT survey_id, wave, row_number, weight FROM incoming_people")
        con.register("incoming_answers", answers)
        con.execute("INSERT INTO survey_answers SELECT survey_id, wave, row_number, key, value FROM incoming_answers")
        con.register("incoming_estimates", figures)
        con.execute(
            """INSERT INTO survey_estimates
               SELECT ?, ?, measure, group_kind, group_name, estimate, lower, upper,
                      unweighted_base, effective_base, suppressed, position FROM incoming_estimates""",
            key,
        )
        if not indicator_values.empty:
            source = f"{SURVEY_SOURCE_PREFIX}{record.survey_id}:{record.wave}"
            values = indicator_values.assign(ward_code=None, is_demo=record.is_demo, source=source, loaded_at=now())
            con.register("incoming_values", values)
            con.execute(
                """DELETE FROM indicator_values AS v USING incoming_values AS n
                   WHERE v.indicator_id = n.indicator_id AND v.period_type = n.period_type
                     AND v.period_start = n.period_start::DATE AND v.ward_code IS NULL"""
            )
            con.execute(
                """INSERT INTO indicator_values
                   SELECT indicator_id, period_type, period_start::DATE, ward_code, value, is_demo,
                          source, loaded_at FROM incoming_values"""
            )


def real_figures(store: Store, indicator_ids: list[str], period_type: str, period_start: date) -> set[str]:
    """Of these indicators, those holding a whole-area figure that is not demo data for the
    period: a demo wave leaves them as they are."""
    if not indicator_ids:
        return set()
    with store.connect() as con:
        rows = con.execute(
            """SELECT DISTINCT indicator_id FROM indicator_values
               WHERE indicator_id IN (SELECT unnest(?)) AND period_type = ? AND period_start = ?
                 AND ward_code IS NULL AND NOT is_demo""",
            [indicator_ids, period_type, period_start],
        ).fetchall()
    return {r[0] for r in rows}


def delete_wave(store: Store, survey_id: str, wave: str) -> int:
    """Delete a wave whole (its respondents, estimates and the indicator values it supplied),
    in one transaction; returns the respondents deleted (StoreError if there is no such wave)."""
    key = [survey_id, wave]
    with store.transaction() as con:
        row = con.execute("SELECT respondents FROM survey_waves WHERE survey_id = ? AND wave = ?", key).fetchone()
        if row is None:
            raise StoreError(f"survey {survey_id!r} has no wave {wave!r}; nothing was deleted")
        for table in SURVEY_TABLES:
            con.execute(f"DELETE FROM {table} WHERE survey_id = ? AND wave = ?", key)
        con.execute("DELETE FROM indicator_values WHERE source = ?", [f"{SURVEY_SOURCE_PREFIX}{survey_id}:{wave}"])
        return int(row[0])


def delete_demo_waves(store: Store) -> int:
    """Delete every demo wave whole (before a fresh demo load); returns the waves deleted."""
    with store.transaction() as con:
        held = con.execute("SELECT survey_id, wave FROM survey_waves WHERE is_demo").fetchall()
        for survey_id, wave in held:
            for table in SURVEY_TABLES:
                con.execute(f"DELETE FROM {table} WHERE survey_id = ? AND wave = ?", [survey_id, wave])
            source = f"{SURVEY_SOURCE_PREFIX}{survey_id}:{wave}"
            con.execute("DELETE FROM indicator_values WHERE source = ?", [source])
        return len(held)


def waves(store: Store, survey_id: str | None = None) -> pd.DataFrame:
    """The stored waves (no respondent data), oldest first."""
    with store.connect() as con:
        return con.execute(
            """SELECT survey_id, wave, period_start, filename, respondents, design_effect, effective_base,
                      weight_cap, trimmed, weighting, imported_by, imported_at, is_demo
               FROM survey_waves WHERE ? IS NULL OR survey_id = ?
               ORDER BY survey_id, period_start NULLS LAST, imported_at""",
            [survey_id, survey_id],
        ).df()


def estimates(store: Store, survey_id: str | None = None, wave: str | None = None) -> pd.DataFrame:
    """The stored estimates with the survey-results columns (no respondent data)."""
    with store.connect() as con:
        return con.execute(
            """SELECT e.survey_id AS survey, e.wave, e.measure, e.group_kind, e.group_name AS "group",
                      e.estimate, e.lower, e.upper, e.unweighted_base, e.effective_base, e.suppressed,
                      w.is_demo
               FROM survey_estimates AS e JOIN survey_waves AS w USING (survey_id, wave)
               WHERE (? IS NULL OR e.survey_id = ?) AND (? IS NULL OR e.wave = ?)
               ORDER BY e.survey_id, w.period_start NULLS LAST, w.imported_at, e.position""",
            [survey_id, survey_id, wave, wave],
        ).df()


def respondents(store: Store, survey_id: str, wave: str) -> pd.DataFrame:
    """A wave's respondents (declared keys and weight): personal data, for the roles that may
    see it (metrics.access VIEW_RESPONDENTS) and never for anything published."""
    with store.connect() as con:
        answers = con.execute(
            "SELECT row_number, key, value FROM survey_answers WHERE survey_id = ? AND wave = ?", [survey_id, wave]
        ).df()
        weights = con.execute(
            "SELECT row_number, weight FROM survey_respondents WHERE survey_id = ? AND wave = ? ORDER BY row_number",
            [survey_id, wave],
        ).df()
    wide = answers.pivot(index="row_number", columns="key", values="value") if not answers.empty else pd.DataFrame()
    return weights.set_index("row_number").join(wide).reset_index()
