"""The lifecycle page: what ages out, what it costs, and the policies behind it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import generic

from vcio.assets import services
from vcio.assets.forms import PolicyFormSet, policy_initial, save_policies
from vcio.assets.models import Asset
from vcio.core import charts
from vcio.core.numbers import format_number
from vcio.core.roles import Perm
from vcio.core.templatetags.vcio_format import format_money
from vcio.core.views.base import ClientMixin

# How many assets the "ending soon" lists show before linking to the full list.
LIST_LIMIT = 15


@dataclass(frozen=True)
class Card:
    """A figure with the sentence that says what it means for the business."""

    label: str
    value: int | str
    sentence: str
    tone: str  # good, warn, bad or neutral: the card's accent colour
    url: str = ""


def _pct(n: int, total: int) -> str:
    return f"{format_number(100 * n / total)} %" if total else "0 %"


def summary_cards(
    summary: services.LifecycleSummary, next_4: Decimal, currency: str, list_url: str
) -> list[Card]:
    """The three figures an executive reads first: fleet size, backlog, next year's budget."""
    return [
        Card(
            "Devices",
            summary.total,
            "Computers, servers, network gear, printers and phones in use or in stock: "
            "every figure below counts them.",
            "neutral",
            list_url,
        ),
        Card(
            "Past their replacement date",
            summary.overdue,
            "Older than the replacement policy or on a system losing support: they fail "
            "more often and cost more in lost time each month they stay.",
            "bad" if summary.overdue else "good",
        ),
        Card(
            "To budget in the next 4 quarters",
            format_money(next_4, currency),
            "What replacing the devices that age out in the coming year costs, "
            "the overdue ones included.",
            "warn" if next_4 else "good",
        ),
    ]


def warranty_cards(counts: dict[str, int], total: int, list_url: str) -> list[Card]:
    """One card per warranty status, each explaining the business consequence."""
    link = lambda status: f"{list_url}?{urlencode({'warranty': status})}"  # noqa: E731
    return [
        Card(
            "Under warranty",
            counts["active"],
            f"{_pct(counts['active'], total)} of devices: a hardware failure is repaired "
            "or replaced by the vendor at no cost.",
            "good",
            link("active"),
        ),
        Card(
            "Warranty ends within 90 days",
            counts["ending"],
            "Decide this quarter whether to extend these warranties or plan replacements.",
            "warn",
            link("ending"),
        ),
        Card(
            "Out of warranty",
            counts["expired"],
            "A failure on one of these means paying for the repair or a new device, "
            "often with downtime while it is sourced.",
            "bad",
            link("expired"),
        ),
        Card(
            "Warranty unknown",
            counts["unknown"],
            "No warranty date is recorded, so the risk cannot be judged until the "
            "inventory is completed.",
            "neutral",
            link("unknown"),
        ),
    ]


def os_cards(counts: dict[str, int], total: int, list_url: str) -> list[Card]:
    """One card per OS support status, each explaining the business consequence."""
    link = lambda status: f"{list_url}?{urlencode({'os_status': status})}"  # noqa: E731
    return [
        Card(
            "Supported OS",
            counts["supported"],
            f"{_pct(counts['supported'], total)} of devices still receive the vendor's "
            "security fixes.",
            "good",
            link("supported"),
        ),
        Card(
            "Support ends within 12 months",
            counts["ending"],
            "Security fixes stop within a year: budget the upgrade or replacement now.",
            "warn",
            link("ending"),
        ),
        Card(
            "Unsupported OS",
            counts["unsupported"],
            "These no longer get security fixes: an open door for attackers, and often "
            "a breach of cyber-insurance or compliance terms.",
            "bad",
            link("unsupported"),
        ),
        Card(
            "OS unknown",
            counts["unknown"],
            "No recognised operating system is recorded (common for printers and network "
            "gear), so their support status is not known.",
            "neutral",
            link("unknown"),
        ),
    ]


def forecast_chart(
    rows: list[services.QuarterForecast], overdue_cost: Decimal, currency: str
) -> str:
    """Replacement cost per fiscal quarter, the overdue backlog stacked on the first quarter."""
    backlog = [overdue_cost if i == 0 else Decimal(0) for i in range(len(rows))]
    return charts.bar_chart(
        [f"Q{r.quarter.quarter}\nFY{r.quarter.fiscal_year}" for r in rows],
        [
            charts.Series(
                "Due in the quarter", [r.cost - b for r, b in zip(rows, backlog, strict=True)]
            ),
            charts.Series("Already overdue", backlog, color=charts.HIGHLIGHT),
        ],
        title="Replacement cost by fiscal quarter",
        desc="; ".join(
            f"{r.label}: {r.count} devices, {format_money(r.cost, currency)}"
            + (f" ({r.overdue} overdue)" if r.overdue else "")
            for r in rows
        ),
        value_format=lambda v: format_money(v, currency),
        notes=[f"{r.count} device{'s' if r.count != 1 else ''}" for r in rows],
        integer_axis=True,
        width=960,
        height=320,
    )


def age_chart(summary: services.LifecycleSummary, policies: list[services.PolicyRow]) -> str:
    """The age histogram; ages past the workstation/laptop policy in the warning colour."""
    bins, _ = services.age_bins(summary)
    years = [
        p.replace_after_years
        for p in policies
        if p.kind in ("workstation", "laptop") and p.replace_after_years
    ]
    old_from = min(int(y) for y in years) if years else None
    return charts.histogram(
        bins,
        title="Devices by age",
        desc=", ".join(f"{label} years: {n}" for label, n in bins),
        x_label="Age in years",
        y_label="Devices",
        highlight_from=old_from,
        highlight_label=f"Older than {old_from} years (typical PC replacement age)"
        if old_from
        else "",
        width=960,
    )


class PolicyFormMixin:
    """Builds the lifecycle policy formset of ``self.client``."""

    def policy_formset(self, data=None, policies: list | None = None) -> PolicyFormSet:
        """The policy form: one row per asset kind, defaults shown as placeholders."""
        if policies is None:
            policies = services.policy_rows(self.client)
        formset = PolicyFormSet(data, initial=policy_initial(policies), prefix="policy")
        by_kind = {p.kind: p for p in policies}
        for form in formset.forms:
            policy = by_kind.get(form["kind"].value())
            form.kind_label = policy.label if policy else form["kind"].value()
            if policy is not None and policy.is_default:
                if policy.replace_after_years is not None:
                    attrs = form.fields["replace_after_years"].widget.attrs
                    attrs["placeholder"] = f"{policy.replace_after_years:g}"
                if policy.replacement_cost is not None:
                    attrs = form.fields["replacement_cost"].widget.attrs
                    attrs["placeholder"] = f"{policy.replacement_cost:.0f}"
        return formset


class LifecycleView(ClientMixin, PolicyFormMixin, generic.TemplateView):
    """Counts, age histogram, replacement forecast, what ends soon, and the policies."""

    template_name = "assets/lifecycle.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        client = self.client
        summary = services.summary(client)
        rows = services.forecast(client, summary, quarters=12)
        policies = services.policy_rows(client)
        list_url = reverse("assets:asset_list", kwargs={"client": client.slug})
        ctx.update(
            today=summary.today,
            summary=summary,
            unknown_age=services.age_bins(summary)[1],
            summary_cards=summary_cards(
                summary, forecast_total(rows[:4]), client.currency, list_url
            ),
            warranty_cards=warranty_cards(summary.warranty, summary.total, list_url),
            os_cards=os_cards(summary.os, summary.total, list_url),
            histogram=age_chart(summary, policies),
            forecast=rows,
            forecast_chart=forecast_chart(rows, services.overdue_cost(summary), client.currency),
            cost_next_4=forecast_total(rows[:4]),
            cost_total=forecast_total(rows),
            count_total=sum(r.count for r in rows),
            cost_unknown=sum(r.cost_unknown for r in rows),
            overdue=sum(r.overdue for r in rows),
            list_url=list_url,
            policies=policies,
        )
        ctx.update(self.ending_soon(summary))
        if Perm.MANAGE in ctx["client_perms"]:
            ctx["policy_formset"] = self.policy_formset(policies=policies)
        return ctx

    def ending_soon(self, summary: services.LifecycleSummary) -> dict:
        """The assets whose warranty ends in 90 days and whose OS support ends in 12 months.

        Taken from the summary's rows (already computed) rather than queried
        again; only the few assets listed are fetched, in one query.
        """
        rows = summary.rows.values()
        warranty = sorted(
            (r for r in rows if r.warranty == "ending"), key=lambda r: (r.warranty_end, r.asset_id)
        )
        os = sorted(
            (r for r in rows if r.os.status == "ending"),
            key=lambda r: (r.os.end_of_support, r.asset_id),
        )
        shown = [r.asset_id for r in warranty[:LIST_LIMIT] + os[:LIST_LIMIT]]
        assets = Asset.objects.for_user(self.request.user).filter(client=self.client)
        by_id = {a.pk: a for a in assets.filter(pk__in=shown).select_related("department")}
        return {
            "warranty_ending": [(by_id[r.asset_id], r) for r in warranty[:LIST_LIMIT]],
            "warranty_ending_count": len(warranty),
            "os_ending": [(by_id[r.asset_id], r) for r in os[:LIST_LIMIT]],
            "os_ending_count": len(os),
        }


def forecast_total(rows: list[services.QuarterForecast]) -> Decimal:
    return sum((r.cost for r in rows), Decimal(0))


class PolicyEdit(ClientMixin, PolicyFormMixin, generic.TemplateView):
    """Saves the client's lifecycle policies (MANAGE); errors are shown on their own page."""

    template_name = "assets/policy_form.html"
    client_perm = Perm.MANAGE

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("policy_formset", self.policy_formset())
        ctx["cancel_url"] = reverse("assets:lifecycle", kwargs={"client": self.client.slug})
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        formset = self.policy_formset(request.POST)
        if not formset.is_valid():
            ctx = self.get_context_data(policy_formset=formset)
            return render(request, self.template_name, ctx)
        changed = save_policies(self.client, formset, request.user)
        messages.success(
            request,
            f"Lifecycle policies saved ({changed} changed)." if changed else "No policy changed.",
        )
        return HttpResponseRedirect(
            reverse("assets:lifecycle", kwargs={"client": self.client.slug})
        )
