"""The offline map: every 地区 drawn and linked to its page, every place a point inside its
地区, stable from run to run, with nothing fetched from outside."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.community import geo
from tomoni.directory.models import District, Staff
from tomoni.participation import actions as participation
from tomoni.participation.models import Place

from ..conftest import BrowserClient
from .conftest import district


def _places(user: Staff) -> list[Place]:
    made = []
    for index, d in enumerate(District.objects.order_by("order")):
        for n in range(1 + index % 3):
            made.append(
                participation.save_place(
                    user,
                    None,
                    {"name": f"{d.name}の居場所{n}", "kind": "salon", "district": d, "host": "会"},
                )
            )
    return made


def test_the_geometry_covers_every_district(master: None) -> None:
    shapes = geo.geometry().shapes
    assert set(shapes) == set(District.objects.values_list("code", flat=True))
    for shape in shapes.values():
        assert geo.contains(shape.polygon, shape.label), shape.code


def test_the_map_shows_every_district_and_every_place(
    keeper: Staff, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    places = _places(keeper)
    page = as_user(personas["agency_b"]).get(reverse("community:index")).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    for d in District.objects.all():
        assert f'href="{reverse("community:district", args=[d.code])}"' in svg, d.code
        assert f"<title>{d.name}</title>" in svg
    drawn = set(map(int, re.findall(r'data-place="(\d+)"', svg)))
    assert drawn == {p.pk for p in places}
    for place in places:
        assert f'href="{place.get_absolute_url()}"' in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in svg


def test_each_place_sits_inside_its_district(keeper: Staff) -> None:
    shapes = geo.geometry().shapes
    for place in _places(keeper):
        assert place.district is not None
        shape = shapes[place.district.code]
        point = geo.point_for(shape, str(place.uid))
        assert geo.contains(shape.polygon, point)
        assert point == geo.point_for(shape, str(place.uid))  # stable


def test_a_district_page_highlights_its_district(
    keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    _places(keeper)
    page = as_user(keeper).get(reverse("community:district", args=["hirao"])).content.decode()
    assert 'class="community-map__district is-here" data-district="hirao"' in page
    shown = set(map(int, re.findall(r'data-place="(\d+)"', page)))
    assert shown == set(
        Place.objects.filter(district=district("hirao")).values_list("pk", flat=True)
    )


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(sorted(geo.geometry().shapes)), key=st.text(max_size=40))
def test_derived_points_are_inside_and_off_the_border(code: str, key: str) -> None:
    shape = geo.geometry().shapes[code]
    point = geo.point_for(shape, key)
    assert geo.contains(shape.polygon, point)


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(sorted(geo.geometry().shapes)), key=st.text(max_size=40))
def test_derived_points_keep_off_the_districts_name(code: str, key: str) -> None:
    """Issue 20, finding 10: dots sat on the 地区 names. A point stays out of the box the
    name is drawn in."""
    shape = geo.geometry().shapes[code]
    x, y = geo.point_for(shape, key)
    assert not geo.on_label(shape, (x, y))


def test_the_map_is_a_group_of_links_with_a_legend(
    keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    """Issue 20, finding 11: an image role may not hold links (axe: nested-interactive); and
    the dots' colours are explained beside the map (finding 10)."""
    _places(keeper)
    page = as_user(keeper).get(reverse("community:index")).content.decode()
    svg = page[page.index("<svg") : page.index(">", page.index("<svg"))]
    assert 'role="img"' not in svg and 'role="group"' in svg
    legend = page[page.index('class="community-map__legend"') :]
    assert "サロン・居場所" in legend[:600] and "その他の社会資源" in legend[:600]
