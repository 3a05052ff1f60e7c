"""The practice dashboard: every client the user may see, with its figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vcio.core.filters import ClientFilter
from vcio.core.models import Client
from vcio.core.registry import compute_figures, summary_figures


def client_rows(clients: list[Client]) -> tuple[list, list[dict]]:
    """The summary figures and, per client, its values in figure order."""
    figs = summary_figures()
    values = compute_figures([c.pk for c in clients], [f.key for f in figs])
    rows = [{"client": c, "figures": [(f, values[f.key].get(c.pk)) for f in figs]} for c in clients]
    return figs, rows


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    clients = list(Client.objects.for_user(request.user).filter(is_active=True))
    figs, rows = client_rows(clients)
    return render(
        request,
        "core/dashboard.html",
        {"figures": figs, "rows": rows, "total_fees": sum(c.monthly_fee for c in clients)},
    )


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    qs = Client.objects.for_user(request.user)
    flt = ClientFilter(request.GET, queryset=qs, request=request)
    clients = list(flt.qs)
    figs, rows = client_rows(clients)
    return render(request, "core/client_list.html", {"filter": flt, "figures": figs, "rows": rows})


@login_required
def switch_client(request: HttpRequest) -> HttpResponse:
    """The client switcher's target: go to the chosen client's overview."""
    slug = request.GET.get("client", "")
    client = Client.objects.for_user(request.user).filter(slug=slug).first()
    if client is None:
        return redirect("core:dashboard")
    return redirect(client)
