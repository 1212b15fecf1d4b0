"""The store's schema: numbered migrations applied by record, the table lists, and the checks
that read the whole file (schema version, readiness, row counts, checksums)."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.store.engine import Connection, Store, in_transaction, now


@dataclass(frozen=True)
class Migration:
    """One numbered step of the schema: its statements run in one transaction with its record."""

    version: int
    name: str
    statements: tuple[str, ...]


# Numbered migrations, applied in order and recorded in schema_migrations. Never edit one that
# has shipped: add the next number. Each runs in its own transaction with its record.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "plan and reference tables",
        (
            """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
            """CREATE TABLE wards (
                ward_code VARCHAR PRIMARY KEY, ward_name VARCHAR NOT NULL,
                population INTEGER, population_source VARCHAR)""",
            """CREATE TABLE themes (
                theme_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE objectives (
                objective_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE measures (
                measure_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE subgroups (
                subgroup_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, short_name VARCHAR NOT NULL)""",
            """CREATE TABLE actions (
                action_id VARCHAR PRIMARY KEY, owner VARCHAR NOT NULL, kind VARCHAR NOT NULL,
                objective_ids VARCHAR[] NOT NULL, text VARCHAR NOT NULL)""",
            """CREATE TABLE indicators (
                indicator_id VARCHAR PRIMARY KEY, theme_id VARCHAR NOT NULL, measure_id VARCHAR NOT NULL,
                objective_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL, unit VARCHAR NOT NULL, polarity VARCHAR NOT NULL,
                owner VARCHAR NOT NULL, frequency VARCHAR NOT NULL, aggregation VARCHAR NOT NULL,
                source VARCHAR NOT NULL, ward_detail BOOLEAN NOT NULL, ward_code VARCHAR,
                baseline_value DOUBLE, baseline_period VARCHAR, baseline_source VARCHAR,
                target_rule VARCHAR NOT NULL, target_value DOUBLE, target_change_pct DOUBLE,
                tolerance_value DOUBLE NOT NULL, tolerance_kind VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        2,
        "performance data: assessment figures, indicator values, action progress, commentary",
        (
            """CREATE TABLE sa_figures (
                assessment VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
                category VARCHAR NOT NULL, measure VARCHAR NOT NULL, ward_code VARCHAR,
                value DOUBLE, unit VARCHAR, change_pct DOUBLE, share_pct DOUBLE, note VARCHAR,
                source VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL, position INTEGER NOT NULL)""",
            """CREATE TABLE indicator_values (
                indicator_id VARCHAR NOT NULL, period_type VARCHAR NOT NULL,
                period_start DATE NOT NULL, ward_code VARCHAR, value DOUBLE NOT NULL,
                is_demo BOOLEAN NOT NULL, source VARCHAR NOT NULL,
                loaded_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE action_progress (
                action_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, status VARCHAR NOT NULL,
                commentary VARCHAR, is_demo BOOLEAN NOT NULL, updated_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE commentary (
                indicator_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, text VARCHAR NOT NULL,
                author VARCHAR, is_demo BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL)""",
        ),
    ),
    Migration(
        3,
        "quarterly returns: original files, versioned submissions and their rows, audit",
        (
            # Originals, named by content: a file submitted twice is held once.
            """CREATE TABLE return_files (
                sha256 VARCHAR PRIMARY KEY, size_bytes BIGINT NOT NULL, content BLOB NOT NULL,
                first_stored_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE return_submissions (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL, submitted_by VARCHAR NOT NULL,
                submitted_at TIMESTAMP NOT NULL, warnings VARCHAR, explanation VARCHAR,
                is_demo BOOLEAN NOT NULL, PRIMARY KEY (subgroup_id, quarter_start, version))""",
            """CREATE TABLE return_indicator_rows (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sheet VARCHAR NOT NULL, row_number INTEGER NOT NULL, indicator_id VARCHAR NOT NULL,
                period_type VARCHAR NOT NULL, period_start DATE NOT NULL, ward_code VARCHAR,
                value DOUBLE, commentary VARCHAR, contact VARCHAR)""",
            """CREATE TABLE return_action_rows (
                subgroup_id VARCHAR NOT NULL, quarter_start DATE NOT NULL, version INTEGER NOT NULL,
                sheet VARCHAR NOT NULL, row_number INTEGER NOT NULL, action_id VARCHAR NOT NULL,
                status VARCHAR, commentary VARCHAR, contact VARCHAR)""",
            # Every attempt to submit, accepted or not: what, who, when, and why it was refused.
            """CREATE TABLE return_audit (
                attempted_at TIMESTAMP NOT NULL, sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL, submitted_by VARCHAR NOT NULL, subgroup_id VARCHAR NOT NULL,
                quarter_start DATE NOT NULL, outcome VARCHAR NOT NULL, version INTEGER,
                reasons VARCHAR, is_demo BOOLEAN NOT NULL)""",
        ),
    ),
    Migration(
        4,
        "police.uk street-level crime: incidents by ward, LSOA lookup, monthly summary, import log",
        (
            # Sorted by (ward_code, month) at insert, so ward and month filters skip row groups.
            """CREATE TABLE police_incidents (
                ward_code VARCHAR NOT NULL, month DATE NOT NULL, crime_type VARCHAR NOT NULL,
                crime_id VARCHAR, falls_within VARCHAR NOT NULL, reported_by VARCHAR,
                longitude DOUBLE, latitude DOUBLE, location VARCHAR, lsoa_code VARCHAR NOT NULL,
                lsoa_name VARCHAR, last_outcome VARCHAR, context VARCHAR, is_demo BOOLEAN NOT NULL)""",
            """CREATE TABLE lsoa_wards (
                lsoa_code VARCHAR PRIMARY KEY, lsoa_name VARCHAR, ward_code VARCHAR NOT NULL,
                ward_name VARCHAR, lad_name VARCHAR, source VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL,
                loaded_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE police_ward_month (
                month DATE NOT NULL, ward_code VARCHAR NOT NULL, crime_type VARCHAR NOT NULL,
                incidents INTEGER NOT NULL, is_demo BOOLEAN NOT NULL)""",
            """CREATE TABLE police_months (
                force VARCHAR NOT NULL, month DATE NOT NULL, rows_read INTEGER NOT NULL,
                stored INTEGER NOT NULL, no_location INTEGER NOT NULL, outside_area INTEGER NOT NULL,
                source_file VARCHAR, is_demo BOOLEAN NOT NULL, imported_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE police_imports (
                imported_at TIMESTAMP NOT NULL, files INTEGER NOT NULL, rows_read BIGINT NOT NULL,
                stored BIGINT NOT NULL, no_location BIGINT NOT NULL, outside_area BIGINT NOT NULL,
                skipped_files VARCHAR, is_demo BOOLEAN NOT NULL)""",
        ),
    ),
    Migration(
        5,
        "board action log: actions and decisions the board records, and every change to them",
        (
            # What the board decided, as recorded: never changed after it is written. The
            # reference is A-<year>-Q<n>-<sequence> of the quarter reviewed at the meeting.
            """CREATE TABLE board_actions (
                reference VARCHAR PRIMARY KEY, raised_quarter DATE NOT NULL, sequence INTEGER NOT NULL,
                kind VARCHAR NOT NULL, text VARCHAR NOT NULL, source_kind VARCHAR NOT NULL,
                source_id VARCHAR NOT NULL, raised_by VARCHAR NOT NULL, raised_at TIMESTAMP NOT NULL,
                is_demo BOOLEAN NOT NULL)""",
            # Every change, the first (recording it) included: who, when, for which quarter, the
            # status after it, a note, and a new owner or due quarter (NULL: unchanged). Rows
            # are only ever added: the action's state is its latest row, its history all of them.
            """CREATE TABLE board_action_updates (
                reference VARCHAR NOT NULL, number INTEGER NOT NULL, recorded_at TIMESTAMP NOT NULL,
                author VARCHAR NOT NULL, quarter_start DATE NOT NULL, status VARCHAR NOT NULL,
                note VARCHAR, owner VARCHAR, due_quarter DATE, via VARCHAR NOT NULL,
                return_subgroup VARCHAR, return_version INTEGER, is_demo BOOLEAN NOT NULL)""",
        ),
    ),
    Migration(
        6,
        "resident surveys: waves, respondents' declared answers and weights, estimates",
        (
            # One row per imported wave: its file (by sha256), who imported it, the weighting.
            """CREATE TABLE survey_waves (
                survey_id VARCHAR NOT NULL, wave VARCHAR NOT NULL, period_start DATE,
                filename VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, respondents INTEGER NOT NULL,
                design_effect DOUBLE NOT NULL, effective_base DOUBLE NOT NULL, weight_cap DOUBLE NOT NULL,
                trimmed INTEGER NOT NULL, weighting VARCHAR NOT NULL, imported_by VARCHAR NOT NULL,
                imported_at TIMESTAMP NOT NULL, is_demo BOOLEAN NOT NULL,
                PRIMARY KEY (survey_id, wave))""",
            # Personal data: only the declared columns, one row per respondent and key (the
            # declaration's respondent, area, demographic and measure ids, comment). Deleted
            # with the wave.
            """CREATE TABLE survey_respondents (
                survey_id VARCHAR NOT NULL, wave VARCHAR NOT NULL, row_number INTEGER NOT NULL,
                weight DOUBLE NOT NULL)""",
            """CREATE TABLE survey_answers (
                survey_id VARCHAR NOT NULL, wave VARCHAR NOT NULL, row_number INTEGER NOT NULL,
                key VARCHAR NOT NULL, value VARCHAR NOT NULL)""",
            """CREATE TABLE survey_estimates (
                survey_id VARCHAR NOT NULL, wave VARCHAR NOT NULL, measure VARCHAR NOT NULL,
                group_kind VARCHAR NOT NULL, group_name VARCHAR NOT NULL, estimate DOUBLE,
                lower DOUBLE, upper DOUBLE, unweighted_base INTEGER NOT NULL,
                effective_base DOUBLE NOT NULL, suppressed BOOLEAN NOT NULL, position INTEGER NOT NULL)""",
        ),
    ),
    Migration(
        7,
        "consultations: activities, redacted comments, deletable originals, findings, you said we did",
        (
            """CREATE TABLE consultations (
                consultation_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, start_date DATE NOT NULL,
                end_date DATE NOT NULL, purpose VARCHAR NOT NULL, plan_title VARCHAR NOT NULL,
                responses_reported INTEGER, emerging_themes VARCHAR[] NOT NULL, source VARCHAR NOT NULL,
                is_demo BOOLEAN NOT NULL)""",
            """CREATE TABLE consultation_activities (
                consultation_id VARCHAR NOT NULL, activity_id VARCHAR NOT NULL, activity_date DATE NOT NULL,
                kind VARCHAR NOT NULL, audience VARCHAR NOT NULL, area_code VARCHAR, participants INTEGER,
                note VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL, PRIMARY KEY (consultation_id, activity_id))""",
            # Only the redacted text: what any page but the coding page, and every export, shows.
            """CREATE TABLE consultation_comments (
                consultation_id VARCHAR NOT NULL, comment_id VARCHAR NOT NULL, activity_id VARCHAR NOT NULL,
                redacted VARCHAR NOT NULL, area_code VARCHAR, group_name VARCHAR, codes VARCHAR[] NOT NULL,
                original_deleted BOOLEAN NOT NULL, is_demo BOOLEAN NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY (consultation_id, comment_id))""",
            # The original and the names marked in it: personal data, for the analyst role only.
            """CREATE TABLE consultation_originals (
                consultation_id VARCHAR NOT NULL, comment_id VARCHAR NOT NULL, original VARCHAR NOT NULL,
                marked_names VARCHAR[] NOT NULL, PRIMARY KEY (consultation_id, comment_id))""",
            """CREATE TABLE consultation_findings (
                consultation_id VARCHAR NOT NULL, finding_id VARCHAR NOT NULL, statement VARCHAR NOT NULL,
                priority_ids VARCHAR[] NOT NULL, action_refs VARCHAR[] NOT NULL, source VARCHAR NOT NULL,
                is_demo BOOLEAN NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (consultation_id, finding_id))""",
            """CREATE TABLE consultation_actions_taken (
                consultation_id VARCHAR NOT NULL, taken_id VARCHAR NOT NULL, finding_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL, taken_on DATE, is_demo BOOLEAN NOT NULL, position INTEGER NOT NULL,
                PRIMARY KEY (consultation_id, taken_id))""",
            """CREATE TABLE consultation_quotes (
                consultation_id VARCHAR NOT NULL, code_id VARCHAR NOT NULL, comment_id VARCHAR NOT NULL,
                position INTEGER NOT NULL, PRIMARY KEY (consultation_id, code_id, comment_id))""",
        ),
    ),
    Migration(
        8,
        "police.uk counts of the force's other partnerships (peers), by month and crime type",
        (
            # Rows of the imported files outside the partnership, counted by the partnership their
            # LSOA lies in (reference geography) when the file's force polices it; replaced with the
            # force's month, as the incidents are.
            """CREATE TABLE police_peer_month (
                month DATE NOT NULL, force VARCHAR NOT NULL, partnership_code VARCHAR NOT NULL,
                partnership_name VARCHAR NOT NULL, crime_type VARCHAR NOT NULL, incidents INTEGER NOT NULL,
                is_demo BOOLEAN NOT NULL, PRIMARY KEY (month, force, partnership_code, crime_type))""",
        ),
    ),
    Migration(
        9,
        "the return audit's outcome checked against the outcomes the code writes",
        (
            # A declared kind stays typed in the store too (issue 18): metrics.store.returns'
            # AuditOutcome lists the outcomes, and a test keeps this list equal to it. DuckDB
            # cannot add a CHECK to a table, so the table is rebuilt with its rows.
            """CREATE TABLE return_audit_checked (
                attempted_at TIMESTAMP NOT NULL, sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL, submitted_by VARCHAR NOT NULL, subgroup_id VARCHAR NOT NULL,
                quarter_start DATE NOT NULL,
                outcome VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'duplicate', 'refused')),
                version INTEGER, reasons VARCHAR, is_demo BOOLEAN NOT NULL)""",
            "INSERT INTO return_audit_checked SELECT * FROM return_audit",
            "DROP TABLE return_audit",
            "ALTER TABLE return_audit_checked RENAME TO return_audit",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
DATA_TABLES = ("sa_figures", "indicator_values", "action_progress", "commentary")
POLICE_TABLES = (
    "police_incidents",
    "lsoa_wards",
    "police_ward_month",
    "police_months",
    "police_imports",
    "police_peer_month",
)
ACTION_TABLES = ("board_actions", "board_action_updates")
CONSULTATION_TABLES = (
    "consultations",
    "consultation_activities",
    "consultation_comments",
    "consultation_originals",
    "consultation_findings",
    "consultation_actions_taken",
    "consultation_quotes",
)
SURVEY_TABLES = ("survey_waves", "survey_respondents", "survey_answers", "survey_estimates")
PLAN_TABLES = ("wards", "themes", "objectives", "measures", "subgroups", "actions", "indicators")


def table_names(con: Connection) -> list[str]:
    """The store's own tables (other stores may be attached to the same instance)."""
    sql = "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
    return [row[0] for row in con.execute(sql).fetchall()]


def version_on(con: Connection) -> int:
    """The highest migration recorded in the database a connection uses (0 for none)."""
    if "schema_migrations" not in table_names(con):
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def _recorded_versions(con: Connection) -> set[int]:
    if not version_on(con):
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def schema_version(store: Store) -> int:
    """The highest migration recorded in the file (0 for no file or an empty one)."""
    if not store.path.exists():
        return 0
    with store.connect() as con:
        return version_on(con)


def apply_migration(con: Connection, migration: Migration) -> None:
    """Run one migration and record it, in one transaction on an open connection."""
    with in_transaction(con):
        for statement in migration.statements:
            con.execute(statement)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [migration.version, migration.name, now()],
        )


def migrate(store: Store, target: int = LATEST_VERSION) -> list[int]:
    """Apply the migrations not yet recorded, up to ``target``; returns those applied."""
    applied: list[int] = []
    with store.connect() as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        # By record, not by the highest number: a store made on a branch that had a later
        # migration but not an earlier one still gets the earlier one.
        recorded = _recorded_versions(con)
        for migration in MIGRATIONS:
            if migration.version in recorded or migration.version > target:
                continue
            apply_migration(con, migration)
            applied.append(migration.version)
    return applied


def is_ready(store: Store) -> bool:
    """True when the file exists, is fully migrated and holds the plan."""
    if not store.path.exists():
        return False
    with store.connect() as con:
        if not {m.version for m in MIGRATIONS} <= _recorded_versions(con):
            return False
        return con.execute("SELECT count(*) FROM indicators").fetchone()[0] > 0


def table_counts(store: Store) -> dict[str, int]:
    """Rows in each of the store's tables."""
    with store.connect() as con:
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in table_names(con)}


def checksums(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table: equal before and after a rejected
    write proves nothing changed."""
    with store.connect() as con:
        return checksums_on(con)


def checksums_on(con: Connection) -> dict[str, tuple[int, str]]:
    """:func:`checksums` on an open connection, e.g. inside a transaction, so that they describe
    exactly what that transaction sees (a snapshot taken while others write)."""
    out: dict[str, tuple[int, str]] = {}
    for n in table_names(con):
        count, digest = con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT)::VARCHAR, '0') FROM \"{n}\" AS t"
        ).fetchone()
        out[n] = (count, digest)
    return out
