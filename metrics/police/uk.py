"""police.uk street-level crime: format detection, the LSOA to ward lookup, the import with its
coverage report, and the ward summaries the explorer and the command line read.

The monthly street-level files (``<yyyy-mm>-<force>-street.csv``) are read by DuckDB with an
explicit schema, one file at a time (so progress can be shown and a bad file named). Each
record is mapped to a ward once, at import, through the LSOA to ward lookup; records outside
the partnership's wards and records with no location are counted, not stored (those outside
are counted by month, crime type and partnership for the force's other partnerships:
:mod:`metrics.police.peers`). Re-importing a
month replaces that force's month, so a republished month is never doubled. Incidents are
stored sorted by ward and month, and a monthly ward x crime-type summary is rebuilt for the
months touched, so a page reads a few thousand rows whatever the number of incidents.

The ``.zip`` a person downloads from data.police.uk is read as it is (:mod:`metrics.police.archive`):
only the street files of the plan's force(s), found from its areas in the reference geography
(:mod:`metrics.areas`), keeping the plan's LSOAs and counting the rest, so the coverage report and
the once-per-force-and-month rule are the same as for loose files. Without ``--lookup`` an
archive import uses the reference LSOA lookup, for 2011 and 2021 codes alike.

Every SQL statement of the import and the reads is in :mod:`metrics.store.police`; this module
checks the files and words the messages; the coverage flags are :mod:`metrics.police.coverage`'s.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics import access
from metrics.areas import load_reference
from metrics.plan.model import Plan
from metrics.police import archive, peers
from metrics.police.coverage import Coverage, coverage
from metrics.spreadsheet import safe_frame
from metrics.store import Store
from metrics.store import police as police_store
from metrics.store.police import ForceMonth

Progress = Callable[[float, str], None]

STREET_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

OTHER_LAYOUTS = {
    "outcomes": ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location")
    + ("LSOA code", "LSOA name", "Outcome type"),
    "stop-and-search": ("Type", "Date", "Part of a policing operation", "Policing operation", "Latitude"),
}
DEMO_FORCE = "Demo Police (generated demo data)"


class PoliceDataError(ValueError):
    """A police.uk file or lookup cannot be used; the message names the file and what to do."""


# --- format detection ------------------------------------------------------------------------
def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError as exc:
        raise PoliceDataError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if not head.strip():
        raise PoliceDataError(f"{path}: the file is empty. Download the month again from data.police.uk.")
    line = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoliceDataError(
            f"{path}: the header is not UTF-8 text (byte {exc.start + 1} is {line[exc.start : exc.start + 1]!r}). "
            "police.uk files are UTF-8: download the file again, or re-save it as 'CSV UTF-8'."
        ) from exc
    return text.lstrip("\ufeff")


def detect_format(path: str | Path) -> str:
    """'street' for a police.uk street-level file; raises PoliceDataError naming the layout
    (outcomes, stop-and-search) or the columns that are wrong otherwise."""
    path = Path(path)
    header = [c.strip() for c in next(csv.reader([_first_line(path)]))]
    if tuple(header) == STREET_COLUMNS:
        return "street"
    for name, prefix in OTHER_LAYOUTS.items():
        if tuple(header[: len(prefix)]) == prefix:
            raise PoliceDataError(
                f"{path}: this is a police.uk {name} file, not a street-level crime file. Import the "
                "<yyyy-mm>-<force>-street.csv files (in the monthly archive, one per month folder)."
            )
    lookup_like = [k for k in ("lsoa_code", "ward_code") if _find_column(header, k) is not None]
    if len(lookup_like) == 2:
        raise PoliceDataError(
            f"{path}: this is an LSOA to ward lookup, not a street-level crime file. Give it as the lookup "
            "(--lookup FILE on the command line, or the lookup upload on the page)."
        )
    missing = [c for c in STREET_COLUMNS if c not in header]
    extra = [c for c in header if c not in STREET_COLUMNS]
    detail = []
    if missing:
        detail.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        detail.append(f"unexpected column(s): {', '.join(extra)}")
    if not missing and not extra:
        detail.append("the columns are in a different order")
    raise PoliceDataError(
        f"{path}: not a police.uk street-level file ({'; '.join(detail)}). Expected the header: "
        f"{','.join(STREET_COLUMNS)}."
    )


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders (the monthly archive: one folder per month) walked for .csv files."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".csv")
            if not found:
                raise PoliceDataError(f"{p}: the folder holds no .csv files.")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise PoliceDataError(f"{p}: no such file or folder.")
    return list(dict.fromkeys(out))


# --- the LSOA to ward lookup -----------------------------------------------------------------
_LOOKUP_PATTERNS = {
    "lsoa_code": (r"lsoa\d{2}cd", r"lsoa\d{2}_code", r"lsoa_code", r"lsoa code"),
    "lsoa_name": (r"lsoa\d{2}nm", r"lsoa\d{2}_name", r"lsoa_name", r"lsoa name"),
    "ward_code": (r"wd\d{2}cd", r"ward\d{2}_code", r"ward_code"),
    "ward_name": (r"wd\d{2}nm", r"ward\d{2}_name", r"ward_name"),
    "lad_name": (r"lad\d{2}nm", r"ltla\d{2}_name", r"lad\d{2}_name", r"lad_name"),
}


def _find_column(header: list[str], ours: str) -> str | None:
    """The file's column for one of ours (lsoa_code, ward_code, ...), by ONS naming patterns."""
    return next(
        (name for name in header if any(re.fullmatch(p, name, re.IGNORECASE) for p in _LOOKUP_PATTERNS[ours])), None
    )


@dataclass(frozen=True)
class Lookup:
    path: Path
    columns: dict[str, str]  # our name -> the file's column
    rows: pd.DataFrame  # lsoa_code, lsoa_name, ward_code, ward_name, lad_name: the partnership's rows
    rows_read: int


def read_lookup(path: str | Path, plan: Plan) -> Lookup:
    """Read an ONS 'LSOA to electoral ward' lookup in either common layout (LSOA11CD/WD18CD/...
    or lsoa21_code/ward24_code/...), with any line endings (the national files can use CR
    alone). Keeps the rows whose ward is one of the partnership's wards."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PoliceDataError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # ONS files are ASCII; names only
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise PoliceDataError(f"{path}: the lookup file is empty.")
    header = [c.strip() for c in rows[0]]
    columns = {ours: found for ours in _LOOKUP_PATTERNS if (found := _find_column(header, ours)) is not None}
    missing = [k for k in ("lsoa_code", "ward_code") if k not in columns]
    if missing:
        raise PoliceDataError(
            f"{path}: not an LSOA to ward lookup: no {' or '.join(missing).replace('_', ' ')} column. "
            "Expected ONS column names such as LSOA21CD and WD24CD (or lsoa21_code and ward24_code); "
            f"the file has: {', '.join(header[:12])}."
        )
    index = {k: header.index(v) for k, v in columns.items()}
    frame = pd.DataFrame(
        [
            [r[index[k]].strip() if k in index and index[k] < len(r) else None for k in _LOOKUP_PATTERNS]
            for r in rows[1:]
        ],
        columns=list(_LOOKUP_PATTERNS),
    )
    wards = plan.ward_names()
    ours = frame[frame["ward_code"].isin(list(wards))].drop_duplicates("lsoa_code").copy()
    if ours.empty:
        raise PoliceDataError(
            f"{path}: none of its {frame['ward_code'].nunique()} area codes is one of the partnership's "
            f"{len(wards)} {plan.partnership.area_plural} in {plan.path.name}. "
            f"Is this the lookup for {plan.partnership.area_name}?"
        )
    ours["ward_name"] = ours["ward_code"].map(wards)
    return Lookup(path, columns, ours.reset_index(drop=True), len(frame))


@dataclass(frozen=True)
class ImportReport:
    """What an import did, built once when it has finished."""

    files: tuple[Path, ...] = ()  # the files (or archive members) imported
    bad_files: Mapping[str, str] = field(default_factory=dict)  # path -> why
    lookup: Lookup | None = None
    months: tuple[ForceMonth, ...] = ()
    coverage: Coverage | None = None
    demo_removed: int = 0  # demo incidents removed because real files were imported
    areas: str = "areas"  # what the plan calls its local areas (plural), for the report's lines
    same_content: Mapping[str, str] = field(default_factory=dict)  # path -> the file with identical bytes imported
    peers: int = 0  # incidents counted for the force's other partnerships (metrics.police.peers)

    @property
    def rows_read(self) -> int:
        return sum(m.rows_read for m in self.months)

    @property
    def stored(self) -> int:
        return sum(m.stored for m in self.months)

    @property
    def no_location(self) -> int:
        return sum(m.no_location for m in self.months)

    @property
    def outside_area(self) -> int:
        return sum(m.outside_area for m in self.months)

    def lines(self) -> list[str]:
        out = [f"Files imported: {len(self.files)}."]
        if self.demo_removed:
            out.append(f"Demo police.uk data removed ({self.demo_removed:,} demo incidents): real files replace it.")
        if self.lookup is not None:
            out.append(
                f"Lookup {self.lookup.path.name}: {len(self.lookup.rows)} LSOAs in the partnership's {self.areas} "
                f"(of {self.lookup.rows_read} rows)."
            )
        for path, kept in self.same_content.items():
            out.append(f"Skipped (same content as {kept}, imported once): {path}")
        for why in self.bad_files.values():
            out.append(f"Skipped (bad file): {why}")
        read = self.rows_read
        out.append(f"Rows read: {read:,}.")
        out.append(f"Stored (in the partnership's {self.areas}): {self.stored:,}.")
        share = self.no_location / read * 100 if read else 0.0
        out.append(
            f"Skipped, no location (blank LSOA): {self.no_location:,} ({share:.1f}% of rows; "
            f"they cannot be placed in one of the {self.areas} or even in the area)."
        )
        out.append(f"Skipped, outside the partnership's area (LSOA not in the lookup): {self.outside_area:,}.")
        out.append(f"Of those, counted for the force's other partnerships (to compare with): {self.peers:,}.")
        if self.coverage is not None:
            out += self.coverage.lines()
        return out


def _explain_read_error(path: Path, message: str) -> str:
    """What is wrong with a street file DuckDB could not read, from its error message."""
    line = re.search(r"[Ll]ine:? (\d+)", message)
    where = f" near line {line.group(1)}" if line else ""
    if "unicode" in message.lower() or "utf" in message.lower():
        why = "contains text that is not UTF-8; police.uk files are UTF-8: download it again"
    elif "columns" in message.lower() or "expected number" in message.lower() or "unterminated" in message.lower():
        why = (
            "has a row with the wrong number of columns, as when a download is cut short (truncated): download it again"
        )
    elif "convert" in message.lower() or "could not parse" in message.lower():
        why = "has a Longitude or Latitude that is not a number"
    else:
        why = f"cannot be read ({message.splitlines()[0]})"
    return f"{path}: the file {why}{where}."


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
HASH_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _set_aside_same_content(files: list[Path]) -> tuple[list[Path], dict[str, str]]:
    """Files with identical bytes (one file under two names, or in two folders of the archive)
    are imported once: the first in the order given is kept, the others set aside. Identical
    bytes hold identical records, so nothing is lost and nothing is added twice. Returns the
    files kept, and each file set aside with the one kept for it."""
    first: dict[str, Path] = {}
    kept, same = [], {}
    for f in files:
        digest = _sha256(f)
        if digest in first:
            same[str(f)] = str(first[digest])
        else:
            first[digest] = f
            kept.append(f)
    return kept, same


def _refuse_shared_months(imp: police_store.StreetImport) -> dict[str, str]:
    """Different files that hold the same force and month cannot both be right, and adding
    them together would double the month: both are refused, naming each other, and unstaged
    (so with --skip-bad the rest is imported and that month left as it was). Returns each
    refused file's reason."""
    clashes: dict[str, list[str]] = {}
    bad: dict[str, str] = {}
    for force, month, sources in imp.shared_force_months():
        for source in sources:
            others = ", ".join(o for o in sources if o != source)
            clashes.setdefault(source, []).append(f"{force} {month} (also in {others})")
    for source, what in clashes.items():
        bad[source] = (
            f"{source}: holds the same force and month as another file of this import, with different content: "
            + "; ".join(what)
            + ". A month is never added twice: import the one file that is right for it"
        )
    if clashes:
        imp.unstage(list(clashes))
    return bad


READ_BATCHES = 10  # how many statements the street files are read in (the progress bar's steps)


def _stage_files(imp: police_store.StreetImport, files: list[Path], progress: Progress) -> dict[str, str]:
    """Stage the street files outside any transaction (a failed read in DuckDB aborts the
    transaction it is in, and a bad file must not stop the good ones when the user chose to
    skip it). Returns the files that cannot be read, or have a bad Month, each with why."""
    bad: dict[str, str] = {}
    # Files are read in batches: DuckDB reads the files of one statement in parallel (about 1.5x
    # faster than one by one), and the progress bar still moves between batches.
    batch = max(1, -(-len(files) // READ_BATCHES))
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        progress(0.05 + 0.65 * start / len(files), f"Reading {chunk[0].name} ({start + 1} of {len(files)})")
        if imp.stage(chunk) is not None:
            # A failed read stages nothing: read this batch file by file to find which ones are bad.
            for f in chunk:
                if (error := imp.stage([f])) is not None:
                    bad[str(f)] = _explain_read_error(f, error)
    return bad | _drop_bad_months(imp)


def _drop_bad_months(imp: police_store.StreetImport) -> dict[str, str]:
    """Unstage the rows of files whose Month is not YYYY-MM; returns each such file with why."""
    return {
        source: f"{source}: Month {month!r} is not a month in the form YYYY-MM."
        for source, month in imp.drop_bad_months(_MONTH.pattern).items()
    }


REFERENCE_LOOKUP_NAME = "the ONS reference lookup shipped with the project (LSOA 2011 and 2021 to ward 2024)"


def reference_lookup(plan: Plan) -> Lookup:
    """The LSOA lookup for the plan's areas from the reference geography shipped with the
    project (2021 LSOA codes, and 2011 codes as police.uk's older files carry them)."""
    rows = load_reference().lookup_for_wards([w.code for w in plan.wards])
    if rows.empty:
        raise PoliceDataError(
            f"None of the plan's {plan.partnership.area_plural} is a 2024 electoral ward in the ONS reference shipped "
            f"with the project, so their LSOAs are not known: give the ONS lookup from LSOAs to your "
            f"{plan.partnership.area_plural} (--lookup FILE)."
        )
    rows["ward_name"] = rows["ward_code"].map(plan.ward_names())
    return Lookup(Path(REFERENCE_LOOKUP_NAME), {}, rows, len(rows))


def _stage_archives(
    imp: police_store.StreetImport,
    plan: Plan,
    archives: list[Path],
    keep: set[str],
    progress: Progress,
) -> tuple[list[Path], dict[str, str]]:
    """Stage the plan's force(s)' street members of each archive (checked before any is read),
    keeping rows in ``keep`` (LSOA codes) and counting the rest; returns the members staged,
    and each member set aside as the same content as another. A corrupt member raises
    PoliceDataError naming it (nothing is stored)."""
    forces = [f.police_uk_id for f in load_reference().forces_for_wards([w.code for w in plan.wards])] or None
    if forces and plan.settings.peer_codes:  # a declared comparator group: its forces' files too
        forces = list(dict.fromkeys(forces + peers.group_forces(plan)))
    try:
        listed = [(path, archive.street_members(path, forces)) for path in archives]
    except archive.ArchiveError as exc:
        raise PoliceDataError(str(exc)) from None
    total = sum(len(members) for _, members in listed)
    staged: list[Path] = []
    same: dict[str, str] = {}
    seen: dict[tuple[int, int], str] = {}
    done = 0
    for path, members in listed:
        fresh = []
        for m in members:
            source = f"{path}:{m.name}"
            if (m.crc, m.size) in seen:
                same[source] = seen[(m.crc, m.size)]
            else:
                seen[(m.crc, m.size)] = source
                fresh.append(m)

        def step(i: int, m: archive.StreetMember, base: int = done) -> None:
            progress(0.05 + 0.65 * (base + i) / max(total, 1), f"Reading {m.name} ({base + i + 1} of {total})")

        try:
            for member, rows in archive.read_members(path, fresh, STREET_COLUMNS, sorted(keep), on_member=step):
                source = f"{path}:{member.name}"
                kept = rows.kept.rename_columns([n for n, _ in police_store.STREET_SCHEMA])
                imp.stage_frame(kept, source)
                imp.stage_skipped(rows.counts, source)
                imp.stage_outside(rows.outside, source)
                staged.append(Path(source))
        except archive.ArchiveError as exc:
            raise PoliceDataError(str(exc)) from None
        done += len(members)
    return staged, same


def import_street_files(
    store: Store,
    plan: Plan,
    paths: Sequence[str | Path],
    lookup_path: str | Path | None = None,
    skip_bad: bool = False,
    is_demo: bool = False,
    progress: Progress | None = None,
    *,
    by: access.User,
) -> ImportReport:
    """Import police.uk street files (files or month folders) in one transaction.

    Bad files are named in the error and nothing is stored, unless ``skip_bad``: then the good
    files are imported and the report lists the bad ones. Raises PoliceDataError when nothing
    can be imported. ``by`` is who asks (the signed-in person or the command line's
    operator): the permission rule is asked again here and a refusal raises
    :class:`access.AccessDenied` before anything is read."""
    access.require(by, access.Action.IMPORT_POLICE)
    progress = progress or (lambda _f, _m: None)
    archives = [Path(p) for p in paths if Path(p).suffix.lower() == ".zip"]
    files = expand_paths([p for p in paths if Path(p).suffix.lower() != ".zip"]) if len(archives) < len(paths) else []
    good: list[Path] = []
    bad: dict[str, str] = {}
    for f in files:
        try:
            detect_format(f)
            good.append(f)
        except PoliceDataError as exc:
            bad[str(f)] = str(exc)
    good, same = _set_aside_same_content(good)
    lookup = read_lookup(lookup_path, plan) if lookup_path is not None else None
    if lookup is None and archives:
        lookup = reference_lookup(plan)  # archives without --lookup: the reference, 2011 and 2021 codes
    keep = set(police_store.lookup_rows(store)["lsoa_code"]) | (set(lookup.rows["lsoa_code"]) if lookup else set())
    with police_store.street_import(store) as imp:
        bad |= _stage_files(imp, good, progress)
        if archives:
            members, same_members = _stage_archives(imp, plan, archives, keep, progress)
            good, same = good + members, same | same_members
            bad |= _drop_bad_months(imp)
        bad |= _refuse_shared_months(imp)
        if bad and not skip_bad:
            raise PoliceDataError(
                f"{len(bad)} of {len(files)} file(s) cannot be imported, so nothing was stored:\n"
                + "\n".join(f"- {why}" for why in bad.values())
                + "\nCorrect or remove them, or import only the good files (--skip-bad, or the option on the page)."
            )
        with imp.transaction():
            imported = tuple(f for f in good if str(f) not in bad)
            if not imported:
                raise PoliceDataError("No file could be imported:\n" + "\n".join(bad.values()))
            removed = 0 if is_demo else imp.delete_demo()
            if lookup is not None:
                imp.store_lookup(lookup.rows, str(lookup.path.name), is_demo)
            if imp.lookup_size() == 0:
                raise PoliceDataError(
                    f"No LSOA to {plan.partnership.area_singular} lookup is stored yet, so records cannot be placed "
                    f"in {plan.partnership.area_plural}. Give the ONS lookup CSV from LSOAs to your "
                    f"{plan.partnership.area_plural} (--lookup FILE, or the lookup upload on the page)."
                )
            months, peer_count = _store_staged(imp, plan, len(imported), bad, is_demo, progress)
    report = ImportReport(
        imported, bad, lookup, months, coverage(store), removed, plan.partnership.area_plural, same, peer_count
    )
    progress(1.0, "Import finished")
    return report


def _store_staged(
    imp: police_store.StreetImport,
    plan: Plan,
    files: int,
    bad_files: Mapping[str, str],
    is_demo: bool,
    progress: Progress,
) -> tuple[tuple[ForceMonth, ...], int]:
    """The part of an import that a file import and the demo share, inside its transaction:
    the staged records placed in areas through the stored lookup (replacing their months), the
    monthly summary rebuilt for those months, and the import logged. Returns the months stored
    and the incidents counted for the force's other partnerships."""
    progress(0.8, f"Placing records in {plan.partnership.area_plural} and storing them")
    months = tuple(imp.replace_months(is_demo))
    progress(0.95, f"Updating the monthly summary by {plan.partnership.area_singular}")
    imp.rebuild_summary([m.month for m in months])
    counted = 0 if is_demo else peers.store_peers(imp, plan, is_demo)  # the demo's lookup is not the reference's
    imp.record(
        police_store.ImportRecord(
            files=files,
            rows_read=sum(m.rows_read for m in months),
            stored=sum(m.stored for m in months),
            no_location=sum(m.no_location for m in months),
            outside_area=sum(m.outside_area for m in months),
            skipped_files="\n".join(bad_files.values()) or None,
            is_demo=is_demo,
        )
    )
    return months, counted


DEMO_LOOKUP_NAME = "demo_lsoa21_to_ward24.csv"  # the name the demo lookup is stored under
DEMO_SOURCE_FILE = "demo-street.csv"  # the file name the demo rows are recorded as coming from


def import_demo_frame(
    store: Store, plan: Plan, street: pd.DataFrame, lookup_rows: pd.DataFrame, peer_rows: pd.DataFrame | None = None
) -> ImportReport:
    """Import demo street rows held in memory (police.uk columns) with the demo lookup (ONS
    layout), replacing any earlier demo police data, in one transaction.

    The same statements as a file import after reading (lookup join, month replacement, the
    monthly summary, the import log, coverage), so the store holds what importing the same rows
    written as files would hold; only writing and re-reading the CSVs is skipped (first start)."""
    rows = pd.DataFrame(
        {
            "lsoa_code": lookup_rows["LSOA21CD"],
            "lsoa_name": lookup_rows["LSOA21NM"],
            "ward_code": lookup_rows["WD24CD"],
            "ward_name": lookup_rows["WD24NM"],
            "lad_name": lookup_rows["LAD24NM"],
        }
    )
    lookup = Lookup(Path(DEMO_LOOKUP_NAME), {}, rows, len(rows))
    frame = street.copy()
    frame.columns = [name for name, _ in police_store.STREET_SCHEMA]
    with police_store.street_import(store) as imp:
        imp.stage_frame(frame, DEMO_SOURCE_FILE)
        with imp.transaction():
            imp.delete_demo()
            imp.store_lookup(rows, DEMO_LOOKUP_NAME, is_demo=True)
            months, _ = _store_staged(imp, plan, 0, {}, True, lambda _f, _m: None)  # no file: rows from memory
            # the force's other partnerships, demo
            counted = imp.store_demo_peers(peer_rows) if peer_rows is not None and not peer_rows.empty else 0
    return ImportReport((), {}, lookup, months, coverage(store), 0, plan.partnership.area_plural, {}, counted)


# --- reads -----------------------------------------------------------------------------------
def month_start(m: str) -> str:
    """``YYYY-MM-01`` for a month written YYYY-MM; raises PoliceDataError naming anything else."""
    if not _MONTH.fullmatch(m or ""):
        raise PoliceDataError(f"{m!r} is not a month in the form YYYY-MM (for example 2024-03).")
    return f"{m}-01"


def ward_summary(
    store: Store,
    first: str | None = None,
    last: str | None = None,
    wards: Sequence[str] = (),
    crime_types: Sequence[str] = (),
) -> pd.DataFrame:
    """Month x ward x crime-type counts (month as YYYY-MM), filtered; wards and types empty
    means all. The figures the explorer shows and the command line writes. Raises
    PoliceDataError for a month not written YYYY-MM."""
    return police_store.ward_summary(
        store, month_start(first) if first else None, month_start(last) if last else None, wards, crime_types
    )


def incident_monthly_counts(store: Store, wards: Sequence[str], first: str, last: str) -> pd.DataFrame:
    """Ward-filtered monthly counts straight from the incidents (stored sorted by ward and
    month, so the filter reads only the row groups it needs)."""
    return police_store.incident_monthly_counts(store, wards, month_start(first), month_start(last))


# --- export ----------------------------------------------------------------------------------


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV bytes (UTF-8), formula-safe (see metrics.spreadsheet)."""
    # Text quoted (so a CR or tab inside a cell stays inside it), numbers bare.
    return safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """A table as one sheet (named ``sheet``) of an Excel workbook, formula-safe (see metrics.spreadsheet)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    return buffer.getvalue()
