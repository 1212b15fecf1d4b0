"""Redaction of personal data from consultation comments: many realistic formats of each kind
must go, and everyday numbers and codes (roads, times, years, counts, dates) must survive."""

from __future__ import annotations

import pytest

from metrics.consultation.record import Comment
from metrics.consultation.redaction import Kind, has_personal_data, mark_names, redact, redacted_comment

EMAILS = [
    "jo.bloggs@example.co.uk",
    "JO.BLOGGS@EXAMPLE.COM",
    "j_smith+council@mail.example.org",
    "first.last-2@sub.domain.example.gov.uk",
    "a@b.io",
    "jo (at) example dot com",
    "jo[at]example[dot]org",
    "jo (at) example.co.uk",
]
PHONES = [
    "07700 900123",
    "07700900123",
    "07700-900-123",
    "+44 7700 900123",
    "+447700900123",
    "+44 (0)7700 900123",
    "0044 7700 900 123",
    "024 7683 2000",
    "(024) 7683 2000",
    "02476 832000",
    "020 7946 0018",
    "0121 496 0000",
    "01632 960123",
    "0800 123 4567",
    "0300 123 4567",
    "028 9018 0000",
    "016977 4321",  # one of the few 0 + 9 digit numbers
]
POSTCODES = ["CV1 5RR", "cv1 5rr", "CV15RR", "B12 9QT", "SW1A 1AA", "M1 1AE", "EC1A 1BB", "W1A 0AX", "DN55 1PT"]
SURVIVORS = [
    "The B1 is always blocked",
    "Speeding on the A45 and the M6 every night",
    "Lorries on the B4110 near the lights",
    "It happened at 10:30pm and again at 07:15",
    "Since 2019 it has got worse; in 2024 it was bad",
    "There were 1,234 crimes and 56 ASB reports",
    "On 10/07/2024 and 01/10/2024 I reported it",
    "Call 101 or 999 in an emergency",
    "About 0.123456789 of people",
    "Take the A45 2nd exit at the island",
    "The M6 3pm traffic is awful",
    "Route 21 bus at 11.45",
    "Crime reference 20/12345/24",
    "Flat 12, 3rd floor",
    "5 stars, 10 out of 10",
    "CV1 and CV6 are the worst districts",
    "Postcode area B1 only",
    "<b>bold</b> & <script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "Between 9am and 5pm, 7 days a week",
]


@pytest.mark.parametrize("item", EMAILS)
def test_emails_are_removed(item: str) -> None:
    r = redact(f"Contact me on {item} please.")
    assert r.text == "Contact me on [email removed] please."
    assert r.removed == ((Kind.EMAIL, 1),)


@pytest.mark.parametrize("item", PHONES)
def test_uk_phone_numbers_are_removed(item: str) -> None:
    r = redact(f"Ring {item} after six.")
    assert r.text == "Ring [phone number removed] after six."
    assert r.removed == ((Kind.PHONE, 1),)


@pytest.mark.parametrize("item", POSTCODES)
def test_full_postcodes_are_removed(item: str) -> None:
    r = redact(f"I live at {item}, near the shops.")
    assert r.text == "I live at [postcode removed], near the shops."


@pytest.mark.parametrize("text", SURVIVORS)
def test_everyday_numbers_roads_and_times_survive(text: str) -> None:
    assert redact(text).text == text
    assert not has_personal_data(text)


def test_marked_names_are_removed_whole_and_by_part_case_insensitively() -> None:
    text = "Sam Exampleton and his brother sam  exampleton; Exampleton's dog. Samuel is fine."
    assert redact(text, ["Sam Exampleton"]).text == (
        "[name removed] and his brother [name removed]; [name removed]'s dog. Samuel is fine."
    )


def test_several_kinds_in_one_comment_are_all_removed_and_counted() -> None:
    r = redact("Jo Bloggs, 07700 900123, jo@example.org, CV1 5RR", ["Jo Bloggs"])
    assert r.text == "[name removed], [phone number removed], [email removed], [postcode removed]"
    assert r.count == 4
    assert "07700" not in r.text and "example" not in r.text


def test_a_comment_keeps_the_original_for_the_analyst_until_it_is_deleted() -> None:
    c = redacted_comment("C1", "A1", "Ring Sam on 07700 900123")
    assert c.redacted == "Ring Sam on [phone number removed]"
    c = mark_names(c, ["Sam"])
    assert c.redacted == "Ring [name removed] on [phone number removed]"
    assert c.text == "Ring Sam on 07700 900123"
    gone = c.without_original()
    assert gone.text == "" and gone.original_deleted
    assert gone.redacted == c.redacted
    assert isinstance(gone, Comment)
