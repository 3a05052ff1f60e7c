"""A review's report as a web page and as a PDF, both from the same HTML.

A finalised review's report is the one stored when it was finalised, so it
reads exactly as it did; a draft's is rendered from live figures.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.views import generic

from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin
from vcio.reviews import reports
from vcio.reviews.models import Review
from vcio.reviews.views import CLIENT, pdf_filename, review_of


class ReportPage(ClientMixin, generic.View):
    """The report as a complete HTML document (its own styles, inline logo and charts)."""

    model = Review

    def get(self, request, *args, **kwargs) -> HttpResponse:
        review = review_of(self, Perm.VIEW, kwargs["pk"])
        document = reports.report_of(review, request.user)
        return HttpResponse(document, content_type="text/html; charset=utf-8")


class ReportPdf(ClientMixin, generic.View):
    """The report printed by WeasyPrint, as a download named after client, kind and period."""

    model = Review

    def get(self, request, *args, **kwargs) -> HttpResponse:
        review = review_of(self, Perm.VIEW, kwargs["pk"])
        response = HttpResponse(
            reports.pdf_bytes(reports.report_of(review, request.user)),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(review)}"'
        return response


urlpatterns = [
    path(f"{CLIENT}<int:pk>/report/", ReportPage.as_view(), name="review_report"),
    path(f"{CLIENT}<int:pk>/report.pdf", ReportPdf.as_view(), name="review_pdf"),
]
