"""Reading survey waves: CSV, Excel and SPSS files checked against the declaration, every problem
located in one round, only the declared columns kept."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from metrics.survey import AreaRef, read_survey, survey_from_dict

FIXTURE = Path(__file__).parent / "fixtures" / "survey" / "resident.yaml"
SURVEY = survey_from_dict(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")))
AREAS = (
    AreaRef("E05900001", "Northfield", 30000),
    AreaRef("E05900002", "Southgate", 25000),
    AreaRef("E05900003", "Eastbrook", 25000, aliases=("East Brook",)),
    AreaRef("E05900004", "Westmere", 20000),
)
SAFE = "I feel safe in my neighbourhood at night"
VICTIM = "Have you or anyone you know been a victim of ASB or crime in the last 12 months?"
HEADER = ["Response ID", "Ward", "Age band", "Sex", SAFE, VICTIM, "Any other comments", "Email"]
GOOD = [
    ["r1", "Northfield", "16-34", "Female", "Disagree", "Yes", "Too dark on Elm Road", "a@example.org"],
    ["r2", "southgate", "55+", "Male", "strongly  agree", "No", "", "b@example.org"],
    ["r3", "East Brook", "Prefer not to say", "Female", "Don't know", "", "", ""],
    ["r4", "", "35-54", "", "", "Prefer not to say", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_a_clean_csv_keeps_only_the_declared_columns_with_canonical_labels(tmp_path: Path) -> None:
    reading = read_survey(write_csv(tmp_path / "wave.csv", GOOD), SURVEY, AREAS)
    assert reading.ok, [str(p) for p in reading.problems]
    frame = reading.respondents
    assert list(frame.columns) == [
        "respondent",
        "area",
        "age_band",
        "sex",
        "unsafe_at_night",
        "victim_or_know",
        "comment",
    ]
    assert "a@example.org" not in frame.to_string()  # the undeclared Email column is dropped
    assert list(frame["area"]) == ["E05900001", "E05900002", "E05900003", ""]
    assert list(frame["unsafe_at_night"]) == ["Disagree", "Strongly agree", "Don't know", ""]
    assert list(frame["age_band"]) == ["16-34", "55+", "Prefer not to say", "35-54"]


def test_every_problem_is_reported_at_once_with_its_location(tmp_path: Path) -> None:
    header = ["Response ID", "Ward", "Age", "Sex", SAFE, VICTIM, "Any other comments"]  # "Age band" renamed
    rows = [
        ["r1", "Northfeld", "16-34", "Female", "Disagre", "Yes", ""],
        ["r2", "Southgate", "55+", "Male", "Disagree", "Yes", ""],
        ["r2", "Atlantis", "55+", "Male", "Disagre", "Maybe", ""],
        ["r4", "Northfeld", "55+", "Mle", "Agree", "No", ""],
    ]
    reading = read_survey(write_csv(tmp_path / "wave.csv", rows, header), SURVEY, AREAS)
    text = [str(p) for p in reading.problems]
    assert not reading.ok
    assert len(text) == 7, text
    expected = [
        "wave.csv, column 'Response ID', rows 3, 4: the respondent id 'r2' appears 2 times",
        "wave.csv, column 'Ward', rows 2, 5: name 'Northfeld' is not one of the plan's areas; "
        "did you mean 'Northfield'?",
        "wave.csv, column 'Ward', row 4: name 'Atlantis' is not one of the plan's areas. Correct it",
        "wave.csv, column 'Age band': the declared column 'Age band' is missing; did you mean 'Age'?",
        "wave.csv, column 'Sex', row 5: answer 'Mle' is not declared for 'sex'; did you mean 'Male'?",
        f"wave.csv, column {SAFE!r}, rows 2, 4: answer 'Disagre' is not declared for measure "
        "'unsafe_at_night'; did you mean 'Disagree'?",
        f"wave.csv, column {VICTIM!r}, row 4: answer 'Maybe' is not declared for measure 'victim_or_know'",
    ]
    for start, line in zip(expected, text, strict=True):
        assert line.startswith(start), (start, line)
    assert text[-1].endswith("Correct the file, or declare the answer in the plan.")


def test_excel_file_is_read_from_its_first_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD[:2]:
        sheet.append(row)
    sheet.append(["r9", "Westmere", "16-34", "Female", "Agree", "Yes", None, None])
    sheet.append([12345, "Nowhere", "16-34", "Female", "Agree", "Yes", None, None])
    book.save(tmp_path / "wave.xlsx")
    reading = read_survey(tmp_path / "wave.xlsx", SURVEY, AREAS)
    assert [str(p) for p in reading.problems] == [
        "wave.xlsx, column 'Ward', row 5: name 'Nowhere' is not one of the plan's areas. Correct it, "
        "or leave it blank to count the respondent only in the whole-area figures."
    ]
    assert list(reading.respondents["respondent"]) == ["r1", "r2", "r9", "12345"]


def test_spss_value_labels_are_applied_and_cases_located(tmp_path: Path) -> None:
    """A .sav as a research agency sends it: numeric codes with value labels (pyreadstat)."""
    frame = pd.DataFrame(
        {
            "RespID": ["s1", "s2", "s3"],
            "Ward": ["Northfield", "Westmere", "Southgate"],
            "AgeBand": [1.0, 3.0, 2.0],
            "Sex": [1.0, 2.0, 2.0],
            "Q7": [4.0, 2.0, 9.0],
            "Q1": [1.0, 2.0, 1.0],
        }
    )
    labels = {
        "AgeBand": {1.0: "16-34", 2.0: "35-54", 3.0: "55+"},
        "Sex": {1.0: "Female", 2.0: "Male"},
        "Q7": {1.0: "Strongly agree", 2.0: "Agree", 4.0: "Disagree", 9.0: "Refused"},
        "Q1": {1.0: "Yes", 2.0: "No"},
    }
    pyreadstat.write_sav(frame, str(tmp_path / "wave.sav"), variable_value_labels=labels)
    declared = survey_from_dict(
        {
            "id": "agency",
            "title": "Agency survey",
            "respondent": "RespID",
            "area": {"column": "Ward"},
            "demographics": [{"id": "age_band", "column": "AgeBand", "categories": ["16-34", "35-54", "55+"]}],
            "measures": [
                {"id": "unsafe", "question": "Q7", "counts": ["Disagree"], "other": ["Agree", "Strongly agree"]},
                {"id": "victim", "question": "Q1", "counts": ["Yes"], "other": ["No"]},
            ],
        }
    )
    reading = read_survey(tmp_path / "wave.sav", declared, AREAS)
    assert [str(p) for p in reading.problems] == [
        "wave.sav, column 'Q7', case 3: answer 'Refused' is not declared for measure 'unsafe'. "
        "Declared: 'Disagree', 'Agree', 'Strongly agree'. Correct the file, or declare the answer in the plan."
    ]
    assert list(reading.respondents["unsafe"]) == ["Disagree", "Agree", ""]
    assert list(reading.respondents["age_band"]) == ["16-34", "55+", "35-54"]
    assert list(reading.respondents.columns) == ["respondent", "area", "age_band", "unsafe", "victim"]


def test_lsoa_column_is_placed_by_the_lookup(tmp_path: Path) -> None:
    declared = survey_from_dict(
        {
            "id": "lsoa",
            "title": "By LSOA",
            "area": {"column": "LSOA", "kind": "lsoa", "lookup": "lsoa_to_area.csv"},
            "measures": [{"id": "victim", "question": "Victim", "counts": ["Yes"], "other": ["No"]}],
        }
    )
    lookup = {"E01009999": "E05900002", "E01000001": "E05900001"}
    path = write_csv(
        tmp_path / "wave.csv", [["E01009999", "Yes"], ["e01000001", "No"], ["E01123456", "No"]], ["LSOA", "Victim"]
    )
    reading = read_survey(path, declared, AREAS, lookup)
    assert list(reading.respondents["area"]) == ["E05900002", "E05900001", ""]
    assert [str(p) for p in reading.problems] == [
        "wave.csv, column 'LSOA', row 4: lsoa 'E01123456' is not in the lookup file. Correct it, "
        "or leave it blank to count the respondent only in the whole-area figures."
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wave.pdf", b"%PDF", "a survey file must be .csv, .xlsx, .sav, not '.pdf'"),
        ("wave.csv", b"", "the file is empty; the first row must name the columns"),
        ("wave.xlsx", b"not a zip", "cannot be read as .xlsx"),
    ],
)
def test_an_unreadable_file_is_one_clear_problem(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    reading = read_survey(tmp_path / name, SURVEY, AREAS)
    assert len(reading.problems) == 1
    assert str(reading.problems[0]).startswith(f"{name}: {message}")


def test_declaration_refuses_an_answer_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared under both 'counts' and 'other'"):
        survey_from_dict({"id": "x", "measures": [{"id": "m", "question": "Q", "counts": ["Yes"], "other": ["yes"]}]})


def test_a_missing_or_oversized_file_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from metrics.survey import reading

    missing = read_survey(tmp_path / "gone.csv", SURVEY, AREAS)
    assert str(missing.problems[0]).startswith("gone.csv: cannot be read (No such file or directory)")
    monkeypatch.setattr(reading, "MAX_FILE_MB", 0)
    big = read_survey(write_csv(tmp_path / "wave.csv", GOOD), SURVEY, AREAS)
    assert str(big.problems[0]) == "wave.csv: 0 MB is more than 0 MB; is this a respondent file?"
