"""Filters of the capacity lists, shared by the pages and the API.

The machines list is computed (:func:`vcio.capacity.assess.client_capacity`),
not a queryset, so its filter is a plain form read the same way by the
overview page and ``/api/capacity/machines/``; the stored rows (targets,
connectors, tokens, series) use FilterSets over querysets already scoped
with ``for_user``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from vcio.assets.models import Asset
from vcio.capacity.assess import EFFICIENCY_LABELS, WINDOWS, MachineCapacity
from vcio.capacity.metrics import CATALOGUE
from vcio.capacity.models import IngestToken, PromConnector, ScrapeTarget, Series
from vcio.capacity.views.common import SORT_KEYS
from vcio.core.filters import FilterSet, IdChoiceFilter, client_filter
from vcio.core.roles import Perm

DEFAULT_WINDOW = 30
SORTS = [(k, k) for k in SORT_KEYS] + [(f"-{k}", f"-{k}") for k in SORT_KEYS]


class MachineFilter(forms.Form):
    """``?window=7|30|90`` (p95 over that many days), ``?class=idle`` and ``?sort=-cpu``."""

    window = forms.TypedChoiceField(
        choices=[(w, f"{w} days") for w in WINDOWS],
        coerce=int,
        required=False,
        empty_value=DEFAULT_WINDOW,
        label="Window",
    )
    sort = forms.ChoiceField(choices=SORTS, required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None and not data.get("window"):
            data = data.copy()  # the select shows the window used, not its first choice
            data["window"] = str(DEFAULT_WINDOW)
        super().__init__(data, *args, **kwargs)
        # "class" is a Python keyword: the field is added here under its URL name.
        self.fields["class"] = forms.ChoiceField(
            choices=[("", "Any class"), *EFFICIENCY_LABELS.items()],
            required=False,
            label="Class",
        )
        self.order_fields(["window", "class", "sort"])

    @property
    def chosen_window(self) -> int:
        return self.cleaned_data.get("window") or DEFAULT_WINDOW

    @property
    def chosen_sort(self) -> str:
        return self.cleaned_data.get("sort") or "name"

    def filter(self, machines: list[MachineCapacity]) -> list[MachineCapacity]:
        wanted = self.cleaned_data.get("class")
        return [m for m in machines if not wanted or m.efficiency == wanted]


def _visible_assets(request) -> QuerySet:
    if request is None:
        return Asset.objects.none()
    return Asset.objects.for_user(request.user, Perm.VIEW)


class ScrapeTargetFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = ScrapeTarget
        fields = ["client", "kind", "enabled"]


class ConnectorFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = PromConnector
        fields = ["client", "enabled"]


class IngestTokenFilter(FilterSet):
    client = client_filter()
    active = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", label="Not revoked"
    )

    class Meta:
        model = IngestToken
        fields = ["client", "active"]


class SeriesFilter(FilterSet):
    client = client_filter()
    asset = IdChoiceFilter(queryset=_visible_assets)
    metric = django_filters.ChoiceFilter(choices=[(k, m.label) for k, m in CATALOGUE.items()])

    class Meta:
        model = Series
        fields = ["client", "asset", "metric"]
