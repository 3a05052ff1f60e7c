"""API of the framework library: read by the practice's people, changed by its managers.

Frameworks are practice-wide reference data (no client): anyone who works
for the practice reads them (owners, admins, consultants, technicians); a
client's own people do not browse the practice's library. Importing and
copying — new rows in the library every client is assessed against — need
MANAGE on the whole practice (owners and admins). An import is checked whole
before anything is saved: a 400 lists every problem and leaves the library
as it was.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.assessments.api import serializers as s
from vcio.assessments.frameworks import library
from vcio.assessments.frameworks.document import MAX_BYTES, FrameworkFileError
from vcio.assessments.models import Framework, FrameworkVersion
from vcio.core import audit
from vcio.core.api.base import Pagination
from vcio.core.library import LibraryAccess as BaseLibraryAccess


class LibraryAccess(BaseLibraryAccess):
    message = "The framework library is the practice's: owners and admins change it."


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Frameworks of the library with their versions (newest first)."""

    model = Framework
    queryset = Framework.objects.prefetch_related("versions").order_by("name", "id")
    serializer_class = s.FrameworkSerializer
    permission_classes = [LibraryAccess]
    pagination_class = Pagination
    filterset_fields = ["shipped"]
    search_fields = ["key", "name", "publisher"]
    ordering_fields = ["key", "name", "created_at"]
    lookup_value_regex = r"\d+"


def problems(exc: FrameworkFileError) -> Response:
    return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)


class FrameworkVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Versions of frameworks: list, one, export as a document, import, copy."""

    model = FrameworkVersion
    queryset = (
        FrameworkVersion.objects.select_related("framework")
        .annotate(
            section_count=Count("sections", distinct=True),
            item_count=Count("items", distinct=True),
        )
        .order_by("framework__name", "-created_at", "-id")
    )
    serializer_class = s.FrameworkVersionSerializer
    permission_classes = [LibraryAccess]
    pagination_class = Pagination
    filterset_fields = ["frozen"]
    search_fields = ["framework__key", "framework__name", "version"]
    ordering_fields = ["version", "created_at", "released"]
    lookup_value_regex = r"\d+"

    def fresh(self, version: FrameworkVersion) -> Response:
        row = self.get_queryset().get(pk=version.pk)
        body = s.FrameworkVersionSerializer(row, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": s.FrameworkImportSerializer,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={
            201: s.FrameworkVersionSerializer,
            400: OpenApiResponse(s.FrameworkProblemsSerializer, description="Every problem"),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, JSONParser],
        serializer_class=s.FrameworkImportSerializer,
        filter_backends=[],
    )
    def import_(self, request: Request) -> Response:
        """A framework file (vcio JSON or an OSCAL catalog) uploaded as ``file``, or a vcio
        document as the JSON body: saved as a new version, or a 400 listing every problem."""
        try:
            raw, name = self.upload(request)
            doc, published = library.parse_bytes(raw, name)
            with transaction.atomic():
                version = library.load(doc, frozen=published)
                audit.record_create(request.user, version)
        except FrameworkFileError as exc:
            return problems(exc)
        return self.fresh(version)

    def upload(self, request: Request) -> tuple[bytes, str]:
        """The bytes of the uploaded file, or of the JSON body, and a name for messages."""
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise FrameworkFileError(["upload the framework file as the field 'file'"])
            if upload.size > MAX_BYTES:
                raise FrameworkFileError(
                    [f"{upload.name} is {upload.size / 1048576:.1f} MB; a framework file is at "
                     f"most {MAX_BYTES // 1048576} MB"]
                )  # fmt: skip
            return upload.read(), upload.name
        return request.body, "the request body"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, filter_backends=[], pagination_class=None)
    def export(self, request: Request, *args, **kwargs) -> Response:
        """The version as a vcio framework document, ready to import elsewhere."""
        return Response(library.export(self.get_object()))

    @extend_schema(
        request=s.FrameworkCopySerializer,
        responses={201: s.FrameworkVersionSerializer, 400: s.FrameworkProblemsSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=s.FrameworkCopySerializer)
    def copy(self, request: Request, *args, **kwargs) -> Response:
        """An editable copy: a new version of the framework, or with ``key`` a new framework."""
        original = self.get_object()
        params = s.FrameworkCopySerializer(data=request.data)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        data = params.validated_data
        try:
            with transaction.atomic():
                version = library.copy_version(
                    original, data["version"], key=data.get("key", ""), name=data.get("name", "")
                )
                audit.record_create(request.user, version)
        except FrameworkFileError as exc:
            return problems(exc)
        return self.fresh(version)
