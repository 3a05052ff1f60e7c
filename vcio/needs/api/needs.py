"""Needs API: ``/api/needs/`` (CRUD) and ``/api/needs-satisfaction/{client slug}/`` (read).

Needs are read by whoever may view the client and written with EDIT on it.
The department and goal named must be the need's client's (a 400 naming the
field otherwise); a need cannot be due before it was raised (a 400 naming
``due_on``). The initiative, status PLANNED with it, comes from promoting the
need's recommendation, so it is read-only here; the source answer too.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vcio.core.api.base import ScopedModelViewSet, ScopedQueryMixin
from vcio.core.api.serializers import ClientOwnedSerializer, DepartmentField
from vcio.core.models import Client
from vcio.needs.forms import NeedFilter, due_error
from vcio.needs.models import Need
from vcio.needs.satisfaction import Mean, Trend, trends
from vcio.strategy.api.serializers import GoalField


class NeedSerializer(ClientOwnedSerializer):
    department = DepartmentField(required=False, allow_null=True)
    goal = GoalField(required=False, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id", "client", "department", "kind", "text", "urgency", "raised_on", "due_on",
            "goal", "initiative", "answer", "theme", "status", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "initiative", "answer", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        for name in ("department", "goal"):
            related = attrs.get(name, getattr(self.instance, name, None))
            if related is not None and client is not None and related.client_id != client.pk:
                raise serializers.ValidationError({name: f"this {name} belongs to another client"})
        raised = attrs.get("raised_on", getattr(self.instance, "raised_on", None))
        due = attrs.get("due_on", getattr(self.instance, "due_on", None))
        message = due_error(raised, due)
        if message:
            raise serializers.ValidationError({"due_on": message})
        return attrs


class NeedViewSet(ScopedModelViewSet):
    """A client's needs, most urgent first. Filters: ``client`` (slug), ``department``,
    ``status``, ``kind``, ``urgency``, ``theme``, ``goal``, ``q`` (text, theme)."""

    model = Need
    select_related = ("client",)
    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    ordering_fields = ["urgency", "raised_on", "due_on", "status", "created_at"]
    ordering = ["status", "-urgency", "raised_on", "id"]
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.validated_data["created_by"] = self.request.user
        super().perform_create(serializer)


class MeanSerializer(serializers.Serializer):
    name = serializers.CharField()
    mean = serializers.FloatField(allow_null=True, help_text="mean rating, 1–5")
    n = serializers.IntegerField(help_text="ratings behind the mean")


class RoundSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    title = serializers.CharField()
    opened_on = serializers.DateField()
    overall = serializers.FloatField(allow_null=True, help_text="mean rating, 1–5")
    n = serializers.IntegerField()
    departments = MeanSerializer(many=True)
    services = MeanSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    now = serializers.FloatField(allow_null=True)
    before = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="now − before")
    n = serializers.IntegerField()


class SatisfactionSerializer(serializers.Serializer):
    client = serializers.CharField(help_text="the client's slug")
    rounds = RoundSerializer(many=True, help_text="oldest first")
    overall_change = serializers.FloatField(
        allow_null=True, help_text="last round's overall mean − the previous round's"
    )
    departments = ChangeSerializer(many=True, help_text="the last round against the previous")
    services = ChangeSerializer(many=True, help_text="the last round against the previous")


def _means(items: list[tuple[str, Mean]]) -> list[dict]:
    return [{"name": name, "mean": m.mean, "n": m.n} for name, m in items]


def satisfaction_data(client: Client, trend: Trend) -> dict:
    """The API's view of one client's trend."""
    rounds = [
        {
            "round": r.round_id,
            "title": r.title,
            "opened_on": r.opened_on,
            "overall": r.overall.mean,
            "n": r.overall.n,
            "departments": _means(sorted(r.departments.values(), key=lambda d: d[0])),
            "services": _means(sorted(r.services.items())),
        }
        for r in trend.rounds
    ]
    keep = ("name", "now", "before", "change", "n")
    return {
        "client": client.slug,
        "rounds": rounds,
        "overall_change": trend.overall_change(),
        "departments": [{k: d[k] for k in keep} for d in trend.department_changes()],
        "services": [{k: d[k] for k in keep} for d in trend.service_changes()],
    }


class SatisfactionViewSet(
    ScopedQueryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """IT satisfaction per survey round (overall, per department, per service) and the
    trend (last round against the previous), per client: ``/api/needs-satisfaction/{slug}/``."""

    model = Client
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    serializer_class = SatisfactionSerializer
    filter_backends: list = []
    ordering = ["name"]

    def get_queryset(self):
        return super().get_queryset().order_by("name")

    @extend_schema(responses=SatisfactionSerializer(many=True))
    def list(self, request: Request, *args, **kwargs) -> Response:
        """Every client the user may see (a page of them), one query for their ratings."""
        page = self.paginate_queryset(self.get_queryset())
        found = trends([c.pk for c in page])
        body = [satisfaction_data(c, found[c.pk]) for c in page]
        return self.get_paginated_response(SatisfactionSerializer(body, many=True).data)

    @extend_schema(responses=SatisfactionSerializer)
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_object()
        trend = trends([client.pk])[client.pk]
        return Response(SatisfactionSerializer(satisfaction_data(client, trend)).data)


router = SimpleRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("needs-satisfaction", SatisfactionViewSet, basename="needs-satisfaction")
urlpatterns = router.urls
