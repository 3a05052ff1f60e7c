"""Pages: the client's topics (learned and discovered), the review queue, model versions.

Reading needs VIEW (client executives read); every form posts to a small
action view that needs EDIT and calls :mod:`vcio.helpdesk.topics.edits`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core.charts import line_chart
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin
from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicModel
from vcio.helpdesk.topics import edits

TREND_WEEKS = 12
EXAMPLES = 3
REVIEW_ROWS = 50


def topics_url(client) -> str:
    return reverse("helpdesk:topics", kwargs={"client": client.slug})


def week_starts(today: dt.date, weeks: int = TREND_WEEKS) -> list[dt.date]:
    """Mondays of the last ``weeks`` weeks, oldest first, the current week last."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_counts(tickets, weeks: list[dt.date]) -> dict[int, list[int]]:
    """{topic id: tickets opened per week, aligned with ``weeks``} in one query."""
    start = dt.datetime.combine(weeks[0], dt.time.min, tzinfo=dt.UTC)
    rows = (
        tickets.filter(opened_at__gte=start, topic__isnull=False)
        .annotate(week=TruncWeek("opened_at", tzinfo=dt.UTC))
        .values("topic_id", "week")
        .annotate(n=Count("id"))
    )
    index = {w: i for i, w in enumerate(weeks)}
    counts: dict[int, list[int]] = {}
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        if week in index:
            counts.setdefault(row["topic_id"], [0] * len(weeks))[index[week]] += row["n"]
    return counts


def examples_by_topic(tickets, topic_ids: list[int]) -> dict[int, list[Ticket]]:
    """The newest ``EXAMPLES`` tickets of each topic, in one query."""
    ranked = (
        tickets.filter(topic_id__in=topic_ids)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("topic_id")], order_by=F("opened_at").desc())
        )
        .filter(rank__lte=EXAMPLES)
        .only("id", "subject", "topic_id", "opened_at")
    )
    out: dict[int, list[Ticket]] = {}
    for ticket in ranked:
        out.setdefault(ticket.topic_id, []).append(ticket)
    return out


def trend_svg(name: str, weeks: list[dt.date], counts: list[int]) -> str:
    # Short day labels: the chart is small and ISO dates would overlap.
    return line_chart(
        weeks, counts, title=f"Tickets a week: {name}", integer_axis=True, width=260, height=90,
        x_format=lambda day: f"{day.day} {day:%b}",
    )  # fmt: skip


class TopicsPage(ClientMixin, generic.TemplateView):
    """Learned and discovered topics with size, terms, examples and trend; the review queue."""

    template_name = "helpdesk/topics.html"
    tab = "helpdesk"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tickets = Ticket.objects.for_user(user).filter(client=self.client)
        topics = list(
            Topic.objects.for_user(user)
            .filter(client=self.client, retired=False, merged_into__isnull=True)
            .annotate(size=Count("tickets"))
            .order_by("-size", "name")
        )
        weeks = week_starts(timezone.now().date())
        trends = weekly_counts(tickets, weeks)
        examples = examples_by_topic(tickets, [t.pk for t in topics])
        for topic in topics:
            topic.examples = examples.get(topic.pk, [])
            topic.trend = trend_svg(topic.name, weeks, trends.get(topic.pk, [0] * len(weeks)))
        ctx["learned"] = [t for t in topics if t.kind == TopicKind.LEARNED]
        ctx["discovered"] = [t for t in topics if t.kind == TopicKind.DISCOVERED]
        ctx["review"] = list(
            tickets.filter(topic_needs_review=True)
            .select_related("topic")
            .order_by("topic_confidence", "id")[:REVIEW_ROWS]
        )
        ctx["review_total"] = tickets.filter(topic_needs_review=True).count()
        ctx["learned_choices"] = ctx["learned"]
        ctx["models"] = list(
            TopicModel.objects.for_user(user)
            .filter(Q(client=self.client) | Q(client__isnull=True))
            .defer("blob")
            .order_by("-trained_at", "-id")[:10]
        )
        ctx["may_edit"] = Perm.EDIT.value in ctx["client_perms"]
        return ctx


class _TopicAction(ClientMixin, generic.View):
    """A POST on one of the client's topics; needs EDIT; back to the topics page."""

    model = Topic  # the isolation walker aims ``pk`` at another client's topic
    http_method_names = ["post"]
    client_perm = Perm.EDIT

    def topic(self) -> Topic:
        qs = Topic.objects.filter(client=self.client)
        return get_for_user_or_404(qs, self.request.user, Perm.EDIT, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        topic = self.topic()
        try:
            text = self.act(topic, request)
        except edits.TopicEditError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(topics_url(self.client), status=303)
        messages.success(request, text)
        return HttpResponseRedirect(topics_url(self.client))

    def act(self, topic: Topic, request: HttpRequest) -> str:
        raise NotImplementedError


class RenameTopic(_TopicAction):
    def act(self, topic: Topic, request: HttpRequest) -> str:
        old = topic.name
        edits.rename(topic, request.POST.get("name", ""), request.user)
        return f"“{old}” is now called “{topic.name}”."


class MergeTopic(_TopicAction):
    def act(self, topic: Topic, request: HttpRequest) -> str:
        raw = request.POST.get("into", "")
        into = Topic.objects.filter(client=self.client, pk=raw).first() if raw.isdigit() else None
        if into is None:
            raise edits.TopicEditError("Choose a topic of this client to merge into.")
        target = edits.merge(topic, into, request.user)
        return f"“{topic.name}” is merged into “{target.name}”."


class SplitTopic(_TopicAction):
    def act(self, topic: Topic, request: HttpRequest) -> str:
        parts = edits.split(topic, request.user)
        return f"“{topic.name}” is split into " + " and ".join(f"“{p.name}”" for p in parts) + "."


class ChooseTicketTopic(ClientMixin, generic.View):
    """POST ``topic``: a person's topic for one of the client's tickets."""

    model = Ticket
    http_method_names = ["post"]
    client_perm = Perm.EDIT

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        ticket = get_for_user_or_404(
            Ticket.objects.filter(client=self.client), request.user, Perm.EDIT, pk=kwargs["pk"]
        )
        raw = request.POST.get("topic", "")
        topic = Topic.objects.filter(client=self.client, pk=raw).first() if raw.isdigit() else None
        if topic is None:
            messages.error(
                request, f"Ticket {ticket.external_id}: choose one of this client's topics."
            )
            return HttpResponseRedirect(topics_url(self.client), status=303)
        edits.set_ticket_topic(ticket, topic, request.user)
        messages.success(request, f"Ticket {ticket.external_id} is about “{ticket.topic.name}”.")
        return HttpResponseRedirect(topics_url(self.client))


urlpatterns = [
    path("clients/<slug:client>/helpdesk/topics/", TopicsPage.as_view(), name="topics"),
    path("clients/<slug:client>/helpdesk/topics/<int:pk>/rename/", RenameTopic.as_view(),
         name="topic_rename"),
    path("clients/<slug:client>/helpdesk/topics/<int:pk>/merge/", MergeTopic.as_view(),
         name="topic_merge"),
    path("clients/<slug:client>/helpdesk/topics/<int:pk>/split/", SplitTopic.as_view(),
         name="topic_split"),
    path("clients/<slug:client>/helpdesk/tickets/<int:pk>/topic/", ChooseTicketTopic.as_view(),
         name="ticket_topic"),
]  # fmt: skip
