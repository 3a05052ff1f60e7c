"""A user's own API tokens: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vcio.core.forms import TokenForm
from vcio.core.models import ApiToken
from vcio.core.scoping import get_for_user_or_404


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data.get("expires_in_days")
        _, new_key = ApiToken.issue(
            request.user,
            form.cleaned_data["name"],
            client=form.cleaned_data["client"],
            read_only=form.cleaned_data["read_only"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        form = TokenForm(user=request.user)
    tokens = ApiToken.objects.for_user(request.user).select_related("client")
    return render(
        request, "core/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_for_user_or_404(ApiToken, request.user, pk=pk)
    token.revoke()
    messages.success(request, f"Token “{token.name}” revoked: scripts using it now get 401.")
    return redirect("core:token_list")


token_revoke.model = ApiToken  # type: ignore[attr-defined]  # for the isolation walker
