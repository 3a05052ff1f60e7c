"""API of topics: list and rename, merge, split; model versions; the review queue.

Rows come only through core's scoped viewsets (``for_user``); changes need
EDIT on the topic's client and go through :mod:`vcio.helpdesk.topics.edits`,
which keeps them across runs and writes the audit log.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.core.access import access_for
from vcio.core.api.base import ScopedQueryMixin, ScopedReadOnlyModelViewSet
from vcio.core.api.serializers import ScopedPkField
from vcio.core.filters import FilterSet, client_filter
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicModel
from vcio.helpdesk.topics import edits


class TopicField(ScopedPkField):
    model, noun = Topic, "topic"


class TicketField(ScopedPkField):
    model, noun = Ticket, "ticket"


class HelpdeskTopicSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ticket_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Topic
        fields = ["id", "client", "kind", "key", "name", "named_by_person", "terms"]
        fields += ["merged_into", "split_from", "retired", "ticket_count", "updated_at"]
        read_only_fields = [f for f in fields if f != "name"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("give the topic a name")
        return value


class TopicMergeSerializer(serializers.Serializer):
    into = TopicField()


class TopicSplitSerializer(serializers.Serializer):
    parts = serializers.IntegerField(min_value=2, max_value=6, default=2)


class HelpdeskTopicModelSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = TopicModel
        fields = ["id", "client", "version", "trained_at", "method", "labels", "metrics"]
        fields += ["n_train", "train_seconds", "threshold", "is_active"]
        read_only_fields = fields


class TopicReviewSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = ["id", "client", "external_id", "subject", "opened_at", "topic", "topic_name"]
        fields += ["topic_confidence", "topic_set_by"]
        read_only_fields = fields


class TopicChoiceSerializer(serializers.Serializer):
    ticket = TicketField()
    topic = TopicField()


class TopicFilter(FilterSet):
    client = client_filter()
    kind = django_filters.ChoiceFilter(choices=TopicKind.choices)
    retired = django_filters.BooleanFilter()

    class Meta:
        model = Topic
        fields = ["client", "kind", "retired"]


class ClientOnlyFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = Ticket
        fields = ["client"]


class TopicModelFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = TopicModel
        fields = ["client"]


def _edit_error(exc: edits.TopicEditError) -> Response:
    field, _, message = str(exc).partition(": ")
    if not message:
        field, message = "non_field_errors", str(exc)
    return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)


class TopicViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Topics of clients (``?client=``, ``?kind=``); PATCH ``name``; POST merge and split."""

    model = Topic
    select_related = ("client",)
    serializer_class = HelpdeskTopicSerializer
    filterset_class = TopicFilter
    ordering_fields = ["name", "updated_at"]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().annotate(ticket_count=Count("tickets")).order_by("name", "id")

    def perform_update(self, serializer: HelpdeskTopicSerializer) -> None:
        require(self.request.user, Perm.EDIT, serializer.instance)
        try:
            edits.rename(serializer.instance, serializer.validated_data["name"], self.request.user)
        except edits.TopicEditError as exc:
            raise serializers.ValidationError({"name": [str(exc).partition(": ")[2]]}) from None

    @extend_schema(request=TopicMergeSerializer, responses=HelpdeskTopicSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def merge(self, request: Request, *args, **kwargs) -> Response:
        """Fold this topic into ``into`` (a topic of the same client)."""
        topic = self.get_object()
        require(request.user, Perm.EDIT, topic)
        body = TopicMergeSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            target = edits.merge(topic, body.validated_data["into"], request.user)
        except edits.TopicEditError as exc:
            return _edit_error(exc)
        return Response(HelpdeskTopicSerializer(target).data)

    @extend_schema(request=TopicSplitSerializer, responses=HelpdeskTopicSerializer(many=True))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def split(self, request: Request, *args, **kwargs) -> Response:
        """Split a discovered topic into ``parts`` (default 2) by clustering its tickets."""
        topic = self.get_object()
        require(request.user, Perm.EDIT, topic)
        body = TopicSplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            parts = edits.split(topic, request.user, body.validated_data["parts"])
        except edits.TopicEditError as exc:
            return _edit_error(exc)
        return Response(HelpdeskTopicSerializer(parts, many=True).data)


class TopicModelViewSet(ScopedReadOnlyModelViewSet):
    """Trained topic models (read only): version, method, labels and held-out metrics."""

    model = TopicModel
    select_related = ("client",)
    serializer_class = HelpdeskTopicModelSerializer
    filterset_class = TopicModelFilter
    ordering_fields = ["trained_at", "version"]
    lookup_value_regex = r"\d+"

    def queryset_base(self):
        # The stored model's bytes are never sent; not reading them keeps lists light.
        return super().queryset_base().defer("blob")


class TopicReviewViewSet(ScopedQueryMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tickets whose learned topic is unsure (``?client=``); POST ``{ticket, topic}`` decides."""

    model = Ticket
    select_related = ("client", "topic")
    serializer_class = TopicReviewSerializer
    filterset_class = ClientOnlyFilter
    ordering_fields = ["opened_at", "topic_confidence"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(topic_needs_review=True)
            .order_by("topic_confidence", "id")
        )

    @extend_schema(request=TopicChoiceSerializer, responses={200: TopicReviewSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """A person's topic for the ticket: kept by later runs, used in the next training."""
        # Refuse before validating: one who may edit nowhere gets a 403, not field errors.
        if access_for(request.user).client_ids(Perm.EDIT) == set():
            raise exceptions.PermissionDenied("You may not change tickets' topics.")
        body = TopicChoiceSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        ticket, topic = body.validated_data["ticket"], body.validated_data["topic"]
        require(request.user, Perm.EDIT, ticket)
        try:
            edits.set_ticket_topic(ticket, topic, request.user)
        except edits.TopicEditError as exc:
            return _edit_error(exc)
        return Response(TopicReviewSerializer(ticket).data)
