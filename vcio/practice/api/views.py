"""The practice API: fee changes, people's rates, time entries (and CSV import), economics.

Who may do what is :mod:`vcio.practice.access`'s: fee changes are read with
INTERNAL (owners, admins, consultants) and recorded with MANAGE; people's
rates are the owners' and admins' only; time entries are read by those with
INTERNAL on the client plus each person's own, written by the same (a
technician only their own); economics is read by owners, admins (with costs
and margins) and consultants (without). Client roles get a 403 or no rows.
Bad input is a 400 naming the field, and nothing is saved.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import Pagination, ScopedModelViewSet
from vcio.core.api.serializers import ClientOwnedSerializer
from vcio.core.roles import Perm
from vcio.practice import access, economics, fees, timeentries
from vcio.practice.models import FeeChange, PersonRate, TimeEntry


def _user_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", **kwargs)


class FeeChangeSerializer(ClientOwnedSerializer):
    created_by = _user_field(read_only=True, allow_null=True)

    class Meta:
        model = FeeChange
        fields = ["id", "client", "monthly_fee", "starts_on", "note", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        validators: list = []  # one change a day: recording it again corrects it


class FeeChangeViewSet(ScopedModelViewSet):
    """A client's fee history. Recording a change on a day that has one corrects it;
    once started it becomes the client's ``monthly_fee``."""

    model = FeeChange
    serializer_class = FeeChangeSerializer
    select_related = ("client", "created_by")
    read_perm = Perm.INTERNAL
    write_perm = Perm.MANAGE
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def create(self, request: Request, *args, **kwargs) -> Response:
        self.check_may_create()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        from vcio.core.scoping import require

        require(request.user, self.write_perm, data["client"])
        change = fees.record_fee_change(
            data["client"],
            data["monthly_fee"],
            data["starts_on"],
            data.get("note", ""),
            request.user,
        )
        out = self.get_serializer(self.get_queryset().get(pk=change.pk))
        return Response(out.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: FeeChange) -> None:
        client = instance.client
        super().perform_destroy(instance)
        fees.sync_client_fee(client)


class PracticeOwnersOnly(BasePermission):
    """Owners and admins of the whole practice (no client-limited token)."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not access.sees_margins(user):
            raise exceptions.PermissionDenied("The practice's owners and admins only.")
        if request.method not in SAFE_METHODS and access_for(user).read_only:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True


class PersonRateSerializer(serializers.ModelSerializer):
    user = _user_field(queryset=get_user_model().objects.filter(is_active=True))

    class Meta:
        model = PersonRate
        fields = ["id", "user", "cost_rate", "capacity_hours", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class PersonRateViewSet(viewsets.ModelViewSet):
    """Each practice person's cost per hour and client hours a month (owners and admins)."""

    queryset = PersonRate.objects.select_related("user").order_by("user__username")
    serializer_class = PersonRateSerializer
    permission_classes = [PracticeOwnersOnly]
    pagination_class = Pagination
    lookup_value_regex = r"\d+"


class TimeEntrySerializer(ClientOwnedSerializer):
    person = _user_field(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        help_text="Username; yourself when left out. Only owners, admins and consultants "
        "may record another person's time.",
    )
    # Bounds checked by validate_hours, in the words the page uses.
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="More than 0, at most 24 a day for a person"
    )
    created_by = _user_field(read_only=True, allow_null=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "client",
            "person",
            "date",
            "hours",
            "activity",
            "note",
            "external_id",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]
        validators: list = []

    def validate_hours(self, value):
        if message := timeentries.check_hours(value):
            raise serializers.ValidationError(message)
        return value

    def validate_date(self, value):
        if message := timeentries.check_date(value):
            raise serializers.ValidationError(message)
        return value


class TimeEntryAccess(BasePermission):
    """Reading: the scoped queryset decides. Writing: INTERNAL on the client, or one's own
    entry with EDIT (a technician's own time)."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method not in SAFE_METHODS and access_for(user).read_only:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True

    def has_object_permission(self, request: Request, view, obj: TimeEntry) -> bool:
        if request.method in SAFE_METHODS:
            return True
        a = access_for(request.user)
        own = obj.person_id == request.user.pk and a.can(Perm.EDIT, obj.client_id)
        return a.can(Perm.INTERNAL, obj.client_id) or own


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="Toggl Track's detailed CSV export, or vcio's "
        "columns: client, person, date, hours, activity, note, id"
    )


class ImportResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Rows imported before: nothing added for them.")


class TimeEntryViewSet(ScopedModelViewSet):
    """Time entries: every entry of the clients you hold INTERNAL on, and your own.
    Filters: ``client`` (slug), ``person`` (username)."""

    model = TimeEntry
    serializer_class = TimeEntrySerializer
    permission_classes = [TimeEntryAccess]
    read_perm = Perm.INTERNAL
    write_perm = Perm.INTERNAL
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[TimeEntry]:
        qs = access.visible_entries(self.request.user).select_related(
            "client", "person", "created_by"
        )
        params = getattr(self.request, "query_params", {})
        if slug := params.get("client"):
            qs = qs.filter(client__slug=slug)
        if person := params.get("person"):
            qs = qs.filter(person__username=person)
        return qs.order_by("-date", "-id")

    def check_may_create(self) -> None:
        """403 for client roles, and for a technician naming someone else (before validating:
        field errors about another person's entry are not theirs to see)."""
        user = self.request.user
        if access.level(user) is None:
            raise exceptions.PermissionDenied("Only the practice's people enter time.")
        data = self.request.data
        named = data.get("person") if hasattr(data, "get") else None
        if named not in (None, "", user.username) and not access.may_enter_for_others(user):
            raise exceptions.PermissionDenied("You may only enter your own time.")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        person = data.get("person") or self.request.user
        timeentries.check_writer(self.request.user, data["client"], person)
        serializer.instance = timeentries.add_entry(
            client=data["client"],
            person=person,
            date=data["date"],
            hours=data["hours"],
            activity=data.get("activity", "ad_hoc"),
            note=data.get("note", ""),
            external_id=data.get("external_id", ""),
            user=self.request.user,
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("client", None)
        person = data.get("person")
        if person is not None and person.pk != serializer.instance.person_id:
            timeentries.check_writer(self.request.user, serializer.instance.client, person)
        serializer.instance = timeentries.change_entry(
            serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance: TimeEntry) -> None:
        with transaction.atomic():
            audit.record_delete(self.request.user, instance)
            instance.delete()

    @extend_schema(
        request={"multipart/form-data": ImportSerializer}, responses={201: ImportResultSerializer}
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        write_perm=Perm.INTERNAL,
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ImportSerializer,
    )
    def import_csv(self, request: Request, *args, **kwargs) -> Response:
        """Import a CSV: every row or none; a 400 lists each bad row, column and value
        under ``file``. Owners, admins and consultants (their clients)."""
        if access.level(request.user) not in (access.FULL, access.CONSULTANT):
            raise exceptions.PermissionDenied("Owners, admins and consultants import time.")
        params = ImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            result = timeentries.import_csv(params.validated_data["file"], request.user)
        except timeentries.ImportFailed as exc:
            raise exceptions.ValidationError({"file": exc.errors}) from None
        body = {"added": len(result.added), "skipped": result.skipped}
        return Response(ImportResultSerializer(body).data, status=status.HTTP_201_CREATED)


class EconomicsSerializer(serializers.Serializer):
    client = serializers.CharField(source="client.slug", help_text="The client's slug")
    name = serializers.CharField(source="client.name")
    currency = serializers.CharField()
    current_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Sum of the monthly fee over the period"
    )
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    rate = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Revenue per hour, in the client's currency",
    )
    cost = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="In the practice's currency; owners and admins",
    )
    margin = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    margin_percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)
    last_contact = serializers.DateField(allow_null=True)
    days_since_contact = serializers.IntegerField(allow_null=True)
    health = serializers.FloatField(allow_null=True)


class EconomicsViewSet(viewsets.ViewSet):
    """Each client's economics over the last 12 full months and the current one:
    fee revenue, hours, effective rate; cost, margin and flags for owners and admins."""

    serializer_class = EconomicsSerializer

    @extend_schema(responses=EconomicsSerializer(many=True))
    def list(self, request: Request) -> Response:
        lvl = access.level(request.user)
        if lvl not in (access.FULL, access.CONSULTANT):
            raise exceptions.PermissionDenied("The practice's owners, admins and consultants only.")
        clients = access.economics_clients(request.user).order_by("name")
        rows = economics.client_economics(clients)
        if lvl != access.FULL:
            rows = [economics.redact(r) for r in rows]
        return Response(EconomicsSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("fee-changes", FeeChangeViewSet, basename="fee-change")
router.register("person-rates", PersonRateViewSet, basename="person-rate")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("practice-economics", EconomicsViewSet, basename="practice-economics")

urlpatterns = router.urls
