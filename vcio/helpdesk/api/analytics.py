"""``GET /api/helpdesk/analytics/?client=<slug>``: the same report as the Help desk page.

Period: ``start`` and ``end`` (dates, both included), or ``period``
(month, quarter, year) holding the day ``on``; the current fiscal quarter
by default. A bad parameter answers 400 naming it; a client the user may
not see answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as s
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vcio.core.access import access_for
from vcio.core.models import Client
from vcio.core.periods import client_today
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.helpdesk.analytics.query import PeriodError, parse_period
from vcio.helpdesk.analytics.report import build_report


class HelpdeskPeriodSerializer(s.Serializer):
    start = s.DateField()
    end = s.DateField()
    label = s.CharField()
    as_of = s.DateTimeField(help_text="The instant the figures are taken at: the end, or now.")
    days = s.IntegerField(help_text="Days of the period elapsed by then.")
    complete = s.BooleanField()


class HelpdeskBusinessHoursSerializer(s.Serializer):
    days = s.CharField(help_text="ISO weekdays, 1 = Monday.")
    start = s.TimeField()
    end = s.TimeField()
    time_zone = s.CharField()


class HelpdeskKpisSerializer(s.Serializer):
    opened = s.IntegerField()
    resolved = s.IntegerField()
    backlog = s.IntegerField()
    per_employee_month = s.FloatField(allow_null=True)
    employees = s.IntegerField()
    median_response_hours = s.FloatField(allow_null=True, help_text="Business hours.")
    median_resolve_hours = s.FloatField(allow_null=True, help_text="Business hours.")
    sla_pct = s.FloatField(allow_null=True)
    top_topic = s.CharField(allow_null=True)
    top_topic_share = s.FloatField(allow_null=True, help_text="% of tickets opened.")


class HelpdeskTopicCountSerializer(s.Serializer):
    id = s.IntegerField(allow_null=True, help_text="The topic (null: no topic).")
    name = s.CharField()
    count = s.IntegerField()
    share = s.FloatField(help_text="% of tickets opened in the period.")


class HelpdeskNamedCountSerializer(s.Serializer):
    name = s.CharField()
    count = s.IntegerField()
    share = s.FloatField()


class HelpdeskPriorityCountSerializer(s.Serializer):
    priority = s.CharField()
    name = s.CharField()
    count = s.IntegerField()
    share = s.FloatField()


class HelpdeskTopicSeriesSerializer(s.Serializer):
    id = s.IntegerField(allow_null=True)
    name = s.CharField()
    counts = s.ListField(child=s.IntegerField())
    other = s.BooleanField(help_text="The topics outside the six largest, together.")


class HelpdeskSeriesSerializer(s.Serializer):
    buckets = s.ListField(child=s.DateField(), help_text="First day of each week or month.")
    topics = HelpdeskTopicSeriesSerializer(many=True)


class HelpdeskVolumeSerializer(s.Serializer):
    by_topic = HelpdeskTopicCountSerializer(many=True)
    by_department = HelpdeskNamedCountSerializer(many=True)
    by_requester = HelpdeskNamedCountSerializer(
        many=True, help_text="Empty unless you may see the practice's internal view."
    )
    by_asset = HelpdeskTopicCountSerializer(many=True)
    by_priority = HelpdeskPriorityCountSerializer(many=True)
    unit = s.CharField(help_text="week or month: the series' buckets.")
    series = HelpdeskSeriesSerializer()


class HelpdeskStatsSerializer(s.Serializer):
    count = s.IntegerField()
    median = s.FloatField(allow_null=True, help_text="Business hours.")
    p90 = s.FloatField(allow_null=True, help_text="Business hours.")


class HelpdeskTimePairSerializer(s.Serializer):
    response = HelpdeskStatsSerializer()
    resolve = HelpdeskStatsSerializer()


class HelpdeskPriorityTimesSerializer(HelpdeskTimePairSerializer):
    priority = s.CharField()
    name = s.CharField()


class HelpdeskTopicTimesSerializer(HelpdeskTimePairSerializer):
    id = s.IntegerField(allow_null=True)
    name = s.CharField()


class HelpdeskTimesSerializer(s.Serializer):
    overall = HelpdeskTimePairSerializer()
    by_priority = HelpdeskPriorityTimesSerializer(many=True)
    by_topic = HelpdeskTopicTimesSerializer(many=True)


class HelpdeskSlaRowSerializer(s.Serializer):
    priority = s.CharField()
    name = s.CharField()
    met = s.IntegerField()
    total = s.IntegerField()
    pct = s.FloatField(allow_null=True)
    respond_hours = s.FloatField()
    resolve_hours = s.FloatField()


class HelpdeskSlaSerializer(s.Serializer):
    pct = s.FloatField(allow_null=True)
    met = s.IntegerField()
    total = s.IntegerField()
    by_priority = HelpdeskSlaRowSerializer(many=True)


class HelpdeskBandSerializer(s.Serializer):
    label = s.CharField()
    count = s.IntegerField()


class HelpdeskBacklogSerializer(s.Serializer):
    count = s.IntegerField()
    median_age_days = s.FloatField(allow_null=True)
    bands = HelpdeskBandSerializer(many=True)


class HelpdeskReopenSerializer(s.Serializer):
    pct = s.FloatField(allow_null=True)
    reopened = s.IntegerField()
    resolved = s.IntegerField()


class HelpdeskSatisfactionSerializer(s.Serializer):
    count = s.IntegerField()
    mean = s.FloatField(allow_null=True, help_text="1 (very unhappy) to 5 (very happy).")
    satisfied_pct = s.FloatField(allow_null=True, help_text="% rated 4 or 5.")


class HelpdeskTrendSerializer(s.Serializer):
    id = s.IntegerField(allow_null=True)
    name = s.CharField()
    current = s.IntegerField()
    before = s.IntegerField()
    change_pct = s.FloatField(allow_null=True, help_text="% change of the daily rate.")
    p = s.FloatField(help_text="Two-sided exact test of the two rates.")
    q = s.FloatField(help_text="p adjusted across topics (Benjamini–Hochberg).")
    news = s.BooleanField()
    direction = s.CharField(help_text="rising, falling or flat.")
    words = s.CharField()


class HelpdeskSpanSerializer(s.Serializer):
    start = s.DateField()
    end = s.DateField()


class HelpdeskTrendsSerializer(s.Serializer):
    previous = HelpdeskTrendSerializer(many=True)
    last_year = HelpdeskTrendSerializer(many=True)
    previous_period = HelpdeskSpanSerializer()
    last_year_period = HelpdeskSpanSerializer()
    previous_covered = s.BooleanField(
        help_text="False when the client's tickets are not recorded as far back as the "
        "previous period: it is not compared (``previous`` is empty)."
    )
    last_year_covered = s.BooleanField(
        help_text="False when tickets are not recorded as far back as the same period a "
        "year before: it is not compared (``last_year`` is empty)."
    )


class HelpdeskRecurringGroupSerializer(s.Serializer):
    kind = s.CharField(help_text="asset or department: where it recurs.")
    topic_id = s.IntegerField()
    topic = s.CharField()
    where_id = s.IntegerField(allow_null=True)
    where = s.CharField()
    count = s.IntegerField(help_text="The most tickets within the policy's days.")
    tickets = s.ListField(child=s.IntegerField())
    last_opened = s.DateTimeField()


class HelpdeskRecurringSerializer(s.Serializer):
    count = s.IntegerField()
    days = s.IntegerField()
    groups = HelpdeskRecurringGroupSerializer(many=True)


class HelpdeskReportSerializer(s.Serializer):
    client = s.CharField(help_text="The client's slug.")
    period = HelpdeskPeriodSerializer()
    business_hours = HelpdeskBusinessHoursSerializer()
    kpis = HelpdeskKpisSerializer()
    volume = HelpdeskVolumeSerializer()
    times = HelpdeskTimesSerializer()
    sla = HelpdeskSlaSerializer()
    backlog = HelpdeskBacklogSerializer()
    reopen = HelpdeskReopenSerializer()
    satisfaction = HelpdeskSatisfactionSerializer()
    trends = HelpdeskTrendsSerializer()
    recurring = HelpdeskRecurringSerializer()


def _param(name: str, kind, text: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=text)


class HelpdeskAnalyticsView(APIView):
    """The help-desk report of one client and period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("client", OpenApiTypes.STR, required=True, description="Slug."),
            _param("start", OpenApiTypes.DATE, "First day (with end)."),
            _param("end", OpenApiTypes.DATE, "Last day, included (with start)."),
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                enum=["month", "quarter", "year"],
                description="Calendar month, fiscal quarter (default) or fiscal year.",
            ),
            _param("on", OpenApiTypes.DATE, "A day in the period (default: today)."),
        ],
        responses=HelpdeskReportSerializer,
    )
    def get(self, request: Request) -> Response:
        """Volume, times, SLA, backlog, trends and recurring problems, as of the period's end."""
        slug = (request.query_params.get("client") or "").strip()
        if not slug:
            raise ValidationError(
                {"client": ["client: give the client's slug, e.g. ?client=acme."]}
            )
        client = get_for_user_or_404(Client, request.user, slug=slug)
        try:
            period = parse_period(request.query_params, client, client_today(client))
        except PeriodError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        report = build_report(client, period, timezone.now())
        report["client"] = client.slug
        if not access_for(request.user).can(Perm.INTERNAL, client.pk):
            # Who asked is for the practice; the client's leaders read trends, not names.
            report["volume"]["by_requester"] = []
        return Response(HelpdeskReportSerializer(report).data)
