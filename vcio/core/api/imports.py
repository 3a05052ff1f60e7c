"""``/api/imports/``: run an import by multipart upload; list and read past imports.

``POST`` is a dry run unless ``dry_run=false`` is sent, so a script that
forgets the flag only previews. The answer is the recorded ImportRun with
its counts and problems: 201 when rows were written, 200 otherwise. An
upload above ``VCIO_IMPORT_BACKGROUND_MB`` (or sent with
``background=true``) is handed to ``vcio worker``: 202 at once, with the
run's ``job`` and ``progress``; poll ``GET /api/imports/<id>/`` until
``job`` is empty.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from vcio.core.access import access_for
from vcio.core.api.base import ScopedReadOnlyModelViewSet
from vcio.core.api.serializers import ClientSlugField
from vcio.core.forms_imports import ImportRunFilter
from vcio.core.importer import background, engine, uploads
from vcio.core.importer.base import targets
from vcio.core.importer.mapping import UnknownPreset, resolve_layout
from vcio.core.models import ImportRun
from vcio.core.roles import Perm
from vcio.core.scoping import require


class ImportRunSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "client",
            "target",
            "file_names",
            "format",
            "preset",
            "sheet",
            "mapping",
            "status",
            "dry_run",
            "atomic",
            "user_name",
            "started_at",
            "finished_at",
            "rows",
            "created",
            "updated",
            "unchanged",
            "failed",
            "problem_count",
            "problems",
            "notes",
            "job",
            "progress",
        ]
        read_only_fields = fields


class ImportRunSummarySerializer(ImportRunSerializer):
    """A list entry: everything but the (long) problems, notes and mapping."""

    class Meta(ImportRunSerializer.Meta):
        fields = [
            f for f in ImportRunSerializer.Meta.fields if f not in ("problems", "notes", "mapping")
        ]
        read_only_fields = fields


class ImportRequestSerializer(serializers.Serializer):
    client = ClientSlugField()
    target = serializers.CharField(max_length=60, help_text="contacts, assets, licences …")
    files = serializers.ListField(
        child=serializers.FileField(), allow_empty=False, help_text="One or more files."
    )
    format = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="csv, xlsx, a format reader (glpi, ocs …) or a preset family (snipeit, vcio).",
    )
    preset = serializers.CharField(required=False, allow_blank=True, max_length=60)
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)
    mapping = serializers.JSONField(
        required=False,
        help_text='Column → field name ("" to skip the column), as a JSON object.',
    )
    dry_run = serializers.BooleanField(default=True)
    atomic = serializers.BooleanField(default=True)
    background = serializers.BooleanField(
        default=False,
        help_text="Run in the worker and answer 202 at once (always so above "
        "VCIO_IMPORT_BACKGROUND_MB).",
    )

    def to_internal_value(self, data: Any) -> dict:
        if hasattr(data, "getlist"):
            # A multipart form: read it as plain values, so that a flag left out
            # means its default (DRF would read it as an unticked checkbox),
            # "file" works as well as "files", and the mapping is JSON text.
            plain: dict[str, Any] = {k: data.get(k) for k in data if k not in ("file", "files")}
            plain["files"] = data.getlist("files") or data.getlist("file")
            if isinstance(plain.get("mapping"), str):
                plain["mapping"] = _json_object(plain["mapping"])
            data = plain
        return super().to_internal_value(data)

    def validate_target(self, value: str) -> str:
        if value not in targets:
            known = ", ".join(sorted(t.key for t in targets))
            raise serializers.ValidationError(f"no import target '{value}'; targets: {known}")
        return value

    def validate_mapping(self, value: Any) -> dict[str, str]:
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()
        )
        if not ok:
            raise serializers.ValidationError('give {"column": "field name", …}')
        return {k: v or "" for k, v in value.items()}


def _json_object(raw: str) -> Any:
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise serializers.ValidationError({"mapping": ["must be a JSON object"]}) from None


class ImportRunViewSet(ScopedReadOnlyModelViewSet):
    """Imports of the clients the user may see; POST runs a new one."""

    model = ImportRun
    select_related = ("client",)
    serializer_class = ImportRunSerializer
    filterset_class = ImportRunFilter
    search_fields = ["target", "user_name"]
    ordering_fields = ["started_at", "target", "status"]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ImportRunSummarySerializer if self.action == "list" else ImportRunSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        # The list never shows the long JSON columns; don't read them.
        return qs.defer("problems", "notes", "sample") if self.action == "list" else qs

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportRunSerializer, 201: ImportRunSerializer, 202: ImportRunSerializer},
        description="Import files (multipart). A dry run unless `dry_run=false`; "
        "201 when rows were written, 200 for a preview or an import that wrote nothing, "
        "202 when the worker runs it (`background=true` or a big upload): poll the run.",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Run (or preview) an import and return its record."""
        if access_for(request.user).client_ids(Perm.EDIT) == set():
            raise exceptions.PermissionDenied("You may not import into any client.")
        form = ImportRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        client = data["client"]
        require(request.user, Perm.EDIT, client)
        try:
            fmt, preset = resolve_layout(data["target"], data.get("format"), data.get("preset"))
        except UnknownPreset as exc:
            raise exceptions.ValidationError({"format": [str(exc)]}) from None
        if data["background"] or background.is_big(f.size for f in data["files"]):
            return self._queue(request, data, fmt, preset)
        report = engine.preview(
            data["target"],
            client,
            [(f.name, f) for f in data["files"]],
            user=request.user,
            preset=preset,
            mapping=data.get("mapping") or None,
            dry_run=data["dry_run"],
            atomic=data["atomic"],
            format=fmt,
            sheet=data.get("sheet") or None,
        )
        body = ImportRunSerializer(report.run, context=self.get_serializer_context()).data
        code = status.HTTP_201_CREATED if report.committed else status.HTTP_200_OK
        return Response(body, status=code)

    def _queue(self, request: Request, data: dict, fmt: str | None, preset: str | None) -> Response:
        """Store the files, hand the import to the worker, answer 202 with the run."""
        user = request.user
        run = ImportRun.objects.create(
            client=data["client"],
            target=data["target"],
            user=user,
            user_name=user.get_username(),
            file_names=[f.name for f in data["files"]],
            sheet=(data.get("sheet") or "").strip(),
            atomic=data["atomic"],
            dry_run=data["dry_run"],
            files_kept=True,
        )
        uploads.save_uploads(run.pk, data["files"])
        background.queue(
            run,
            commit=not data["dry_run"],
            preset=preset,
            mapping=data.get("mapping") or None,
            format=fmt,
        )
        body = ImportRunSerializer(run, context=self.get_serializer_context()).data
        location = reverse("api:importrun-detail", kwargs={"pk": run.pk})
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
