"""Time entry (``/practice/time/``), CSV import and deleting an entry.

The form is built for the keyboard: the client field has the focus, Enter
saves, and the page comes back with the same client and date, ready for the
next entry. Everyone at the practice enters their own time; technicians see
only theirs, consultants and owners see every entry of their clients.
Importing is for owners, admins and consultants (rows name other people).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core import audit
from vcio.practice import access, timeentries
from vcio.practice.forms import ImportForm, TimeEntryForm
from vcio.practice.models import TimeEntry
from vcio.practice.views.page import PracticeAccessMixin

RECENT = 20


class TimePage(PracticeAccessMixin, generic.TemplateView):
    template_name = "practice/time.html"

    def clients(self):
        return access.time_clients(self.request.user).order_by("name")

    def form(self, data=None) -> TimeEntryForm:
        initial = {"date": self.request.GET.get("date") or timezone.localdate().isoformat()}
        if slug := self.request.GET.get("client"):
            initial["client"] = slug
        return TimeEntryForm(data, clients=self.clients(), initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", self.form())
        ctx["entries"] = (
            access.visible_entries(self.request.user)
            .filter(person=self.request.user)
            .select_related("client")
            .order_by("-date", "-id")[:RECENT]
        )
        ctx["may_import"] = self.level in (access.FULL, access.CONSULTANT)
        return ctx

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = timeentries.add_entry(
                    client=data["client"],
                    person=request.user,
                    date=data["date"],
                    hours=data["hours"],
                    activity=data["activity"],
                    note=data["note"],
                    user=request.user,
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    f"Saved {timeentries.hours_text(entry.hours)} h on {entry.client.name} "
                    f"for {entry.date.isoformat()}.",
                )
                query = urlencode({"client": entry.client.slug, "date": entry.date.isoformat()})
                return redirect(f"{reverse('practice:time')}?{query}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TimeImport(PracticeAccessMixin, generic.FormView):
    template_name = "practice/time_import.html"
    form_class = ImportForm
    levels = (access.FULL, access.CONSULTANT)

    def form_valid(self, form: ImportForm):
        try:
            result = timeentries.import_csv(form.cleaned_data["file"], self.request.user)
        except timeentries.ImportFailed as exc:
            ctx = self.get_context_data(form=form, errors=exc.errors)
            return self.render_to_response(ctx, status=400)
        messages.success(
            self.request,
            f"Imported {len(result.added)} time entr{'y' if len(result.added) == 1 else 'ies'}"
            + (f"; {result.skipped} already imported, skipped." if result.skipped else "."),
        )
        return redirect("practice:time")


class TimeDelete(PracticeAccessMixin, generic.View):
    """Delete one entry the user may see (POST only)."""

    model = TimeEntry
    http_method_names = ["post"]

    def post(self, request, pk: int, *args, **kwargs):
        entry = get_object_or_404(access.visible_entries(request.user), pk=pk)
        audit.record_delete(request.user, entry)
        entry.delete()
        messages.success(request, "Time entry deleted.")
        return redirect("practice:time")


urlpatterns = [
    path("practice/time/", TimePage.as_view(), name="time"),
    path("practice/time/import/", TimeImport.as_view(), name="time_import"),
    path("practice/time/<int:pk>/delete/", TimeDelete.as_view(), name="time_delete"),
]
