"""The partnership's own words for its geography, as its plan file gives them.

Every page, message, template, download and board pack that speaks of the whole area or of
its local areas takes the words from here, so that a county with districts reads "district"
and "all of the county" where a city's plan reads "ward" and "all of the city". Nothing else in the
code names a kind of area.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.plan.model import Plan


@dataclass(frozen=True)
class AreaWords:
    """What the plan calls its whole area and its local areas, and an example of one."""

    area_name: str  # the whole area's name, as the plan gives it
    kind: str  # what the whole area is: city, county, borough ... ("area" when the plan is silent)
    one: str  # one local area: ward, district, neighbourhood ...
    many: str  # several local areas: wards, districts ...
    example_name: str  # the plan's first local area, for messages that give an example
    example_code: str
    plan_file: str  # the plan file's name, for messages that say where a setting lives

    @property
    def One(self) -> str:  # noqa: N802 - capitalised word for the start of a label
        return self.one[:1].upper() + self.one[1:]

    @property
    def Many(self) -> str:  # noqa: N802 - capitalised word for the start of a label
        return self.many[:1].upper() + self.many[1:]

    @property
    def Kind(self) -> str:  # noqa: N802 - capitalised word for the start of a label
        return self.kind[:1].upper() + self.kind[1:]

    @property
    def whole(self) -> str:
        """The whole area as a figure's place: 'all of the city' (a figure with no local area)."""
        return f"all of the {self.kind}"

    @property
    def Whole(self) -> str:  # noqa: N802 - capitalised for a label or a choice
        return f"All of the {self.kind}"

    @property
    def example(self) -> str:
        """An example local area by name and by code, for messages about a local area."""
        if not self.example_name:
            return f"a {self.one} listed in {self.plan_file}"
        return f"a {self.one} name such as {self.example_name} or its code such as {self.example_code}"


def area_words(plan: Plan) -> AreaWords:
    """The plan's words for its whole area and its local areas."""
    p = plan.partnership
    first = plan.wards[0] if plan.wards else None
    return AreaWords(
        area_name=p.area_name,
        kind=p.area_kind,
        one=p.area_singular,
        many=p.area_plural,
        example_name=first.name if first else "",
        example_code=first.code if first else "",
        plan_file=plan.path.name,
    )
