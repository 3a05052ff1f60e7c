"""API of the coverage matrix: ``GET /api/coverage/{client slug}/`` (read only).

The client's departments × the registered coverage columns as of today,
each department with its values, whether it is left out and why, and the
column totals; the same data as the page and the review section
(:func:`vcio.needs.coverage_matrix.as_data`). Anyone who may view the
client reads it.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vcio.core.api.base import ScopedQueryMixin
from vcio.core.models import Client
from vcio.needs.coverage_matrix import as_data, coverage_matrix


class CoverageColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The column's key, e.g. strategy.goals.")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["count", "money"])
    description = serializers.CharField(allow_blank=True)


class CoverageCellSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The column's key.")
    kind = serializers.ChoiceField(choices=["count", "money"])
    value = serializers.FloatField(
        help_text="A count, or money in the client's currency to the cent (a year's worth)."
    )


class CoverageRowSerializer(serializers.Serializer):
    department_id = serializers.IntegerField(
        allow_null=True, help_text="Null for the row of what belongs to no department."
    )
    name = serializers.CharField()
    values = CoverageCellSerializer(many=True, help_text="One cell per column, in column order.")
    left_out = serializers.BooleanField(
        help_text="No active goal and no initiative serve the department."
    )
    why = serializers.CharField(allow_blank=True)


class CoverageMatrixSerializer(serializers.Serializer):
    client = serializers.SlugField()
    at = serializers.DateField(help_text="The day the matrix is counted as of.")
    currency = serializers.CharField()
    columns = CoverageColumnSerializer(many=True)
    rows = CoverageRowSerializer(many=True)
    totals = CoverageCellSerializer(many=True, help_text="Each column's total, in column order.")


class CoverageViewSet(ScopedQueryMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The coverage matrix of one client, by slug."""

    model = Client
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    serializer_class = CoverageMatrixSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=CoverageMatrixSerializer)
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """The client's departments × goals, needs, initiatives, spend, devices, tickets and
        survey answers, with the departments left out and why."""
        client = self.get_object()
        data = {"client": client.slug, **as_data(coverage_matrix(client))}
        return Response(CoverageMatrixSerializer(data).data)


router = SimpleRouter()
router.register("coverage", CoverageViewSet, basename="coverage")

urlpatterns = router.urls
