"""API endpoints for core: clients, departments, contacts, members, audit, tokens, me."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Model
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vcio.core import audit, registry
from vcio.core.access import access_for
from vcio.core.api import serializers as s
from vcio.core.api.auth import request_token
from vcio.core.api.base import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from vcio.core.filters import (
    AuditEventFilter,
    ClientFilter,
    ContactFilter,
    DepartmentFilter,
    MembershipFilter,
)
from vcio.core.models import ApiToken, AuditEvent, Client, Contact, Department, Membership
from vcio.core.roles import PRACTICE_WIDE_ROLES, Perm


class ClientViewSet(ScopedModelViewSet):
    """Clients by slug. Creating and deleting one is for practice owners and admins."""

    model = Client
    serializer_class = s.ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug", "industry", "employee_count", "monthly_fee", "created_at"]
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    write_perm = Perm.MANAGE

    def filter_queryset(self, queryset):
        # Ordering by fee ranks clients by it: only for those who may see every fee listed.
        ordering = self.request.query_params.get("ordering", "")
        if "monthly_fee" in ordering.replace(" ", "").replace("-", "").split(","):
            access = access_for(self.request.user)
            hidden = [
                pk
                for pk in queryset.values_list("pk", flat=True)
                if not access.can(Perm.COMMERCIAL, pk)
            ]
            if hidden:
                raise exceptions.ValidationError(
                    {"ordering": ["monthly_fee: you may not see the fee of every client listed"]}
                )
        return super().filter_queryset(queryset)

    def check_may_create(self) -> None:
        self._require_practice_manage("create")

    def perform_destroy(self, instance: Model) -> None:
        # Managing one client (a consultant may) is not deleting it with all its data.
        self._require_practice_manage("delete")
        super().perform_destroy(instance)

    def _require_practice_manage(self, verb: str) -> None:
        if not access_for(self.request.user).can_practice(Perm.MANAGE):
            raise exceptions.PermissionDenied(
                f"Only practice owners and admins may {verb} clients."
            )

    @extend_schema(responses=s.FigureSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def figures(self, request: Request, *args, **kwargs) -> Response:
        """Every registered figure for this client: ``[{key, label, value, …}]``."""
        client = self.get_object()
        values = registry.compute_figures([client.pk])
        rows = [
            {
                "key": fig.key,
                "label": fig.label,
                "value": values[fig.key].get(client.pk),
                "unit": fig.unit,
                "better": fig.better,
                "description": fig.description,
            }
            for fig in registry.figures
        ]
        return Response(s.FigureSerializer(rows, many=True).data)


class DepartmentViewSet(ScopedModelViewSet):
    model = Department
    select_related = ("client",)
    serializer_class = s.DepartmentSerializer
    filterset_class = DepartmentFilter
    search_fields = ["name", "cost_centre"]
    ordering_fields = ["name", "cost_centre", "client__name"]
    lookup_value_regex = r"\d+"


class ContactViewSet(ScopedModelViewSet):
    model = Contact
    select_related = ("client",)
    serializer_class = s.ContactSerializer
    filterset_class = ContactFilter
    search_fields = ["first_name", "last_name", "email", "title"]
    ordering_fields = ["last_name", "first_name", "email", "client__name"]
    lookup_value_regex = r"\d+"


class MembershipViewSet(ScopedModelViewSet):
    """Who reaches which client. Viewers of a client see its members; MEMBERS changes them."""

    model = Membership
    select_related = ("client", "user")
    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilter
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["role", "created_at", "user__username", "client__name"]
    lookup_value_regex = r"\d+"
    read_perm = Perm.INTERNAL
    write_perm = Perm.MEMBERS

    def perform_destroy(self, instance: Model) -> None:
        if instance.role in PRACTICE_WIDE_ROLES:
            raise exceptions.ValidationError(
                {"role": "owner and admin memberships are not managed through the API"}
            )
        super().perform_destroy(instance)


class AuditEventViewSet(ScopedReadOnlyModelViewSet):
    """The audit log of the clients the user may see (read only)."""

    model = AuditEvent
    read_perm = Perm.INTERNAL  # the practice's record, like its internal notes
    select_related = ("client", "content_type")
    serializer_class = s.AuditEventSerializer
    filterset_class = AuditEventFilter
    search_fields = ["object_repr", "actor_name"]
    ordering_fields = ["at", "action", "actor_name"]
    lookup_value_regex = r"\d+"


@extend_schema_view(
    create=extend_schema(
        request=s.TokenSerializer,
        responses={201: s.TokenCreatedSerializer},
        description="Create a token. The response carries its `key`, shown this once only. "
        "Needs a logged-in session: a token cannot create tokens.",
    ),
    destroy=extend_schema(description="Revoke the token (it stays listed, marked revoked)."),
)
class TokenViewSet(ScopedModelViewSet):
    """The user's own API tokens (each user sees only theirs)."""

    model = ApiToken
    select_related = ("client",)
    serializer_class = s.TokenSerializer
    search_fields = ["name", "prefix"]
    ordering_fields = ["created_at", "name", "last_used_at", "expires_at"]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def check_may_create(self) -> None:
        # A leaked token must not be able to mint more tokens.
        if request_token(self.request) is not None:
            raise exceptions.PermissionDenied(
                "API tokens cannot create tokens: log in to the web site to create one."
            )

    def create(self, request: Request, *args, **kwargs) -> Response:
        """Issue a token; the response is the only place its key ever appears."""
        self.check_may_create()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            token, key = ApiToken.issue(
                request.user,
                data["name"],
                client=data.get("client"),
                read_only=data.get("read_only", False),
                expires_at=data.get("expires_at"),
            )
            audit.record_create(request.user, token)
        body = s.TokenSerializer(token, context=self.get_serializer_context()).data
        return Response({**body, "key": key}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        # Revoked, not deleted: the row keeps the trail of what the key could do.
        before = audit.snapshot(instance)
        with transaction.atomic():
            instance.revoke()
            audit.record_update(self.request.user, instance, before)


class MeView(APIView):
    """The current user, their memberships and the token limits in force."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        """Who you are and what you may do (narrowed by the token, if one was used)."""
        return Response(s.MeSerializer(describe_user(request)).data)


def describe_user(request: Request) -> dict:
    """The data of ``/api/me/``: user, memberships with their perms, token limits."""
    user, token = request.user, request_token(request)
    access = access_for(user)
    practice_perms = sorted(p for p in Perm if access.can_practice(p))
    # Through the scoping path, so a client-limited token shows that client's role only.
    memberships = Membership.objects.for_user(user).filter(user=user).select_related("client")
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "practice_perms": practice_perms,
        "memberships": [
            {
                "client": m.client.slug if m.client_id else None,
                "client_name": m.client.name if m.client_id else None,
                "role": m.role,
                "perms": sorted(access.perms_for(m.client_id)) if m.client_id else practice_perms,
            }
            for m in memberships
        ],
        "token": None
        if token is None
        else {
            "id": token.pk,
            "name": token.name,
            "client": token.client.slug if token.client_id else None,
            "read_only": token.read_only,
            "expires_at": token.expires_at,
        },
    }


@extend_schema(exclude=True)
class DocsView(SpectacularSwaggerView):
    """The Swagger UI; a browser that is not logged in is sent to the login page."""

    def handle_exception(self, exc: Exception) -> HttpResponse | Response:
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
