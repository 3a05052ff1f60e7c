"""The reviews pages of one client; each module exports its own ``urlpatterns``.

Shared here: the URL prefix, how a view reaches the review in its URL (only
through the scoping path), and how a refusal reads (a 400 naming the review).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify

from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.reviews.models import Review
from vcio.reviews.snapshot import period_label

CLIENT = "clients/<slug:client>/reviews/"


def review_of(view, perm: Perm, pk: int) -> Review:
    """The review ``pk`` of the view's client, if the user may ``perm`` it (else 404/403)."""
    qs = Review.objects.filter(client=view.client).select_related("client", "finalised_by")
    return get_for_user_or_404(qs, view.request.user, perm, pk=pk)


def message_of(exc: ValidationError) -> str:
    """A ValidationError's messages as one sentence for a page."""
    return " ".join(exc.messages)


def pdf_filename(review: Review) -> str:
    """``acme-qbr-fy2026-q2.pdf``: the client, the kind and the period, for the download."""
    client = review.client
    label = period_label(
        review.kind, review.period_start, review.period_end, client.fiscal_year_start_month
    )
    return f"{client.slug}-{review.kind}-{slugify(label)}.pdf"


def list_url(client_slug: str) -> str:
    return reverse("reviews:review_list", kwargs={"client": client_slug})
