"""Import pages: upload → preview (edit the mapping, preview again) → confirm; history.

The uploaded files are kept under ``MEDIA_ROOT/imports/<run id>/`` between
the preview and the commit, so the commit reads exactly what was previewed.
Every view resolves the client and the ImportRun through the scoping helpers.
"""

from __future__ import annotations

import csv
from functools import cached_property

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import generic

from vcio.core.forms_imports import ConfirmForm, ImportRunFilter, MappingForm, UploadForm
from vcio.core.importer import background, engine, uploads
from vcio.core.importer.base import Target, targets
from vcio.core.models import ImportRun
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedListView

# Heavy JSON the list never shows.
_LIST_DEFER = ("problems", "notes", "sample", "mapping", "headers")


def target_or_404(key: str) -> Target:
    """The registered import target ``key``; 404 for any other word."""
    if key not in targets:
        raise Http404("No such import.")
    return targets.get(key)


class TargetMixin:
    """``self.target`` from the ``target`` in the URL."""

    kwargs: dict

    @cached_property
    def target(self) -> Target:
        return target_or_404(self.kwargs["target"])


class RunMixin(ClientMixin):
    """``self.run``: the client's ImportRun from the URL (404 outside the user's reach)."""

    model = ImportRun

    @cached_property
    def run(self) -> ImportRun:
        return get_for_user_or_404(
            ImportRun.objects.filter(client=self.client),
            self.request.user,
            self.client_perm,
            pk=self.kwargs["pk"],
        )

    def detail_url(self) -> str:
        return reverse("core:import_detail", kwargs={"client": self.client.slug, "pk": self.run.pk})

    def preview_url(self) -> str:
        return reverse(
            "core:import_preview", kwargs={"client": self.client.slug, "pk": self.run.pk}
        )


class ImportList(ClientScopedListView):
    """Past imports of the client, newest first, with links to start a new one."""

    model = ImportRun
    filterset_class = ImportRunFilter
    template_name = "core/import_list.html"

    def base_queryset(self) -> QuerySet:
        return super().base_queryset().defer(*_LIST_DEFER)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["targets"] = sorted(targets, key=lambda t: t.label)
        return ctx


class ImportDetail(RunMixin, generic.TemplateView):
    """One import: what was read, how it was mapped, what it did, every problem kept."""

    template_name = "core/import_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["run"] = self.run
        ctx["several_files"] = len(self.run.file_names or []) > 1
        ctx["mapping_rows"] = _mapping_rows(self.run)
        ctx["job_text"] = background.progress_text(self.run) if self.run.job else ""
        return ctx


class ImportUpload(TargetMixin, ClientMixin, generic.FormView):
    """Step 1: choose the file(s); the preview follows at once."""

    model = ImportRun
    client_perm = Perm.EDIT
    form_class = UploadForm
    template_name = "core/import_upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "target": self.target}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["target"] = self.target
        ctx["fields"] = self.target.fields
        return ctx

    def form_valid(self, form: UploadForm):
        data = form.cleaned_data
        user = self.request.user
        run = ImportRun.objects.create(
            client=self.client,
            target=self.target.key,
            user=user,
            user_name=user.get_username(),
            file_names=[f.name for f in data["files"]],
            preset=data["preset"] or "",
            sheet=data["sheet"].strip(),
            atomic=data["atomic"],
            files_kept=True,
        )
        uploads.save_uploads(run.pk, data["files"])
        if background.is_big(f.size for f in data["files"]):
            background.queue(run, commit=False, preset=data["preset"] or None)
        else:
            _preview_stored(self.request, run, self.target, preset=data["preset"] or None)
        return HttpResponseRedirect(
            reverse("core:import_preview", kwargs={"client": self.client.slug, "pk": run.pk})
        )


class ImportPreview(RunMixin, generic.TemplateView):
    """Step 2: what the import would do; the mapping can be edited and previewed again."""

    client_perm = Perm.EDIT
    template_name = "core/import_preview.html"

    def get(self, request, *args, **kwargs):
        if self.run.status != ImportRun.Status.PREVIEW:
            return HttpResponseRedirect(self.detail_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.run.job:
            messages.info(request, "The worker is still on this import: wait for it to finish.")
            return HttpResponseRedirect(self.preview_url())
        if self.run.status != ImportRun.Status.PREVIEW:
            messages.info(request, "This import is finished; start a new one to change it.")
            return HttpResponseRedirect(self.detail_url())
        target = target_or_404(self.run.target)
        form = MappingForm(request.POST, target=target, run=self.run)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(mapping_form=form))
        if _is_big(self.run):
            background.queue(self.run, commit=False, mapping=form.mapping())
            return HttpResponseRedirect(self.preview_url())
        if _preview_stored(request, self.run, target, mapping=form.mapping()) is None:
            return HttpResponseRedirect(self.detail_url())
        messages.success(request, "Previewed again with your mapping.")
        return HttpResponseRedirect(self.preview_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        target = target_or_404(self.run.target)
        run = self.run
        ctx["run"] = run
        ctx["job_text"] = background.progress_text(run) if run.job else ""
        ctx["several_files"] = len(run.file_names or []) > 1
        ctx["target"] = target
        ctx.setdefault("mapping_form", MappingForm(target=target, run=run))
        ctx["confirm_form"] = ConfirmForm(initial={"atomic": run.atomic})
        labels = {f.name: f.label for f in target.fields}
        shown = [name for name in dict.fromkeys(run.mapping.values()) if name in labels]
        ctx["sample_fields"] = [labels[name] for name in shown]
        ctx["sample_rows"] = [
            (row.get("row"), [row.get("values", {}).get(name, "") for name in shown])
            for row in run.sample
            if isinstance(row, dict)
        ]
        good = run.created + run.updated + run.unchanged
        ctx["good_rows"] = good
        ctx["can_confirm"] = run.files_kept and good > 0 and not _fatal(run)
        return ctx


class ImportConfirm(RunMixin, generic.View):
    """Step 3 (POST only): import the stored files for real."""

    client_perm = Perm.EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = self.run
        if run.status != ImportRun.Status.PREVIEW or run.job:
            messages.info(request, "This import was already confirmed.")
            return HttpResponseRedirect(self.detail_url())
        form = ConfirmForm(request.POST)
        atomic = form.cleaned_data["atomic"] if form.is_valid() else run.atomic
        run.atomic = atomic
        target = target_or_404(run.target)
        if _is_big(run):
            run.save(update_fields=["atomic"])
            background.queue(run, commit=True, mapping=run.mapping)
            messages.info(request, "The import runs in the background: this page follows it.")
            return HttpResponseRedirect(self.detail_url())
        report = _preview_stored(request, run, target, mapping=run.mapping, dry_run=False)
        if report is None:
            return HttpResponseRedirect(self.detail_url())
        uploads.delete_uploads(run.pk)
        ImportRun.objects.filter(pk=run.pk).update(files_kept=False)
        counts = engine.format_counts(report.counts)
        if report.committed:
            messages.success(request, f"Imported: {counts}.")
        else:
            messages.error(
                request,
                f"Nothing was imported: {report.problem_count} problem(s). "
                "Fix them in the file and upload it again.",
            )
        return HttpResponseRedirect(self.detail_url())


class ImportTemplate(TargetMixin, ClientMixin, generic.View):
    """vcio's own CSV template for a target: its header row, ready to fill in."""

    model = ImportRun

    def get(self, request, *args, **kwargs) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="vcio-{self.target.key}-template.csv"'
        )
        # A BOM so that Excel opens the file as UTF-8.
        response.write("\ufeff")
        csv.writer(response).writerow(self.target.template_headers())
        return response


def _preview_stored(
    request,
    run: ImportRun,
    target: Target,
    *,
    preset: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
) -> engine.ImportReport | None:
    """Run the engine over the run's kept files; None (with a message) when they are gone."""
    stored = uploads.stored_files(run.pk, list(run.file_names)) if run.files_kept else None
    if stored is None:
        ImportRun.objects.filter(pk=run.pk).update(files_kept=False)
        messages.error(
            request,
            "The uploaded file is no longer kept (uploads are kept for a day): upload it again.",
        )
        return None
    return engine.preview(
        target,
        run.client,
        stored,
        user=request.user,
        preset=preset or run.preset or None,
        mapping=mapping,
        dry_run=dry_run,
        atomic=run.atomic,
        sheet=run.sheet or None,
        import_run=run,
    )


def _is_big(run: ImportRun) -> bool:
    """True when the run's kept files are big enough for the worker."""
    stored = uploads.stored_files(run.pk, list(run.file_names)) if run.files_kept else None
    return bool(stored) and background.is_big(path.stat().st_size for _, path in stored)


def _fatal(run: ImportRun) -> bool:
    """True when a problem concerns the file as a whole (nothing can be imported)."""
    return any(isinstance(p, dict) and p.get("row") is None for p in run.problems)


def _mapping_rows(run: ImportRun) -> list[tuple[str, str]]:
    """(column, field label or "not imported") for the detail page."""
    labels = {}
    if run.target in targets:
        labels = {f.name: f.label for f in targets.get(run.target).fields}
    return [
        (header, labels.get(name, name) if name else "not imported")
        for header, name in (run.mapping or {}).items()
    ]
