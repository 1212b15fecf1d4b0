"""Matching typed names to the plan's: codes or names, any case, near misses suggested."""

from __future__ import annotations

import pytest

from metrics.plan.names import LISTED, Choices, UnknownNameError

WARDS = Choices.of("ward", [("E01", ("Foleshill",)), ("E02", ("St Michael's",)), ("E03", ("Earlsdon",))])


def test_codes_and_names_in_any_case_each_once_in_the_order_typed() -> None:
    assert WARDS.resolve(["st  MICHAEL'S", "e01", "Foleshill", "E03"]) == ["E02", "E01", "E03"]
    assert WARDS.resolve([]) == []


def test_every_unknown_name_is_reported_with_a_near_miss() -> None:
    with pytest.raises(UnknownNameError) as exc:
        WARDS.resolve(["Folehsill", "Atlantis", "Earlsdon"])
    text = str(exc.value)
    assert "no ward is called 'Folehsill' (did you mean 'Foleshill'?)" in text
    assert "no ward is called 'Atlantis'." in text, "no near miss: no guess"
    assert "Foleshill (E01), St Michael's (E02), Earlsdon (E03)" in text


def test_a_long_list_is_cut() -> None:
    many = Choices.of("crime type", [(f"type {i}", (f"type {i}",)) for i in range(LISTED + 5)])
    with pytest.raises(UnknownNameError, match="and 5 more"):
        many.resolve(["nothing like it"])


def test_nothing_to_choose_from_says_so() -> None:
    with pytest.raises(UnknownNameError, match="no crime type is called 'burglary'. There are no crime types"):
        Choices.of("crime type", []).resolve(["burglary"])
