"""Serializers for core's API: clients, departments, contacts, members, audit, tokens.

Every related object named in a request (a client slug, a department id) is
looked up in the requesting user's *scoped* queryset, so naming another
client's row is a 400 field error, never a cross-client write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from vcio.core.access import access_for
from vcio.core.models import ApiToken, AuditEvent, Client, Contact, Department, Membership
from vcio.core.roles import PRACTICE_WIDE_ROLES, Perm, Role

# Roles the memberships endpoint grants; owners and admins are set up by the
# practice owner (admin site or CLI), so an API slip cannot lock everyone out.
MANAGEABLE_ROLES = [r for r in Role if r not in PRACTICE_WIDE_ROLES]
# Client fields only the practice may read, also redacted from audit changes.
INTERNAL_FIELDS = frozenset({"internal_notes"})
# Client fields only users who may see the commercial terms read (Perm.COMMERCIAL).
COMMERCIAL_FIELDS = frozenset({"monthly_fee", "contract_start"})


def _request_user(field_or_serializer) -> Any:
    request = field_or_serializer.context.get("request")
    return getattr(request, "user", None)


class ClientSlugField(serializers.SlugRelatedField):
    """A client named by slug, chosen among the clients the request's user may see."""

    default_error_messages = {
        "does_not_exist": "no client with slug '{value}' that you can access",
        "invalid": "give a client slug, e.g. 'acme'",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        if not kwargs.get("read_only"):
            # A placeholder: the real choices depend on the request (get_queryset).
            kwargs.setdefault("queryset", Client.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        """The user's visible clients; none without a request (deny by default)."""
        user = _request_user(self)
        if user is None:
            return Client.objects.none()
        return Client.objects.for_user(user, Perm.VIEW)


class ScopedPkField(serializers.PrimaryKeyRelatedField):
    """A row of ``model`` by id, chosen among the rows the request's user may see.

    Subclasses name the ``model`` and the ``noun`` their messages use; every
    related field of the API goes through this one scoping path.
    """

    model: type[Model]
    noun: str

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("read_only"):
            # A placeholder: the real choices depend on the request (get_queryset).
            kwargs.setdefault("queryset", self.model._default_manager.none())
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = (
            f"no {self.noun} with id {{pk_value}} that you can access"
        )
        self.error_messages["incorrect_type"] = (
            f"give a {self.noun} id (a number), not {{data_type}}"
        )

    def get_queryset(self) -> QuerySet:
        """The user's visible rows; none without a request (deny by default)."""
        user = _request_user(self)
        if user is None:
            return self.model._default_manager.none()
        return self.model._default_manager.for_user(user, Perm.VIEW)


class DepartmentField(ScopedPkField):
    model, noun = Department, "department"


class ContactField(ScopedPkField):
    model, noun = Contact, "contact"


class UsernameField(serializers.SlugRelatedField):
    """An active user by username, for those who may grant memberships.

    Only users holding MEMBERS somewhere may look users up: otherwise the
    browsable API's form would list every login of the practice to anyone.
    """

    default_error_messages = {"does_not_exist": "no active user named '{value}'"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", get_user_model().objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        users = get_user_model().objects
        if access_for(_request_user(self)).client_ids(Perm.MEMBERS) == set():
            return users.none()
        return users.filter(is_active=True)


class ClientOwnedSerializer(serializers.ModelSerializer):
    """Base for rows that belong to one client: the client is set once, at creation."""

    client = ClientSlugField()

    def validate_client(self, client: Client) -> Client:
        if self.instance is not None and client.pk != self.instance.client_id:
            raise serializers.ValidationError("a record cannot move to another client")
        return client

    def target_client(self, attrs: dict[str, Any]) -> Client | None:
        """The client the row belongs to after this request (new or existing)."""
        if "client" in attrs:
            return attrs["client"]
        return self.instance.client if self.instance is not None else None


class ClientSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=200,
        validators=[
            UniqueValidator(
                queryset=Client.objects.all(), message="a client with this name already exists"
            )
        ],
    )
    slug = serializers.SlugField(
        max_length=60,
        validators=[
            UniqueValidator(
                queryset=Client.objects.all(), message="a client with this slug already exists"
            )
        ],
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "slug",
            "name",
            "industry",
            "employee_count",
            "fiscal_year_start_month",
            "currency",
            "time_zone",
            "website",
            "monthly_fee",
            "contract_start",
            "notes",
            "internal_notes",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "fiscal_year_start_month": {
                "error_messages": {"invalid_choice": '"{input}" is not a month number (1 to 12).'}
            },
            "monthly_fee": {"error_messages": {"invalid": "give a number, e.g. 1500.00"}},
        }

    def _may_read_internal(self, client_id: int | None) -> bool:
        return access_for(_request_user(self)).can(Perm.INTERNAL, client_id)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client_id = self.instance.pk if self.instance is not None else None
        if "internal_notes" in attrs and not self._may_read_internal(client_id):
            raise serializers.ValidationError(
                {"internal_notes": "only the practice may set internal notes"}
            )
        return attrs

    def to_representation(self, instance: Client) -> dict[str, Any]:
        """The client's fields, minus those the matrix hides from the reader.

        ``internal_notes`` only with INTERNAL; the fee and contract date only
        with COMMERCIAL on the client.
        """
        data = super().to_representation(instance)
        access = access_for(_request_user(self))
        if not self._may_read_internal(instance.pk):
            for name in INTERNAL_FIELDS:
                data.pop(name, None)
        if not access.can(Perm.COMMERCIAL, instance.pk):
            for name in COMMERCIAL_FIELDS:
                data.pop(name, None)
        return data


class FigureSerializer(serializers.Serializer):
    """One registry figure for one client (``value`` null: no data)."""

    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    better = serializers.ChoiceField(choices=["higher", "lower", "neither"])
    description = serializers.CharField()


class DepartmentSerializer(ClientOwnedSerializer):
    class Meta:
        model = Department
        fields = ["id", "client", "name", "cost_centre", "description"]
        # The (client, name) rule is checked in validate() with a message naming both.
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = Department.objects.filter(client=client, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if client is not None and clash.exists():
            raise serializers.ValidationError(
                {"name": f"{client.name} already has a department named '{name}'"}
            )
        return attrs


class ContactSerializer(ClientOwnedSerializer):
    department = DepartmentField(required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "client",
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "department",
            "is_primary",
            "is_decision_maker",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        department = attrs.get("department", getattr(self.instance, "department", None))
        # A department of another client would link two clients' data.
        if department is not None and client is not None and department.client_id != client.pk:
            raise serializers.ValidationError(
                {"department": "this department belongs to another client"}
            )
        return attrs


class MembershipSerializer(ClientOwnedSerializer):
    # Null on practice-wide roles (owner, admin); a new membership must name a client.
    client = ClientSlugField(allow_null=True)
    user = UsernameField()
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_client(self, client: Client | None) -> Client:
        if client is None:
            raise serializers.ValidationError(
                "give a client slug: practice-wide roles are not managed through the API"
            )
        return super().validate_client(client)

    class Meta:
        model = Membership
        fields = ["id", "client", "user", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []

    def validate_role(self, role: str) -> str:
        if role not in MANAGEABLE_ROLES:
            allowed = ", ".join(r.value for r in MANAGEABLE_ROLES)
            raise serializers.ValidationError(
                f"'{role}' is practice-wide and not managed here; choose one of: {allowed}"
            )
        return role

    def validate_user(self, user: Model) -> Model:
        if self.instance is not None and user.pk != self.instance.user_id:
            raise serializers.ValidationError("a membership cannot move to another user")
        return user

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and self.instance.role in PRACTICE_WIDE_ROLES:
            raise serializers.ValidationError(
                {"role": "owner and admin memberships are not managed through the API"}
            )
        if self.instance is None:
            client, user = attrs["client"], attrs["user"]
            if Membership.objects.filter(client=client, user=user).exists():
                raise serializers.ValidationError(
                    {"user": f"{user.get_username()} already has a role at {client.name}"}
                )
        return attrs


class AuditEventSerializer(serializers.ModelSerializer):
    client = ClientSlugField(read_only=True, allow_null=True)  # null: a practice-wide event
    object_type = serializers.CharField(source="content_type.model", read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "client",
            "client_name",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        ]
        read_only_fields = fields

    def get_changes(self, event: AuditEvent) -> dict[str, Any]:
        """The recorded changes, minus internal fields the reader may not see."""
        changes = dict(event.changes or {})
        if not access_for(_request_user(self)).can(Perm.INTERNAL, event.client_id):
            for name in INTERNAL_FIELDS:
                changes.pop(name, None)
        return changes


class TokenSerializer(serializers.ModelSerializer):
    client = ClientSlugField(required=False, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "client",
            "read_only",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]

    def validate_expires_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("must be in the future")
        return value


class TokenCreatedSerializer(TokenSerializer):
    """A new token, with its key: the only response that ever carries it."""

    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]


class MeMembershipSerializer(serializers.Serializer):
    client = serializers.CharField(allow_null=True, help_text="Client slug; null: practice-wide")
    client_name = serializers.CharField(allow_null=True)
    role = serializers.CharField()
    perms = serializers.ListField(child=serializers.CharField())


class MeTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    client = serializers.CharField(allow_null=True)
    read_only = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    """The current user, their roles, and the token limits in force (null: session)."""

    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    practice_perms = serializers.ListField(child=serializers.CharField())
    memberships = MeMembershipSerializer(many=True)
    token = MeTokenSerializer(allow_null=True)
