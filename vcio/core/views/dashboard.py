"""The practice dashboard: every client the user may see, with its figures."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from vcio.core.access import access_for
from vcio.core.filters import ClientFilter
from vcio.core.models import Client
from vcio.core.periods import current_period_name
from vcio.core.registry import Figure, compute_figures, dashboard_panels, summary_figures
from vcio.core.roles import CLIENT_ROLES
from vcio.core.templatetags.vcio_format import format_money


def client_rows(clients: list[Client]) -> tuple[list, list[dict]]:
    """The summary figures and, per client, its values in figure order."""
    figs = summary_figures()
    values = compute_figures([c.pk for c in clients], [f.key for f in figs])
    rows = [{"client": c, "figures": [(f, values[f.key].get(c.pk)) for f in figs]} for c in clients]
    return figs, rows


def figure_columns(figs: list[Figure], clients: list[Client]) -> list[tuple[Figure, str]]:
    """Each summary figure with the name of the period it covers ("FY2027 Q2"), if any."""
    return [(f, current_period_name(clients, f.period) if f.period else "") for f in figs]


def fees_by_currency(clients: list[Client]) -> list[str]:
    """The monthly fees of ``clients`` added up per currency: ``["$4,500", "£2,800"]``.

    Never one sum across currencies: dollars and pounds do not add up. Largest
    first; cents only when a total has some.
    """
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for client in clients:
        if client.monthly_fee:
            totals[client.currency] += client.monthly_fee
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [format_money(total, code, 0 if total % 1 == 0 else 2) for code, total in ordered]


def is_client_user(user: Any) -> bool:
    """True when every role the user holds is a client role (an executive or an editor)."""
    access = access_for(user)
    roles = set(access.client_roles.values())
    return bool(roles) and not access.practice_perms and roles <= CLIENT_ROLES


def portal_url() -> str | None:
    """The client portal's address, if an app provides one (core never imports it)."""
    try:
        return reverse("portal:home")
    except NoReverseMatch:
        return None


def panels(request: HttpRequest, clients: list[Client]) -> list[dict[str, str]]:
    """Every registered dashboard panel rendered with its context, in order."""
    rendered = []
    for panel in sorted(dashboard_panels, key=lambda p: (p.order, p.key)):
        ctx = panel.context(clients, request.user)
        html = render_to_string(panel.template, ctx, request=request)
        rendered.append({"key": panel.key, "title": panel.title, "html": html})
    return rendered


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # A client's leaders have no practice to run: their home is the client portal.
    if is_client_user(request.user) and (url := portal_url()):
        return redirect(url)
    clients = list(Client.objects.for_user(request.user).filter(is_active=True))
    figs, rows = client_rows(clients)
    return render(
        request,
        "core/dashboard.html",
        {
            "figures": figs,
            "columns": figure_columns(figs, clients),
            "rows": rows,
            "fees": fees_by_currency(clients),
            "panels": panels(request, clients),
        },
    )


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    qs = Client.objects.for_user(request.user)
    flt = ClientFilter(request.GET, queryset=qs, request=request)
    clients = list(flt.qs)
    figs, rows = client_rows(clients)
    ctx = {"filter": flt, "figures": figs, "columns": figure_columns(figs, clients), "rows": rows}
    return render(request, "core/client_list.html", ctx)


@login_required
def switch_client(request: HttpRequest) -> HttpResponse:
    """The client switcher's target: go to the chosen client's overview."""
    slug = request.GET.get("client", "")
    client = Client.objects.for_user(request.user).filter(slug=slug).first()
    if client is None:
        return redirect("core:dashboard")
    return redirect(client)
