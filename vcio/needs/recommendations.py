"""Open needs become recommendations through the registry; planned needs follow their initiative.

Grouping: a client's open needs with a theme are grouped by (department,
theme): one recommendation answers what one department keeps asking about
("Sales: crm · quotes · pipeline"); a need without a theme is its own
recommendation. Keys are stable: ``needs.<department id or 0>.<theme slug>``
for a group, ``needs.need.<need id>`` for a lone need.

Each draft carries the needs as evidence (department, text, urgency, dates,
link to the need page) and their ids (``need_ids``); the goals the needs
serve (``goal_ids``) and the department, so promoting it links the
initiative to those goals and the roadmap shows why it is there. The risk is
the highest urgency's; the due date the earliest need's. Costs are 0: what
a department asks for has no price until the consultant estimates it (the
why says so). The why quotes the needs' raw text: escaping is each page's job.

Once a needs recommendation is promoted (or attached to an initiative),
:func:`sync_planned_needs` marks its needs PLANNED with that initiative;
it runs at the start of every generation (the hourly sync and every manual
one), with the theme grouping, so a need is never proposed twice. Needs of a
dismissed recommendation are not proposed again either; a need raised later about the same theme,
whose key the decided recommendation holds, gets a key of its own
(``….<its id>``), so new information reaches the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.text import slugify

from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)
from vcio.needs.models import Need, NeedStatus
from vcio.needs.themes import assign_themes
from vcio.strategy.models import Recommendation, RecommendationStatus

SOURCE = "needs"
URGENCY_RISK = {1: "low", 2: "medium", 3: "high", 4: "critical"}
QUOTED = 5  # needs quoted in the why (all are in the evidence)
SLUG_MAX = 100
DECIDED = (RecommendationStatus.PROMOTED, RecommendationStatus.DISMISSED)


def _decided(client_ids: list[int]) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(
            client_id__in=client_ids, source_app=SOURCE, status__in=DECIDED
        ).only("id", "client_id", "key", "status", "initiative_id", "evidence")
    )


def _need_ids(rec: Recommendation) -> list[int]:
    return [int(i) for i in (rec.evidence or {}).get("need_ids", []) if str(i).isdigit()]


def sync_planned_needs(client_ids: Iterable[int]) -> int:
    """Mark PLANNED, with the initiative, the open needs of promoted needs recommendations.

    Returns how many needs changed. At most three queries for any number of
    clients: the decided recommendations, their needs still open without an
    initiative (usually few: the others were planned by an earlier run), one
    UPDATE of those. A need of another client than its recommendation's is
    never touched.
    """
    ids = list(client_ids)
    wanted: dict[int, tuple[int, int]] = {}  # need id → (client id, initiative id)
    for rec in _decided(ids):
        if rec.status == RecommendationStatus.PROMOTED and rec.initiative_id is not None:
            for need_id in _need_ids(rec):
                wanted.setdefault(need_id, (rec.client_id, rec.initiative_id))
    if not wanted:
        return 0
    waiting = Need.objects.filter(
        pk__in=list(wanted), client_id__in=ids, status=NeedStatus.OPEN, initiative__isnull=True
    ).values_list("pk", "client_id")
    plan = {pk: wanted[pk][1] for pk, client_id in waiting if wanted[pk][0] == client_id}
    if not plan:
        return 0
    whens = [When(pk=pk, then=Value(initiative)) for pk, initiative in plan.items()]
    return Need.objects.filter(pk__in=list(plan)).update(
        initiative_id=Case(*whens, default=None, output_field=IntegerField()),
        status=NeedStatus.PLANNED,
    )


def group_key(need: Need) -> str:
    """The stable key of the recommendation a need belongs to (see the module docstring)."""
    if not need.theme:
        return f"needs.need.{need.pk}"
    slug = slugify(need.theme)[:SLUG_MAX] or "theme"
    return f"needs.{need.department_id or 0}.{slug}"


def generate(client_ids: list[int]) -> list[RecommendationDraft]:
    """Drafts for the clients' open needs; at most eight queries for any number of clients.

    First brings the needs up to date: planned ones follow their initiative,
    blank themes are filled (:func:`vcio.needs.themes.assign_themes`), so a
    survey's new needs join their theme's recommendation on the first run.
    """
    sync_planned_needs(client_ids)
    assign_themes(client_ids)
    decided = _decided(client_ids)
    handled = {(r.client_id, i) for r in decided for i in _need_ids(r)}
    taken = {(r.client_id, r.key) for r in decided}
    groups: dict[tuple[int, str], list[Need]] = {}
    rows = (
        Need.objects.filter(client_id__in=client_ids, status=NeedStatus.OPEN)
        .select_related("client", "department")
        .order_by("client_id", "raised_on", "id")
    )
    for need in rows:
        if (need.client_id, need.pk) in handled:
            continue
        key = group_key(need)
        groups.setdefault((need.client_id, key), []).append(need)
    drafts = []
    for (client_id, key), needs in groups.items():
        if (client_id, key) in taken:
            key = f"{key}.{needs[0].pk}"
        drafts.append(draft_for(key, needs))
    return drafts


def _title(needs: list[Need]) -> str:
    first = needs[0]
    who = first.department.name if first.department else "The business"
    if len(needs) == 1 and not first.theme:
        return f"{who}: {first.text[:200]}"
    return f"{who}: {first.theme}"


def _why(needs: list[Need]) -> str:
    first = needs[0]
    who = first.department.name if first.department else "The business (no department)"
    about = f" about “{first.theme}”" if first.theme else ""
    count = f"{len(needs)} needs" if len(needs) > 1 else "a need"
    quotes = "; ".join(f"“{n.text}”" for n in needs[:QUOTED])
    more = f" (and {len(needs) - QUOTED} more)" if len(needs) > QUOTED else ""
    return (
        f"{who} raised {count}{about}: {quotes}{more}. Costs are left at 0 for the "
        f"consultant to estimate once the work is scoped."
    )


def _evidence_row(need: Need) -> dict:
    return {
        "id": need.pk,
        "department": need.department.name if need.department else "",
        "kind": need.kind,
        "text": need.text,
        "urgency": need.get_urgency_display(),
        "raised_on": need.raised_on.isoformat(),
        "due_on": need.due_on.isoformat() if need.due_on else "",
        "url": reverse("needs:need_detail", kwargs={"client": need.client.slug, "pk": need.pk}),
    }


def draft_for(key: str, needs: list[Need]) -> RecommendationDraft:
    """One recommendation answering ``needs`` (one client, one department and theme)."""
    first = needs[0]
    dues = [n.due_on for n in needs if n.due_on]
    if len(needs) == 1:
        url = reverse("needs:need_detail", kwargs={"client": first.client.slug, "pk": first.pk})
    else:
        url = reverse("needs:need_list", kwargs={"client": first.client.slug})
        url += "?" + urlencode({"theme": first.theme, "department": first.department_id or ""})
    return RecommendationDraft(
        key=key,
        client_id=first.client_id,
        title=_title(needs)[:300],
        why=_why(needs),
        category="business needs",
        source_app=SOURCE,
        risk=URGENCY_RISK.get(max(n.urgency for n in needs), "medium"),  # type: ignore[arg-type]
        evidence_url=url,
        evidence={
            "department": first.department.name if first.department else "",
            "theme": first.theme,
            "need_ids": [n.pk for n in needs],
            "needs": [_evidence_row(n) for n in needs],
        },
        due_date=min(dues) if dues else None,
        goal_ids=tuple(sorted({n.goal_id for n in needs if n.goal_id})),
        department_id=first.department_id,
    )


def register() -> None:
    recommendation_generators.register(
        RecommendationGenerator(
            "needs.departments", "Needs raised by the client's departments", generate, app=SOURCE
        )
    )
