"""The shipped reference geography (data/reference/) and the starter plan written from it.

Test files may name real places: the figures below are ONS's own (Census 2021 TS038 summed to
2024 wards; the LAD to CSP to PFA lookup of December 2024)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.areas import POPULATION_SOURCE, Reference, UnknownAreaError, load_reference, plan_text
from tests.conftest import ROOT

SOURCES = ROOT.parent / "shared" / "data" / "reference"
TODAY = date(2026, 12, 4)
COVENTRY_WARDS = [f"E050012{n}" for n in range(18, 36)]


@pytest.fixture(scope="module")
def ref() -> Reference:
    return load_reference()


def test_every_partnership_of_england_and_wales(ref: Reference) -> None:
    partnerships = ref.partnerships()
    assert len(partnerships) == 314  # ONS: 314 CSPs in December 2024, over 318 authorities
    assert all(p.forces and p.authorities for p in partnerships)
    # every 2024 ward lies in exactly one partnership, and together they hold every resident
    wards = [code for p in partnerships for code in ref.wards(p)["ward24_code"]]
    assert len(wards) == len(set(wards)) == 7536
    assert ref.lsoa_residents["usual_residents"].sum() == 59_597_543


def test_coventry_by_any_name(ref: Reference) -> None:
    by_name = ref.partnership("coventry")
    assert ref.partnership("E22000336") == ref.partnership("COVENTRY community safety partnership") == by_name
    assert ref.partnership("e08000026") == by_name  # the local authority's code
    wards = ref.wards(by_name)
    assert list(wards["ward24_code"]) == COVENTRY_WARDS
    assert wards["usual_residents"].sum() == 345_326
    assert [(f.police_uk_id, f.police_uk_name) for f in by_name.forces] == [("west-midlands", "West Midlands Police")]
    assert len(ref.lsoas(by_name)) == 203
    assert not by_name.shared and ref.coverage(by_name).undecided == 0


def test_a_partnership_of_several_authorities(ref: Reference) -> None:
    south = ref.partnership("south worcester")
    assert [a.name for a in south.authorities] == ["Malvern Hills", "Worcester", "Wychavon"]
    assert [f.police_uk_id for f in south.forces] == ["west-mercia"]
    assert set(ref.wards(south)["ltla24_name"]) == {"Malvern Hills", "Worcester", "Wychavon"}
    assert ref.partnership("Wychavon") == south  # an authority leads to its one partnership


def test_an_authority_split_into_several_partnerships(ref: Reference) -> None:
    with pytest.raises(UnknownAreaError, match=r"served by 4 partnerships: Aylesbury Vale \(E22000303\), Chiltern"):
        ref.partnership("Buckinghamshire")
    parts = [ref.partnership(n) for n in ("Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe")]
    wards = [ref.wards(p) for p in parts]
    codes = [set(w["ward24_code"]) for w in wards]
    everything = set(ref.lookup.loc[ref.lookup["ltla24_name"] == "Buckinghamshire", "ward24_code"])
    assert set().union(*codes) == everything and sum(map(len, codes)) == len(everything)  # each ward once
    assert sum(int(w["usual_residents"].sum()) for w in wards) == int(
        ref.ward_residents.loc[ref.ward_residents["ward24_code"].isin(everything), "usual_residents"].sum()
    )
    assert all(ref.coverage(p).undecided == 0 for p in parts)
    assert all(p.shared[0].name == "Buckinghamshire" for p in parts)
    # Christchurch (in BCP) matches no partnership's name: it goes to the one left, Dorset
    dorset = ref.partnership("Dorset")
    assert {a.name for a in dorset.authorities} == {"Dorset", "Bournemouth, Christchurch and Poole"}
    assert "Christchurch Town" in set(ref.wards(dorset)["ward24_name"])


def test_a_split_the_rule_cannot_decide_lists_the_ward_for_each_candidate(tmp_path: Path) -> None:
    """Two of Buckinghamshire's four partnerships renamed so that no old district matches them:
    a ward all of whose LSOAs lie in those districts is undecided and listed for both; a ward
    partly placed goes to the placed partnership holding most of its residents, as straddling."""
    import pandas as pd

    folder = tmp_path / "reference"
    folder.mkdir()
    for source in (ROOT / "data" / "reference").glob("*.parquet"):
        (folder / source.name).write_bytes(source.read_bytes())
    links = pd.read_parquet(folder / "lad24_csp24_pfa24.parquet")
    renamed = {"Chiltern": "Renamed North", "South Bucks": "Renamed South"}
    links["csp24_name"] = links["csp24_name"].replace(renamed)
    links.to_parquet(folder / "lad24_csp24_pfa24.parquet")
    original = load_reference()
    changed = Reference(folder)
    first, second = (changed.partnership(n) for n in renamed.values())
    a, b = changed.wards(first), changed.wards(second)
    assert changed.coverage(first).undecided == changed.coverage(second).undecided == len(a) == len(b) > 0
    assert set(a["ward24_code"]) == set(b["ward24_code"]) and a["undecided"].all()
    before = set().union(*(set(original.wards(original.partnership(n))["ward24_code"]) for n in renamed))
    assert set(a["ward24_code"]) <= before  # only the old districts' wards are left open
    for name in ("Aylesbury Vale", "Wycombe"):  # still matched: each of their wards decided, once
        kept = changed.wards(changed.partnership(name))
        assert not kept["undecided"].any() and set(kept["ward24_code"]).isdisjoint(a["ward24_code"])
        assert set(original.wards(original.partnership(name))["ward24_code"]) <= set(kept["ward24_code"])


def test_the_partnership_of_its_wards_is_the_one_its_lsoas_are_placed_in(ref: Reference) -> None:
    """For a sample of partnerships (several authorities, a split authority, Wales), the
    partnership of its wards is the one police.uk rows in its LSOAs (2011 or 2021) are counted for."""
    table = ref.lsoa_partnerships()
    for name in ("Coventry", "Aylesbury Vale", "Dorset", "Cardiff", "Daventry and South Northamptonshire"):
        wards = list(ref.wards(ref.partnership(name))["ward24_code"])
        lsoas = set(ref.lookup_for_wards(wards)["lsoa_code"])
        placed = tuple(sorted(set(table.loc[table["lsoa_code"].isin(lsoas), "partnership_code"])))
        assert ref.partnerships_of_wards(wards) == placed == (ref.partnership(name).code,), name
    assert ref.partnerships_of_wards(["E05999999"]) == ()


def test_did_you_mean(ref: Reference) -> None:
    with pytest.raises(UnknownAreaError, match=r"'Coventy'; did you mean 'Coventry' \(partnership E22000336\)"):
        ref.partnership("Coventy")
    with pytest.raises(UnknownAreaError, match=r"No partnership or local authority is called 'Xyzzy'\. Use"):
        ref.partnership("Xyzzy")


def test_lsoa_lookup_for_both_vintages(ref: Reference) -> None:
    coventry = ref.partnership("Coventry")
    lookup = ref.lsoa_ward_lookup(coventry)
    assert lookup["lsoa_code"].is_unique and set(lookup["ward24_code"]) == set(COVENTRY_WARDS)
    assert (lookup["vintage"] == "2021").sum() == 203
    old = ref.lsoa11_to_lsoa21(coventry)
    assert set(old["change_code"]) <= {"U", "S", "M", "X"}
    # every 2011 code police.uk may carry for Coventry maps to one of its wards
    assert set(old["lsoa11_code"]) <= set(lookup["lsoa_code"])
    # the 2011 LSOA lookup the project holds for Coventry agrees wherever the ward codes match
    shared = SOURCES.parent / "lookups" / "coventry_lsoa11_to_ward18.csv"
    if shared.is_file():
        import pandas as pd

        held = pd.read_csv(shared, dtype=str)
        merged = held.merge(lookup, left_on="LSOA11CD", right_on="lsoa_code")
        assert (merged["WD18CD"] == merged["ward24_code"]).mean() > 0.95


def test_build_reference_is_deterministic_reads_cr_only_files_and_records_its_sources(tmp_path: Path) -> None:
    """ONS's national CSVs can end lines with CR alone: built from such copies of the sources,
    the output is byte for byte the shipped one, and SOURCES.json records each source."""
    if not SOURCES.is_dir():
        pytest.skip("the ONS source files are not beside the project")
    source = tmp_path / "src"
    source.mkdir()
    for path in SOURCES.glob("*.csv"):
        (source / path.name).write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    script = ROOT / "scripts" / "build-reference"
    run = subprocess.run([sys.executable, str(script), str(source), "--out", str(tmp_path)], capture_output=True)
    assert run.returncode == 0, run.stderr
    built = json.loads((tmp_path / "SOURCES.json").read_text())
    shipped = json.loads((ROOT / "data" / "reference" / "SOURCES.json").read_text())
    drop = {"source_sha256"}  # the CR-only copies differ from the sources; nothing else may

    def strip(manifest: dict) -> list[dict]:
        return [{k: v for k, v in t.items() if k not in drop} for t in manifest["tables"]]

    assert strip(built) == strip(shipped)
    for table in shipped["tables"]:
        digest = hashlib.sha256((SOURCES / table["source"]).read_bytes()).hexdigest()
        assert table["source_sha256"] == digest, f"{table['source']} changed: rerun scripts/build-reference"
    assert "Open Government Licence v.3.0" in shipped["credit"]
    rows = {t["source"]: t["rows"] for t in built["tables"]}
    assert rows["lsoa21_ward24_lad24.csv"] == 35_672 and rows["lad24_csp24_pfa24.csv"] == 332
    assert sum(t["output_bytes"] for t in built["tables"]) < 3_000_000
    cr = Reference(tmp_path)
    assert cr.wards(cr.partnership("Coventry"))["usual_residents"].sum() == 345_326


# --- the starter plan ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans(ref: Reference, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plans")
    out = {}
    for name in ("Coventry", "Aylesbury Vale", "South Worcester"):
        path = folder / f"{name.replace(' ', '_').lower()}.yaml"
        path.write_text(plan_text(ref, ref.partnership(name), TODAY), encoding="utf-8")
        out[name] = path
    return out


@pytest.mark.parametrize("name", ["Coventry", "Aylesbury Vale", "South Worcester"])
def test_the_starter_plan_passes_check_config(plans: dict[str, Path], name: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "metrics", "check-config", str(plans[name])], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "11 indicators (11 linked to police.uk data)" in run.stdout
    assert "1 subgroup" in run.stdout


def test_the_starter_plan_says_what_it_holds(plans: dict[str, Path]) -> None:
    from metrics import load_plan

    plan = load_plan(plans["Coventry"])
    assert [w.code for w in plan.wards] == COVENTRY_WARDS
    assert sum(w.population for w in plan.wards) == plan.partnership.population == 345_326
    assert {w.population_source for w in plan.wards} == {POPULATION_SOURCE}
    assert not any(w.population_estimated for w in plan.wards)
    assert [s.name for s in plan.subgroups] == ["Partnership board"]
    assert [i.name for i in plan.police_indicators] == [
        "All crime",
        "Anti-social behaviour",
        "Violence and sexual offences",
        "Burglary",
        "Robbery",
        "Vehicle crime",
        "Drugs",
        "Possession of weapons",
        "Criminal damage and arson",
        "Shoplifting",
        "Public order",
    ]
    assert all(i.frequency == "monthly" for i in plan.police_indicators)  # monthly: enough points for SPC
    text = plans["Coventry"].read_text()
    assert "West Midlands Police (police.uk force id west-midlands)" in text
    assert "What to edit next" in text and "Source: Office for National Statistics" in text
    split = plans["Aylesbury Vale"].read_text()
    assert "Buckinghamshire is split between partnerships" in split


def test_the_dashboard_runs_on_a_starter_plan(
    plans: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSP_CONFIG", str(plans["Aylesbury Vale"]))
    monkeypatch.setenv("CSP_DB", str(tmp_path / "aylesbury.duckdb"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert os.path.exists(tmp_path / "aylesbury.duckdb")
    # the first page says what to do next, not a page that looks finished
    info = "\n".join(e.value for e in at.info)
    assert "Next steps for this plan" in info
    assert "import-police the.zip" in info and "Add your subgroups" in info and "Set baselines and targets" in info


def test_next_steps_until_the_plan_is_its_own(plans: dict[str, Path]) -> None:
    from metrics import load_plan, next_steps

    starter = load_plan(plans["Coventry"])
    steps = next_steps(starter, real_police_data=False)
    assert [s.split("**")[1] for s in steps] == [
        "Import police.uk data",
        "Add your subgroups",
        "Add your priorities",
        "Set baselines and targets",
    ]
    assert not any("Import police.uk data" in s for s in next_steps(starter, real_police_data=True))
    assert next_steps(load_plan(ROOT / "config.yaml"), real_police_data=False) == ()  # a plan of its own


# --- the command line ---------------------------------------------------------------------------


def _new(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", "new-partnership", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_new_partnership_writes_refuses_to_overwrite_and_says_did_you_mean(tmp_path: Path) -> None:
    out = tmp_path / "plans" / "warwick.yaml"
    first = _new("warwick", "--out", str(out), cwd=tmp_path)  # an authority: its one partnership
    assert first.returncode == 0, first.stderr
    assert f"Wrote {out}: South Warwickshire (E22000359)." in first.stdout
    assert "police: Warwickshire Police (warwickshire)" in first.stdout and "import-police the.zip" in first.stdout
    written = out.read_text()
    again = _new("Coventry", "--out", str(out), cwd=tmp_path)
    assert again.returncode == 1 and "already exists; nothing was written" in again.stderr
    assert out.read_text() == written
    forced = _new("Coventry", "--out", str(out), "--force", cwd=tmp_path)
    assert forced.returncode == 0 and "Coventry Community Safety Partnership" in out.read_text()
    near = _new("Coventy", "--out", str(tmp_path / "x.yaml"), cwd=tmp_path)
    assert near.returncode == 1 and "did you mean 'Coventry' (partnership E22000336)" in near.stderr
    assert "Traceback" not in near.stderr and not (tmp_path / "x.yaml").exists()
