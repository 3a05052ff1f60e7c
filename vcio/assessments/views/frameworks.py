"""The practice's framework library: list, one version, import, export, copy, edit an item.

The library is practice material, shared by every client: anyone who works
for the practice reads it; changing it (import, copy, edit) is practice-level
MANAGE (owners and admins), as for the shared EOL table. A client's own people
(executives, editors) get a 403. A frozen version (shipped, published or
answered by a signed-off assessment) is never edited: it is copied.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views import generic

from vcio.assessments.forms import CopyVersionForm, FrameworkImportForm, ItemForm
from vcio.assessments.frameworks import library
from vcio.assessments.frameworks.document import FrameworkFileError
from vcio.assessments.models import Framework, FrameworkVersion, Item
from vcio.core import audit
from vcio.core.library import LibraryMixin as BaseLibraryMixin
from vcio.core.library import may_manage_library

FROZEN = "This version is frozen (shipped, published or signed off): copy it to edit."


class LibraryMixin(BaseLibraryMixin):
    library_name = "framework library"


def versions_with_counts():
    """Versions with ``n_items`` and ``n_signed`` (signed-off assessments), in one query."""
    return FrameworkVersion.objects.annotate(
        n_items=Count("items", distinct=True),
        n_signed=Count("assessments", filter=Q(assessments__status="signed_off"), distinct=True),
    ).order_by("-created_at")


def editable(version: FrameworkVersion) -> bool:
    """``library.is_editable`` from the annotated counts (no query per version)."""
    return not version.frozen and not version.n_signed


class FrameworkList(LibraryMixin, generic.TemplateView):
    """Every framework and its versions; the import form for those who manage the library."""

    template_name = "assessments/framework_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        frameworks = list(
            Framework.objects.prefetch_related(Prefetch("versions", versions_with_counts()))
        )
        for fw in frameworks:
            for v in fw.versions.all():
                v.editable = editable(v)
        ctx["frameworks"] = frameworks
        ctx.setdefault("import_form", FrameworkImportForm())
        return ctx


class FrameworkImport(FrameworkList):
    """Upload a file: checked whole, saved whole or not at all (400 with every problem)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = FrameworkImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(import_form=form), status=400)
        upload = form.cleaned_data["file"]
        try:
            if upload.size > library.MAX_BYTES:  # refuse before reading it into memory
                raise FrameworkFileError(
                    [
                        f"{upload.name} is {upload.size / 1048576:.1f} MB; a framework file is at "
                        f"most {library.MAX_BYTES // 1048576} MB"
                    ]  # fmt: skip
                )
            doc, published = library.parse_bytes(upload.read(), upload.name)
            version = library.load(doc, frozen=published)
        except FrameworkFileError as exc:
            ctx = self.get_context_data(import_form=form, problems=exc.problems)
            return self.render_to_response(ctx, status=400)
        audit.record_create(request.user, version)
        messages.success(request, f"{version} loaded: {version.items.count()} items.")
        return HttpResponseRedirect(reverse("assessments:framework_version", args=[version.pk]))


class VersionDetail(LibraryMixin, generic.TemplateView):
    """One version: its sections as a tree, each with its items and what they say."""

    model = FrameworkVersion  # practice-wide: the walkers aim the route at any row
    template_name = "assessments/framework_version.html"

    def get_version(self) -> FrameworkVersion:
        return get_object_or_404(
            versions_with_counts().select_related("framework"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        version = kwargs.get("version") or self.get_version()
        sections = list(version.sections.order_by("order", "id"))
        items = list(version.items.order_by("order", "id"))
        ctx["version"] = version
        ctx["framework"] = version.framework
        ctx["editable"] = editable(version)
        ctx["sections"] = section_tree(sections, items)
        ctx.setdefault("copy_form", CopyVersionForm())
        return ctx


def section_tree(sections: list, items: list) -> list[dict[str, Any]]:
    """Sections in tree order (parents before children) with ``depth`` and their items."""
    by_section: dict[int, list] = {}
    for item in items:
        by_section.setdefault(item.section_id, []).append(item)
    children: dict[int | None, list] = {}
    for s in sections:
        children.setdefault(s.parent_id, []).append(s)
    rows: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for s in children.get(parent_id, []):
            rows.append({"section": s, "depth": depth, "items": by_section.get(s.id, [])})
            walk(s.id, depth + 1)

    walk(None, 0)
    return rows


class VersionExport(LibraryMixin, generic.View):
    """The version as a vcio framework file, to download."""

    model = FrameworkVersion

    def get(self, request, pk: int):
        version = get_object_or_404(FrameworkVersion.objects.select_related("framework"), pk=pk)
        body = json.dumps(library.export(version), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = f"{version.framework.key}-{version.version}.framework.json".replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class VersionCopy(VersionDetail):
    """An editable copy: a new version of the same framework, or a new framework."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        form = CopyVersionForm(request.POST)
        if not form.is_valid():
            ctx = self.get_context_data(version=version, copy_form=form)
            return self.render_to_response(ctx, status=400)
        data = form.cleaned_data
        try:
            copy = library.copy_version(
                version, data["new_version"].strip(), key=data["key"], name=data["name"].strip()
            )
        except FrameworkFileError as exc:
            ctx = self.get_context_data(version=version, copy_form=form, problems=exc.problems)
            return self.render_to_response(ctx, status=400)
        audit.record_create(request.user, copy)
        messages.success(request, f"Copied to {copy}; it can be edited.")
        return HttpResponseRedirect(reverse("assessments:framework_version", args=[copy.pk]))


class ItemEdit(LibraryMixin, generic.UpdateView):
    """Edit one item of an editable version; a frozen one answers 403 "copy it to edit"."""

    model = Item
    form_class = ItemForm
    template_name = "assessments/framework_item_form.html"
    context_object_name = "item"

    def get_object(self, queryset=None) -> Item:
        return get_object_or_404(
            Item.objects.select_related("version__framework", "section"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not may_manage_library(request.user):
            raise PermissionDenied("Only the practice's owners and admins change the library.")
        if not library.is_editable(self.object.version):
            return self.frozen()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not library.is_editable(self.object.version):
            return self.frozen()
        self.before = audit.snapshot(self.object)
        return super().post(request, *args, **kwargs)

    def frozen(self) -> HttpResponse:
        ctx = self.get_context_data(form=None, frozen_message=FROZEN)
        return self.render_to_response(ctx, status=403)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        item = form.save()
        audit.record_update(self.request.user, item, self.before)
        messages.success(self.request, f"{item.ref} saved.")
        return HttpResponseRedirect(
            reverse("assessments:framework_version", args=[item.version_id]) + f"#item-{item.pk}"
        )


urlpatterns = [
    path("frameworks/", FrameworkList.as_view(), name="framework_list"),
    path("frameworks/import/", FrameworkImport.as_view(), name="framework_import"),
    path("frameworks/<int:pk>/", VersionDetail.as_view(), name="framework_version"),
    path("frameworks/<int:pk>/export/", VersionExport.as_view(), name="framework_export"),
    path("frameworks/<int:pk>/copy/", VersionCopy.as_view(), name="framework_copy"),
    path("frameworks/items/<int:pk>/edit/", ItemEdit.as_view(), name="framework_item_edit"),
]
