"""Id filters refuse what is not an id with a 400 naming the filter and the value.

``?review=9223372036854775808`` used to reach the database and fail there
with an OverflowError (a 500). The walk below enumerates every list route
of the API from the URLconf, finds each filter that takes a row's id (by
the model field it filters on, not by the filter's class), and sends it
values no id can have: out of the 64-bit range, negative, fractional and
not a number at all. A new list or filter is covered without being listed.
"""

from __future__ import annotations

from collections.abc import Iterator

import django_filters
import pytest
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django_filters.rest_framework import DjangoFilterBackend

from vcio.core.tests.walker import Route, iter_routes

NOT_IDS = ["9223372036854775808", "99999999999999999999999", "-1", "0", "1.5", "abc"]


def list_routes() -> Iterator[Route]:
    """Every API list route (a router's ``…-list`` name, no URL parameters)."""
    for route in iter_routes():
        if route.is_api and (route.name or "").endswith("-list") and not route.params:
            yield route


def filterset_of(route: Route) -> type[django_filters.FilterSet] | None:
    """The FilterSet the API builds for ``route`` (declared or from ``filterset_fields``)."""
    view = route.view
    model = route.model
    if model is None:
        return None
    return DjangoFilterBackend().get_filterset_class(view, model._default_manager.all())


def final_field(model: type[models.Model], path: str) -> models.Field | None:
    """The model field ``path`` (``review_id``, ``service__client``) ends on."""
    field = None
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except Exception:
            # "review_id" is the attname of the foreign key "review".
            matches = [f for f in model._meta.concrete_fields if f.attname == part]
            if not matches:
                return None
            field = matches[0]
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def id_filters(filterset: type[django_filters.FilterSet]) -> list[str]:
    """Names of the filters whose value is a primary key (of the row or a related row)."""
    names = []
    model = filterset._meta.model
    for name, f in filterset.base_filters.items():
        if getattr(f, "method", None):
            continue
        field = final_field(model, f.field_name)
        if field is None:
            continue
        to_field = f.extra.get("to_field_name")
        points_at_a_row = field.is_relation and to_field in (None, "pk", "id")
        if points_at_a_row or field.primary_key:
            names.append(name)
    return names


@pytest.fixture
def walked_filters() -> list[tuple[Route, str]]:
    found = []
    for route in list_routes():
        filterset = filterset_of(route)
        if filterset is not None:
            found += [(route, name) for name in id_filters(filterset)]
    return found


def test_every_id_filter_refuses_what_is_not_an_id_with_a_400(api, alice, walked_filters):
    http = api(alice)
    http.raise_request_exception = False  # a 500 is a finding to list, not a crash
    problems = []
    for route, name in walked_filters:
        for value in NOT_IDS:
            r = http.get(route.template, {name: value})
            body = r.content.decode(errors="replace")
            if r.status_code != 400:
                problems.append(f"{route.template}?{name}={value}: {r.status_code}")
            elif value not in body or "is not an id" not in body or name not in r.json():
                problems.append(f"{route.template}?{name}={value}: unclear message {body[:200]}")
    assert not problems, "\n".join(problems)


def test_the_walk_covers_the_reported_filters(walked_filters):
    walked = {(route.template, name) for route, name in walked_filters}
    assert ("/api/action-items/", "review") in walked
    assert ("/api/review-decisions/", "review") in walked
    assert ("/api/monitors/", "service") in walked
    assert ("/api/kpis/", "goal") in walked
    assert len(walked) >= 10


def test_a_message_names_the_filter_the_value_and_the_range(api, alice):
    r = api(alice).get("/api/action-items/", {"review": "9223372036854775808"})
    assert r.status_code == 400
    assert r.json() == {
        "review": [
            "“9223372036854775808” is not an id: ids are whole numbers "
            "from 1 to 9223372036854775807."
        ]
    }


def test_a_good_id_still_filters(api, alice, acme):
    from vcio.reviews.tests.factories import review_rows_for

    review_rows_for(acme, "x", alice)
    http = api(alice)
    rows = http.get("/api/action-items/").json()["results"]
    review = rows[0]["review"]
    filtered = http.get("/api/action-items/", {"review": review}).json()["results"]
    assert filtered and {row["review"] for row in filtered} == {review}
