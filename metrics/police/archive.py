"""police.uk as published: the data.police.uk archive or custom download, a ``.zip`` of month
folders (``YYYY-MM/YYYY-MM-<force>-street.csv``, beside outcomes and stop-and-search files).

Only the street files of the plan's force(s) are read, each streamed from the zip (nothing is
unpacked to disk) in blocks with the exact police.uk header, and only rows whose LSOA is one
of the plan's are kept; the others are counted (no location, outside the area) so the coverage
report says the same as for loose files, and those outside the area are counted by LSOA and crime
type too, for the force's other partnerships (:mod:`metrics.police.peers`).

The archive is checked before anything is read: a member whose name would unpack outside its
folder (an absolute path, ``..``, a drive letter), a member that would inflate beyond the
limits, or a zip with no street file of the plan's force(s) (the message lists the forces it
holds) is refused. A member that is corrupt or cut short is refused naming it.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

STREET_MEMBER = re.compile(r"^(?:.*/)?(\d{4}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)-street\.csv$")
ANY_MEMBER = re.compile(r"^(?:.*/)?\d{4}-\d{2}-([a-z0-9]+(?:-[a-z0-9]+)*)-(street|outcomes|stop-and-search)\.csv$")
OUTSIDE_COLUMNS = ("month", "falls_within", "lsoa_code", "crime_type", "incidents")
BLOCK_BYTES = 4 << 20  # pyarrow reads a member in blocks of this size: memory stays flat whatever its size


@dataclass(frozen=True)
class Limits:
    """What an archive may hold before it is refused unread (a zip bomb, a wrong file)."""

    # One force's month: the largest real street file (Metropolitan Police) is ~30 MB.
    member_bytes: int = 1 << 30
    # Street files inflate ~5-10x; far beyond is a crafted file, not police.uk's.
    ratio: float = 200.0
    # The street files read in one import: a whole country's 36 months are ~6 GB.
    total_bytes: int = 64 << 30
    members: int = 200_000  # entries in the zip's directory (43 forces x 3 files x 36 months = 4,644)


class ArchiveError(ValueError):
    """The zip cannot be used; the message names the archive, the member and what to do."""


@dataclass(frozen=True)
class StreetMember:
    """One street file of the archive."""

    name: str
    month: str  # YYYY-MM, from the file name
    force: str  # the data.police.uk force id, from the file name
    size: int  # bytes once inflated, as the zip declares
    crc: int  # the CRC-32 the zip declares: with the size, how one file in two folders is recognised


@dataclass(frozen=True)
class MemberRows:
    """What one street member held: the rows kept and per month
    the rows read, with no location and outside the area."""

    kept: pa.Table  # police.uk columns as text, but Longitude and Latitude as numbers (null when blank)
    counts: pd.DataFrame  # month, falls_within, rows_read, no_location, outside_area
    # the rows outside the area with a location, counted: month, falls_within, lsoa_code, crime_type,
    # incidents (for the peers: metrics.police.peers)
    outside: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OUTSIDE_COLUMNS))


def _unsafe(name: str) -> str | None:
    """Why a member name would unpack outside its folder, or None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if "\\" in name:
        return "uses backslashes, which some tools unpack as folders"
    if ".." in PurePosixPath(name).parts:
        return "climbs out of its folder with '..'"
    if "\x00" in name:
        return "holds a NUL character"
    return None


def street_members(path: Path, forces: Sequence[str] | None, limits: Limits = Limits()) -> list[StreetMember]:
    """The street members of ``forces`` (data.police.uk ids; None: every force) in the archive,
    by month, after checking every member name and the declared sizes. Raises
    :class:`ArchiveError` before anything is read."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{path}: {_why_unreadable(path)} ({exc}); nothing was read. Download it again.") from exc
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if len(infos) > limits.members:
        raise ArchiveError(f"{path}: holds {len(infos):,} entries, more than the {limits.members:,} allowed.")
    unsafe = [f"{i.filename!r} {why}" for i in infos if (why := _unsafe(i.filename))]
    if unsafe:
        raise ArchiveError(
            f"{path}: refused before reading, because member names would unpack outside their folder: "
            + "; ".join(unsafe[:5])
            + (f" and {len(unsafe) - 5} more" if len(unsafe) > 5 else "")
            + ". police.uk archives never do this; download the archive again from data.police.uk."
        )
    wanted = set(forces) if forces is not None else None
    held: set[str] = set()
    out = []
    for info in infos:
        if info.is_dir() or not (match := ANY_MEMBER.match(info.filename)):
            continue
        held.add(match.group(1))
        street = STREET_MEMBER.match(info.filename)
        if street and (wanted is None or street.group(2) in wanted):
            out.append(StreetMember(info.filename, street.group(1), street.group(2), info.file_size, info.CRC))
            _check_size(path, info, limits)
    if not out:
        wanted = wanted or {"any force"}
        listed = ", ".join(sorted(held)) or "none (no police.uk street, outcomes or stop-and-search files)"
        raise ArchiveError(
            f"{path}: holds no street file of {' or '.join(sorted(wanted))}, the plan's force(s). "
            f"The forces it holds: {listed}. Download the archive (or a custom download) that includes "
            f"{' and '.join(sorted(wanted))}."
        )
    total = sum(m.size for m in out)
    if total > limits.total_bytes:
        raise ArchiveError(
            f"{path}: the plan's street files would inflate to {total / 2**30:.1f} GB, more than the "
            f"{limits.total_bytes / 2**30:.0f} GB one import reads; import fewer months at a time."
        )
    return sorted(out, key=lambda m: (m.month, m.force, m.name))


_LOCAL_HEADER = b"PK\x03\x04"
_DESCRIPTOR_FLAG = 0x08  # sizes follow the data instead of sitting in the local header


def _why_unreadable(path: Path) -> str:
    """Why a zip has no readable directory: which member a download cut short, found by walking
    its local headers from the start, or that it is not a zip at all."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if f.read(4) != _LOCAL_HEADER:
            return "not a zip file"
        pos, name = 0, None
        while True:
            f.seek(pos)
            head = f.read(30)
            if len(head) < 30 or head[:4] != _LOCAL_HEADER:
                break
            flags, csize = struct.unpack("<H", head[6:8])[0], struct.unpack("<I", head[18:22])[0]
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            name = f.read(name_len).decode("utf-8", "replace")
            end = pos + 30 + name_len + extra_len + csize
            if end > size or flags & _DESCRIPTOR_FLAG and csize == 0:
                return f"cut short in member {name}"
            pos = end
    return "cut short: its directory (at the end of the file) is missing" + (
        f"; the last member is {name}" if name else ""
    )


def _check_size(path: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    if info.file_size > limits.member_bytes:
        raise ArchiveError(
            f"{path}: member {info.filename} would inflate to {info.file_size / 2**20:,.0f} MB, more than the "
            f"{limits.member_bytes / 2**20:,.0f} MB allowed for one month's street file; refused before reading."
        )
    if info.compress_size and info.file_size / info.compress_size > limits.ratio:
        raise ArchiveError(
            f"{path}: member {info.filename} would inflate {info.file_size / info.compress_size:,.0f} times "
            f"(more than {limits.ratio:,.0f}), as a zip bomb does; refused before reading."
        )


def _read_options(columns: Sequence[str]) -> tuple[pacsv.ReadOptions, pacsv.ConvertOptions]:
    read = pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=True)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    return read, convert


def read_member(
    path: Path,
    member: StreetMember,
    columns: Sequence[str],
    lsoas: pa.Array,
    *,
    zf: zipfile.ZipFile | None = None,
) -> MemberRows:
    """Stream one street member, keeping rows whose LSOA code is in ``lsoas``. Raises
    :class:`ArchiveError` naming the member when it is corrupt, cut short or not a street file."""
    kept: list[pa.RecordBatch] = []
    counts: list[pd.DataFrame] = []
    outside: list[pa.Table] = []
    owner = zf or zipfile.ZipFile(path)
    try:
        with owner.open(member.name) as stream:
            read, convert = _read_options(columns)
            reader = pacsv.open_csv(stream, read_options=read, convert_options=convert)
            if tuple(reader.schema.names) != tuple(columns):
                raise ArchiveError(
                    f"{path}: member {member.name} is not a police.uk street-level file (its header is "
                    f"{','.join(reader.schema.names)[:200]}); expected {','.join(columns)}."
                )
            for batch in _batches(reader):
                lsoa = pc.utf8_trim_whitespace(batch.column(7))
                blank = pc.equal(lsoa, "")
                inside = pc.is_in(lsoa, value_set=lsoas)
                parts = pa.table(
                    {
                        "month": batch.column(1),
                        "falls_within": batch.column(3),
                        "no_location": pc.cast(blank, pa.int64()),
                        "inside": pc.cast(inside, pa.int64()),
                    }
                )
                counts.append(
                    parts.group_by(["month", "falls_within"]).aggregate(
                        [("no_location", "count"), ("no_location", "sum"), ("inside", "sum")]
                    )
                )
                kept.append(batch.filter(inside))
                away = pc.and_(pc.invert(inside), pc.invert(blank))
                others = pa.table(
                    {
                        "month": batch.column(1),
                        "falls_within": batch.column(3),
                        "lsoa_code": lsoa,
                        "crime_type": batch.column(9),
                    }
                ).filter(away)
                outside.append(others.group_by(list(OUTSIDE_COLUMNS[:-1])).aggregate([("month", "count")]))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, pa.ArrowInvalid) as exc:
        raise ArchiveError(
            f"{path}: member {member.name} is corrupt or cut short ({str(exc).splitlines()[0]}); nothing was "
            "stored. Download the archive again."
        ) from exc
    finally:
        if zf is None:
            owner.close()
    table = pa.Table.from_batches(kept, schema=pa.schema([(c, pa.string()) for c in columns]))
    summary = pd.DataFrame(columns=["month", "falls_within", "rows_read", "no_location", "outside_area"])
    if counts:
        names = {"no_location_count": "rows_read", "no_location_sum": "no_location", "inside_sum": "inside"}
        total = pa.concat_tables(counts).to_pandas().rename(columns=names)
        total = total.groupby(["month", "falls_within"], dropna=False, as_index=False).sum()
        total["outside_area"] = total["rows_read"] - total["no_location"] - total["inside"]
        summary = total.drop(columns="inside")
    away = pd.DataFrame(columns=OUTSIDE_COLUMNS)
    if outside:
        away = pa.concat_tables(outside).to_pandas().rename(columns={"month_count": "incidents"})
        away = away.groupby(list(OUTSIDE_COLUMNS[:-1]), dropna=False, as_index=False)["incidents"].sum()
    return MemberRows(_numbers(path, member, table, COORDINATES), summary, away[list(OUTSIDE_COLUMNS)])


COORDINATES = ("Longitude", "Latitude")


def _numbers(path: Path, member: StreetMember, table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """The columns as numbers (blank: null); a value that is not a number is refused, naming it."""
    for name in columns:
        text = pc.utf8_trim_whitespace(table.column(name))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        try:
            number = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            bad = next(v for v in text.to_pylist() if v is not None and not _is_number(v))
            raise ArchiveError(
                f"{path}: member {member.name} has a {name} that is not a number ({bad!r}); nothing was stored."
            ) from None
        table = table.set_column(table.schema.get_field_index(name), name, number)
    return table


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _batches(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def read_members(
    path: Path,
    members: Sequence[StreetMember],
    columns: Sequence[str],
    lsoas: Sequence[str],
    on_member: Callable[[int, StreetMember], None] = lambda _i, _m: None,
) -> Iterator[tuple[StreetMember, MemberRows]]:
    """Each member's rows in turn, from one open archive."""
    value_set = pa.array(sorted(set(lsoas)), type=pa.string())
    with zipfile.ZipFile(path) as zf:
        for i, member in enumerate(members):
            on_member(i, member)
            yield member, read_member(path, member, columns, value_set, zf=zf)
