"""The shipped reference geography (data/reference/, built by scripts/build-reference) and the
questions asked of it: which partnerships there are, which local authorities, wards and LSOAs
each covers, which force(s) police it, and each ward's Census 2021 population.

A partnership's area is a set of whole 2024 electoral wards. Most partnerships cover one or
more whole local authorities, and their wards are those authorities' wards. Seven authorities
are split between partnerships (unitary councils that kept their old districts' partnerships,
such as one council served by four): ONS publishes no ward-to-partnership lookup for them, so
the split is found from the data this way, and each generated plan says so:

1. every LSOA 2021 of the authority takes the district of 2011 its LSOA 2011 source(s) were
   named after (ONS named 2011 LSOAs after their district: "<district> 001A");
2. a district is the partnership of the same name; where districts remain unmatched and
   exactly one of the authority's partnerships matched no district, they are that partnership
   (a partnership named after a county or a pair of districts);
3. a ward goes to the partnership holding most of its Census 2021 residents, counted by LSOA
   (best fit, like ONS's own LSOA to ward lookup). A ward straddling an old district boundary
   therefore lies wholly in one partnership, and :attr:`Coverage.straddling` counts them.

Where the rule cannot decide (no district name matches and several partnerships are left) the
ward is listed for every such partnership and marked ``undecided``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.plan.names import UnknownNameError

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"
POPULATION_SOURCE = "Census 2021 usual residents (TS038), best-fit LSOA aggregation"
CREDIT = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
SUGGESTIONS = 3  # near misses offered for an unknown name
SIMILARITY = 0.6  # difflib's ratio below which a name is not offered as a near miss
LISTED = 12  # names listed when nothing is near (there are ~300 partnerships: a sample, not all)
_LSOA_NUMBER = re.compile(r"\s+\d{3}[A-Z]$")  # "Aylesbury Vale 001A" -> "Aylesbury Vale"
_PARTNERSHIP_WORDS = re.compile(r"\s+(community safety partnership|csp)$")


class UnknownAreaError(UnknownNameError):
    """A typed partnership or authority name matches nothing, or an authority is served by
    several partnerships; the message names them and offers near misses."""


@dataclass(frozen=True)
class Authority:
    """A local authority (lower tier, 2024)."""

    code: str
    name: str


@dataclass(frozen=True)
class Force:
    """A police force area and the id data.police.uk uses for it in file names."""

    code: str
    name: str
    police_uk_id: str
    police_uk_name: str


@dataclass(frozen=True)
class Partnership:
    """A Community Safety Partnership (December 2024)."""

    code: str
    name: str
    authorities: tuple[Authority, ...]
    forces: tuple[Force, ...]
    shared: tuple[Authority, ...]  # authorities split between this and other partnerships


@dataclass(frozen=True)
class Coverage:
    """How a partnership's wards were found, for the plan's comments."""

    wards: int
    undecided: int  # wards the split rule could not place (listed for each candidate partnership)
    straddling: int  # wards placed by best fit though some of their residents were in another partnership


def _fold(text: str) -> str:
    """A name as compared: case, '&', runs of spaces and a trailing 'Community Safety Partnership'
    ignored."""
    folded = " ".join(str(text).replace("&", " and ").split()).casefold()
    return _PARTNERSHIP_WORDS.sub("", folded)


class Reference:
    """The reference tables, read once; answers questions by partnership."""

    def __init__(self, folder: Path = REFERENCE_DIR) -> None:
        def read(name: str) -> pd.DataFrame:
            path = folder / f"{name}.parquet"
            if not path.is_file():
                raise FileNotFoundError(f"{path}: the reference geography is missing; run scripts/build-reference")
            return pd.read_parquet(path)

        self.folder = folder
        self.lookup = read("lsoa21_ward24_lad24")
        self.links = read("lad24_csp24_pfa24")
        self.force_ids = read("pfa24_police_uk_force_ids")
        self.lsoa11 = read("lsoa11_lsoa21_lad22")
        self.lsoa_residents = read("lsoa21_census2021_usual_residents")
        self.ward_residents = read("ward24_census2021_usual_residents_bestfit")

    # --- listing ------------------------------------------------------------------------------

    @functools.cached_property
    def _lsoa11_best(self) -> pd.DataFrame:
        """Each LSOA 2011 with the one LSOA 2021 holding most of its residents, England and Wales wide."""
        old = self.lsoa11[["lsoa11_code", "lsoa21_code"]].merge(self.lsoa_residents, on="lsoa21_code", how="left")
        old = old.sort_values(["lsoa11_code", "usual_residents"], ascending=[True, False], kind="stable")
        return old.drop_duplicates("lsoa11_code")[["lsoa11_code", "lsoa21_code"]]

    @functools.cached_property
    def _partnerships(self) -> dict[str, Partnership]:
        forces = {
            r.pfa24_code: Force(r.pfa24_code, r.pfa24_name, r.police_uk_force_id, r.police_uk_force_name)
            for r in self.force_ids.itertuples()
        }
        per_authority = self.links.groupby("ltla24_code")["csp24_code"].nunique()
        out = {}
        for code, rows in self.links.groupby("csp24_code", sort=True):
            authorities = tuple(Authority(r.ltla24_code, r.ltla24_name) for r in rows.itertuples())
            shared = tuple(a for a in authorities if per_authority[a.code] > 1)
            pfas = tuple(dict.fromkeys(rows["pfa24_code"]))
            out[str(code)] = Partnership(
                str(code), str(rows["csp24_name"].iloc[0]), authorities, tuple(forces[p] for p in pfas), shared
            )
        return out

    def partnerships(self) -> tuple[Partnership, ...]:
        """Every Community Safety Partnership in England and Wales, by code."""
        return tuple(self._partnerships.values())

    def partnership(self, typed: str) -> Partnership:
        """The partnership named by ``typed``: a partnership's or a local authority's name or
        code, in any case. An authority served by several partnerships is refused with their
        names. Raises :class:`UnknownAreaError` with a "did you mean" for a near miss."""
        names: dict[str, tuple[str, str]] = {}  # folded name -> (kind, code)
        for p in self._partnerships.values():
            names.setdefault(_fold(p.code), ("partnership", p.code))
            names.setdefault(_fold(p.name), ("partnership", p.code))
        for r in self.links.itertuples():
            names.setdefault(_fold(r.ltla24_code), ("authority", r.ltla24_code))
            names.setdefault(_fold(r.ltla24_name), ("authority", r.ltla24_code))
        found = names.get(_fold(typed))
        if found is None:
            near = difflib.get_close_matches(_fold(typed), list(names), n=SUGGESTIONS * 3, cutoff=SIMILARITY)
            shown = list(dict.fromkeys(self._label(*names[n]) for n in near))[:SUGGESTIONS]
            if shown:
                raise UnknownAreaError(
                    f"No partnership or local authority is called {typed!r}; did you mean {' or '.join(shown)}?"
                )
            sample = ", ".join(p.name for p in list(self._partnerships.values())[:LISTED])
            raise UnknownAreaError(
                f"No partnership or local authority is called {typed!r}. Use a partnership's or a local "
                f"authority's name or ONS code (E22..., E06..., E07..., E08..., E09..., W06...), in any case; "
                f"for example {sample}."
            )
        kind, code = found
        if kind == "partnership":
            return self._partnerships[code]
        serving = [p for p in self._partnerships.values() if any(a.code == code for a in p.authorities)]
        if len(serving) > 1:
            listed = ", ".join(f"{p.name} ({p.code})" for p in serving)
            raise UnknownAreaError(
                f"{self._label(kind, code)} is served by {len(serving)} partnerships: {listed}; name one of them."
            )
        return serving[0]

    def _label(self, kind: str, code: str) -> str:
        if kind == "partnership":
            return f"{self._partnerships[code].name!r} (partnership {code})"
        name = self.links.loc[self.links["ltla24_code"] == code, "ltla24_name"].iloc[0]
        return f"{name!r} (local authority {code})"

    # --- areas --------------------------------------------------------------------------------

    @functools.cached_property
    def _ward_partnership(self) -> pd.DataFrame:
        """ward24_code -> csp24_code (one row per pair; an undecided ward has several), with
        ``undecided`` and ``straddling`` flags: the rule in this module's docstring."""
        links = self.links[["ltla24_code", "csp24_code", "csp24_name"]]
        split = links.groupby("ltla24_code")["csp24_code"].nunique()
        split_codes = set(split[split > 1].index)
        whole = self.lookup[~self.lookup["ltla24_code"].isin(split_codes)][["ward24_code", "ltla24_code"]]
        placed = whole.drop_duplicates().merge(links, on="ltla24_code")[["ward24_code", "csp24_code"]]
        placed = placed.assign(undecided=False, straddling=False)
        parts = [placed]
        for authority in sorted(split_codes):
            parts.append(self._place_split(authority, links[links["ltla24_code"] == authority]))
        return pd.concat(parts, ignore_index=True)

    def _place_split(self, authority: str, links: pd.DataFrame) -> pd.DataFrame:
        lsoas = self.lookup[self.lookup["ltla24_code"] == authority][["lsoa21_code", "ward24_code"]]
        old = self.lsoa11[self.lsoa11["lsoa21_code"].isin(lsoas["lsoa21_code"])]
        old = old.assign(district=old["lsoa11_name"].str.replace(_LSOA_NUMBER, "", regex=True).map(_fold))
        sizes = old.groupby(["lsoa21_code", "district"]).size().sort_values(ascending=False, kind="stable")
        district = sizes.reset_index().drop_duplicates("lsoa21_code").set_index("lsoa21_code")["district"]
        by_name = {_fold(r.csp24_name): r.csp24_code for r in links.itertuples()}
        matched = {d: by_name[d] for d in district.unique() if d in by_name}
        unmatched_csps = [c for c in links["csp24_code"] if c not in matched.values()]
        fallback = unmatched_csps[0] if len(unmatched_csps) == 1 else None
        lsoas = lsoas.assign(csp24_code=lsoas["lsoa21_code"].map(district).map(lambda d: matched.get(d, fallback)))
        lsoas = lsoas.merge(self.lsoa_residents, on="lsoa21_code", how="left")
        # Each ward goes to the partnership holding most of its placed residents (a tie: the
        # lower code); a ward with no placed LSOA is undecided between the candidates.
        known = lsoas.dropna(subset=["csp24_code"])
        shares = known.groupby(["ward24_code", "csp24_code"], as_index=False)["usual_residents"].sum()
        best = shares.sort_values(
            ["ward24_code", "usual_residents", "csp24_code"], ascending=[True, False, True], kind="stable"
        ).drop_duplicates("ward24_code")
        partners = shares.groupby("ward24_code").size()
        unplaced = lsoas.groupby("ward24_code").size().sub(known.groupby("ward24_code").size(), fill_value=0)
        decided = best.assign(
            undecided=False,
            straddling=(best["ward24_code"].map(partners) > 1) | (best["ward24_code"].map(unplaced) > 0),
        )[["ward24_code", "csp24_code", "undecided", "straddling"]]
        candidates = unmatched_csps or list(links["csp24_code"])
        open_wards = sorted(set(lsoas["ward24_code"]) - set(known["ward24_code"]))
        undecided = pd.DataFrame(
            [(ward, csp, True, False) for ward in open_wards for csp in candidates],
            columns=["ward24_code", "csp24_code", "undecided", "straddling"],
        )
        out = pd.concat([decided, undecided], ignore_index=True) if len(undecided) else decided
        return out.sort_values("ward24_code", kind="stable").reset_index(drop=True)

    def wards(self, partnership: Partnership) -> pd.DataFrame:
        """The partnership's 2024 wards, by code: ward24_code, ward24_name, ltla24_code,
        ltla24_name, usual_residents (Census 2021, see :data:`POPULATION_SOURCE`), n_lsoa21,
        undecided, straddling."""
        table = self._ward_table
        return table[table["csp24_code"] == partnership.code].drop(columns="csp24_code").reset_index(drop=True)

    @functools.cached_property
    def _ward_table(self) -> pd.DataFrame:
        names = self.lookup[["ward24_code", "ward24_name", "ltla24_code", "ltla24_name"]].drop_duplicates("ward24_code")
        residents = self.ward_residents[["ward24_code", "usual_residents", "n_lsoa21"]]
        out = self._ward_partnership.merge(names, on="ward24_code").merge(residents, on="ward24_code", how="left")
        columns = ["csp24_code", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name", "usual_residents"]
        return out[[*columns, "n_lsoa21", "undecided", "straddling"]].sort_values("ward24_code", kind="stable")

    def coverage(self, partnership: Partnership) -> Coverage:
        """How many wards the partnership has, and how many the split rule left undecided or
        placed by best fit across an old district boundary."""
        wards = self.wards(partnership)
        return Coverage(len(wards), int(wards["undecided"].sum()), int(wards["straddling"].sum()))

    def lsoas(self, partnership: Partnership) -> pd.DataFrame:
        """The LSOAs 2021 of the partnership's wards (best fit): lsoa21_code, lsoa21_name,
        ward24_code, ltla24_code, usual_residents."""
        codes = self.wards(partnership)["ward24_code"]
        out = self.lookup[self.lookup["ward24_code"].isin(codes)]
        out = out.merge(self.lsoa_residents, on="lsoa21_code", how="left")
        return out[["lsoa21_code", "lsoa21_name", "ward24_code", "ltla24_code", "usual_residents"]].reset_index(
            drop=True
        )

    def lsoa11_to_lsoa21(self, partnership: Partnership) -> pd.DataFrame:
        """ONS's LSOA 2011 to LSOA 2021 rows for the partnership's LSOAs 2021: lsoa11_code,
        lsoa21_code, change_code (U unchanged, S split, M merged, X irregular)."""
        codes = self.lsoas(partnership)["lsoa21_code"]
        out = self.lsoa11[self.lsoa11["lsoa21_code"].isin(codes)]
        return out[["lsoa11_code", "lsoa21_code", "change_code"]].reset_index(drop=True)

    def lsoa_ward_lookup(self, partnership: Partnership) -> pd.DataFrame:
        """Every LSOA code, 2011 or 2021, that police.uk files may carry for the partnership's
        area, with its ward: lsoa_code, ward24_code, vintage ('2021' or '2011'). A 2011 LSOA split
        in 2021 goes to the ward of the 2021 LSOA holding most residents; a 2021 code wins over
        the same 2011 code."""
        lsoas = self.lsoas(partnership)
        new = lsoas[["lsoa21_code", "ward24_code"]].rename(columns={"lsoa21_code": "lsoa_code"}).assign(vintage="2021")
        old = self._lsoa11_best[self._lsoa11_best["lsoa21_code"].isin(lsoas["lsoa21_code"])]
        old = old.merge(lsoas[["lsoa21_code", "ward24_code"]], on="lsoa21_code").rename(
            columns={"lsoa11_code": "lsoa_code"}
        )
        old = old[~old["lsoa_code"].isin(new["lsoa_code"])][["lsoa_code", "ward24_code"]].assign(vintage="2011")
        return pd.concat([new, old], ignore_index=True).sort_values("lsoa_code").reset_index(drop=True)

    def lookup_for_wards(self, ward_codes: Sequence[str]) -> pd.DataFrame:
        """The LSOA to ward lookup for any set of 2024 ward codes (a plan's), in the columns the
        police.uk import stores: lsoa_code (2021, and 2011 codes not reused in 2021), lsoa_name,
        ward_code, ward_name, lad_name. A 2011 LSOA goes to the ward of the 2021 LSOA holding
        most of its residents."""
        codes = set(ward_codes)
        new = self.lookup[self.lookup["ward24_code"].isin(codes)]
        rows = new[["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "ltla24_name"]]
        rows = rows.set_axis(["lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_name"], axis=1)
        old = self._lsoa11_best.merge(rows, left_on="lsoa21_code", right_on="lsoa_code")
        old = old[~old["lsoa11_code"].isin(rows["lsoa_code"])]
        names = self.lsoa11.drop_duplicates("lsoa11_code").set_index("lsoa11_code")["lsoa11_name"]
        old = old.assign(lsoa_code=old["lsoa11_code"], lsoa_name=old["lsoa11_code"].map(names))[list(rows.columns)]
        return pd.concat([rows, old], ignore_index=True).sort_values("lsoa_code").reset_index(drop=True)

    def forces_for_wards(self, ward_codes: Sequence[str]) -> tuple[Force, ...]:
        """The police force(s) whose areas hold these 2024 wards, by force code; none when no
        code is a 2024 ward in the reference."""
        authorities = set(self.lookup.loc[self.lookup["ward24_code"].isin(set(ward_codes)), "ltla24_code"])
        pfas = sorted(set(self.links.loc[self.links["ltla24_code"].isin(authorities), "pfa24_code"]))
        rows = self.force_ids.set_index("pfa24_code")
        return tuple(
            Force(p, rows.at[p, "pfa24_name"], rows.at[p, "police_uk_force_id"], rows.at[p, "police_uk_force_name"])
            for p in pfas
        )

    @functools.cached_property
    def _lsoa_partnerships(self) -> pd.DataFrame:
        """Every LSOA code police.uk files may carry (2021, and 2011 codes not reused in 2021,
        by the 2021 LSOA holding most residents) with the partnership of its ward and the
        police.uk name of each force policing that partnership. An undecided ward (see the
        module's docstring) goes to the first of its candidate partnerships."""
        ward_csp = self._ward_partnership.drop_duplicates("ward24_code")[["ward24_code", "csp24_code"]]
        new = self.lookup[["lsoa21_code", "ward24_code"]].merge(ward_csp, on="ward24_code")
        new = new.rename(columns={"lsoa21_code": "lsoa_code"})[["lsoa_code", "csp24_code"]]
        old = self._lsoa11_best.merge(new, left_on="lsoa21_code", right_on="lsoa_code", suffixes=("", "_21"))
        old = old[~old["lsoa11_code"].isin(set(new["lsoa_code"]))]  # a set: pandas' isin of Arrow strings is slow
        old = old.assign(lsoa_code=old["lsoa11_code"])[["lsoa_code", "csp24_code"]]
        codes = pd.concat([new, old], ignore_index=True)
        forces = self.links[["csp24_code", "csp24_name", "pfa24_code"]].drop_duplicates()
        forces = forces.merge(self.force_ids[["pfa24_code", "police_uk_force_name"]], on="pfa24_code")
        out = codes.merge(forces[["csp24_code", "csp24_name", "police_uk_force_name"]], on="csp24_code")
        out = out.set_axis(["lsoa_code", "partnership_code", "partnership_name", "force_name"], axis=1)
        return out.sort_values(["lsoa_code", "force_name"], kind="stable").reset_index(drop=True)

    def partnerships_of_wards(self, ward_codes: Sequence[str]) -> tuple[str, ...]:
        """The code(s) of the partnership(s) holding these 2024 wards, sorted (an undecided ward
        counts for its first candidate, where :meth:`lsoa_partnerships` places its LSOAs)."""
        table = self._ward_partnership.drop_duplicates("ward24_code")
        return tuple(sorted(set(table.loc[table["ward24_code"].isin(set(ward_codes)), "csp24_code"])))

    def lsoa_partnerships(self) -> pd.DataFrame:
        """LSOA to partnership for England and Wales, as police.uk files carry LSOAs: lsoa_code
        (2021 or 2011), partnership_code, partnership_name, force_name (the force's name in a
        police.uk file's "Falls within"; a partnership policed by two forces has a row for each)."""
        return self._lsoa_partnerships

    def partnership_residents(self, codes: Sequence[str]) -> dict[str, int]:
        """Census 2021 usual residents of each partnership (code), summed over its wards (best
        fit, see :data:`POPULATION_SOURCE`); codes not in the reference are left out."""
        table = self._ward_table.drop_duplicates("ward24_code")
        table = table[table["csp24_code"].isin(set(codes))]
        return {str(k): int(v) for k, v in table.groupby("csp24_code")["usual_residents"].sum().items()}


@functools.lru_cache(maxsize=2)
def load_reference(folder: Path = REFERENCE_DIR) -> Reference:
    """The shipped reference geography, read once per folder."""
    return Reference(folder)
