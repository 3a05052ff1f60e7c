"""Pushing metrics: ``POST /api/ingest/<client>/metrics/`` with an ingest token.

The body is either the Prometheus text format (an exporter's output;
``?host=`` names the machine when the text does not) or the JSON batch of
:mod:`vcio.capacity.push`. The ingest token decides what may be written:
its own client's metrics, nothing else, and nothing may be read with it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vcio.capacity import tokens
from vcio.capacity.exposition import ExpositionError, read_report
from vcio.capacity.ingest import store_points, store_reports, time_problem
from vcio.capacity.push import PushError, parse_batch
from vcio.core.models import Client

_MB = 1024 * 1024


class IngestResultSerializer(serializers.Serializer):
    samples = serializers.IntegerField(help_text="New samples stored (a replay stores 0).")
    series_created = serializers.IntegerField()
    assets = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.CharField())


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The body is too large."
    default_code = "payload_too_large"


def read_body(request: Request) -> bytes:
    """The raw body, refused with 413 above VCIO_INGEST_MAX_MB (declared or actual size)."""
    limit = settings.VCIO_INGEST_MAX_MB * _MB
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    too_big = PayloadTooLarge(
        f"The body is over {settings.VCIO_INGEST_MAX_MB} MB (VCIO_INGEST_MAX_MB): "
        "send it in smaller batches."
    )
    if declared > limit:
        raise too_big
    # Read the stream directly: Django's request.body stops at 2.5 MB with a 400.
    body = request._request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    if b"\x00" in body or b"\\u0000" in body:
        raise exceptions.ValidationError(
            {"problems": ["the body contains a NUL character (\\0), which no field accepts"]}
        )
    return body


class MetricsIngestView(APIView):
    """Store pushed metrics of the client named in the URL, which must be the token's client."""

    # The ingest token is not an API token and authenticates no user: checked here.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # With no authentication classes DRF would turn a refused token's 401 into a 403.
        return 'Bearer realm="ingest"'

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # The token first, whatever the method: without one, the answer is a 401.
        self.ingest_token = tokens.authenticate(
            request._request, tokens.key_from_header(request._request)
        )

    @extend_schema(
        operation_id="ingest_metrics",
        summary="Push metrics (Prometheus text format or JSON batch) with an ingest token",
        request={"text/plain": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("host", str, description="The machine's name, for text bodies."),
        ],
        responses={
            200: IngestResultSerializer,
            400: OpenApiResponse(description="Malformed body; the message names the line or field"),
            401: OpenApiResponse(description="Missing, wrong or revoked ingest token"),
            403: OpenApiResponse(description="The token belongs to another client"),
            413: OpenApiResponse(description="Body over VCIO_INGEST_MAX_MB"),
        },
    )
    def post(self, request: Request, client: str) -> Response:
        token = self.ingest_token
        target = Client.objects.filter(slug=client).only("pk").first()
        if target is None or target.pk != token.client_id:
            raise exceptions.PermissionDenied(
                "This ingest token may only write its own client's data."
            )
        body = read_body(request)
        now = timezone.now()
        if request.content_type.split(";")[0].strip() == "application/json":
            try:
                points = parse_batch(body, now)
            except PushError as exc:
                raise exceptions.ValidationError({"problems": exc.problems}) from None
            result = store_points(token.client_id, points)
        else:
            result = store_reports(token.client_id, [_report(body, request, now)])
        return Response(IngestResultSerializer(result.as_dict()).data)


def _report(body: bytes, request: Request, now):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise exceptions.ValidationError({"problems": ["the body is not UTF-8 text"]}) from None
    try:
        report = read_report(text, now, hostname=request.query_params.get("host", "").strip())
    except ExpositionError as exc:
        raise exceptions.ValidationError({"problems": [str(exc)]}) from None
    if not report.hostname:
        raise exceptions.ValidationError(
            {"problems": ["no host name: add ?host=NAME, or send node_uname_info (node_exporter)"]}
        )
    reason = time_problem(report.at, now)
    if reason:
        raise exceptions.ValidationError({"problems": [f"sample time {reason}"]})
    return report
