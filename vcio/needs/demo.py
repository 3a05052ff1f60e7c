"""Demo surveys: two rounds a quarter apart per demo client, their needs, one planned.

Each demo client's department heads answered the shipped department survey
twice (about 120 and 30 days ago): satisfaction rises in one department
(its pains were fixed) and falls in another (new pains), services are rated,
and pains, requests and upcoming changes become needs through
:mod:`vcio.needs.intake`, some serving the client's goals. Themes are filled,
recommendations generated, and the most urgent goal-linked one promoted to
an initiative, so its needs are PLANNED. A third round was sent two days ago:
one invitation is still open. Idempotent: a client with demo rounds is left alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vcio.core.models import Client, Contact, Department
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.needs import tokens
from vcio.needs.intake import needs_from_invitation
from vcio.needs.models import Answer, Invitation, Need, SurveyRound
from vcio.needs.questionnaires import publish, shipped_version
from vcio.needs.recommendations import sync_planned_needs
from vcio.needs.themes import assign_themes
from vcio.strategy.models import BusinessGoal, Recommendation, RecommendationStatus

ROUND_DAYS_AGO = (120, 30)
NEXT_ROUND_DAYS_AGO = 2
FALLBACK_SERVICES = ("Email and calendar", "File sharing", "Line-of-business application")
RISK_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}

# Per client: (department rising, department falling) and each department's answers per
# round: key → text, or ("change", change kind, text, days after the round opened), and an
# optional goal (title prefix) the need serves, as (text, goal prefix).
TREND: dict[str, tuple[str, str]] = {
    "acme": ("Production", "Sales"),
    "globex": ("Front desk", "Billing"),
    "initech": ("Partners", "Paralegals"),
}

ANSWERS: dict[str, dict[str, list[list[tuple]]]] = {
    "acme": {
        "Production": [
            [
                (
                    "pains",
                    "MES terminals on line 2 freeze several times a shift",
                    "Reduce unplanned",
                ),
                (
                    "requests",
                    "Spare MES terminal kept on the floor for quick swaps",
                    "Reduce unplanned",
                ),
                (
                    "changes",
                    "new_site",
                    "Toledo line starts on the shared ERP",
                    200,
                    "Support a second",
                ),
            ],
            [
                (
                    "pains",
                    "Wi-Fi in the warehouse still drops near the loading bay",
                    "Reduce unplanned",
                )
            ],
        ],
        "Sales": [
            [("requests", "Quotes straight from the CRM to the ERP", "")],
            [
                (
                    "pains",
                    "The CRM is slow when building quotes; reps retype orders in the ERP",
                    "",
                ),
                ("pains", "Quotes take a day because the CRM and the ERP do not talk", ""),
                ("changes", "hiring", "Three new sales reps need laptops and CRM seats", 45, ""),
            ],
        ],
        "Finance": [
            [("pains", "Month-end close waits on manual ERP exports", "Keep IT spend")],
            [("requests", "A dashboard of IT spend against budget every month", "Keep IT spend")],
        ],
        "Operations": [
            [("requests", "Shared calendar for the Dayton and Toledo shift planning", "")],
            [
                (
                    "changes",
                    "new_software",
                    "New shipping software replaces the carrier websites",
                    120,
                    "",
                )
            ],
        ],
        "IT": [
            [("pains", "Too many local admin accounts on plant PCs", "Pass the cyber")],
            [
                (
                    "requests",
                    "MFA for the remaining ERP accounts before the insurance renewal",
                    "Pass the cyber",
                )
            ],
        ],
    },
    "globex": {
        "Front desk": [
            [
                (
                    "pains",
                    "Check-in PCs take five minutes to boot; patients wait",
                    "Replace ageing",
                ),
                ("pains", "Label printers jam at check-in", ""),
            ],
            [("requests", "A second monitor at each check-in desk", "")],
        ],
        "Billing": [
            [("requests", "Eligibility checks inside the EHR", "Cut claim denials")],
            [
                (
                    "pains",
                    "Claims export from the EHR fails overnight and we re-key claims",
                    "Cut claim denials",
                ),
                ("pains", "The billing software logs us out every ten minutes", ""),
            ],
        ],
        "Clinical": [
            [("pains", "The EHR is slow on the exam-room tablets", "")],
            [("changes", "new_site", "A fourth clinic opens in the spring", 150, "Reduce HIPAA")],
        ],
        "Administration": [
            [("requests", "Security awareness training for new hires", "Reduce HIPAA")],
            [
                (
                    "pains",
                    "The patient portal was down twice during clinic hours",
                    "Keep the patient portal",
                )
            ],
        ],
    },
    "initech": {
        "Partners": [
            [("pains", "The VPN drops in court and at clients' offices", "Secure remote work")],
            [("requests", "Signing documents electronically from a phone", "")],
        ],
        "Paralegals": [
            [("requests", "Templates in the document management system", "")],
            [
                ("pains", "Document search misses files saved last week", ""),
                ("changes", "hiring", "Two trainee paralegals join in September", 60, ""),
            ],
        ],
        "Office": [
            [("pains", "The office printer needs a restart every morning", "")],
            [("requests", "A booking screen for the meeting rooms", "")],
        ],
    },
}


def ratings(client_slug: str, dept: str, n_round: int) -> int:
    """The department head's overall rating in round ``n_round`` (0, 1)."""
    rising, falling = TREND.get(client_slug, ("", ""))
    if dept == rising:
        return (2, 4)[n_round]
    if dept == falling:
        return (4, 2)[n_round]
    return (3, 4)[n_round] if len(dept) % 2 else (4, 4)[n_round]


def service_names(client: Client) -> list[tuple[Any, str]]:
    """Up to three of the client's business services (row, name), or generic names."""
    try:
        from vcio.availability.models import BusinessService

        rows = list(BusinessService.objects.filter(client=client).order_by("name")[:3])
    except LookupError:  # pragma: no cover - the availability app is always installed
        rows = []
    if rows:
        return [(s, s.name) for s in rows]
    return [(None, name) for name in FALLBACK_SERVICES]


def _head(client: Client, dept: Department) -> tuple[str, str]:
    contact = Contact.objects.filter(client=client, department=dept).order_by("id").first()
    if contact and contact.email:
        return f"{contact.first_name} {contact.last_name}".strip(), contact.email
    domain = (client.website or "https://example.test").split("//")[-1].strip("/")
    return f"{dept.name} head", f"{dept.name.lower().replace(' ', '.')}@{domain}"


def invite(round_: SurveyRound, dept: Department, sent: datetime.datetime) -> Invitation:
    """An invitation with a fresh key (the demo never shows it: resending makes a new one)."""
    name, email = _head(round_.client, dept)
    _, digest, prefix = tokens.new_key()
    return Invitation.objects.create(
        client=round_.client, round=round_, department=dept, name=name, email=email,
        token_hash=digest, token_prefix=prefix, sent_at=sent,
        expires_at=sent + datetime.timedelta(days=21),
    )  # fmt: skip


def answer_round(round_: SurveyRound, n_round: int, depts: list[Department]) -> list[Need]:
    """Every department answers: a rating, services, and its scripted texts; returns needs."""
    questions = {q.key: q for q in round_.version.questions.all()}
    services = service_names(round_.client)
    opened = timezone.make_aware(datetime.datetime.combine(round_.opened_on, datetime.time(9)))
    needs: list[Need] = []
    goal_of: dict[str, str] = {}
    for i, dept in enumerate(depts):
        invitation = invite(round_, dept, opened)
        overall = ratings(round_.client.slug, dept.name, n_round)
        rows = [Answer(client=round_.client, invitation=invitation,
                       question=questions["overall"], rating=overall)]  # fmt: skip
        for j, (service, name) in enumerate(services):
            rows.append(Answer(client=round_.client, invitation=invitation,
                               question=questions["services"], service=service,
                               service_name=name,
                               rating=max(1, min(5, overall + (j + i) % 3 - 1))))  # fmt: skip
        scripted = ANSWERS.get(round_.client.slug, {}).get(dept.name, [[], []])[n_round]
        for item in scripted:
            key, *rest = item
            if key == "changes":
                kind, text, days, goal = rest
                due = round_.opened_on + datetime.timedelta(days=days)
                rows.append(Answer(client=round_.client, invitation=invitation,
                                   question=questions["changes"], text=text, change_kind=kind,
                                   due_on=due))  # fmt: skip
            else:
                text, goal = rest
                rows.append(Answer(client=round_.client, invitation=invitation,
                                   question=questions[key], text=text))  # fmt: skip
            goal_of[text] = goal
        Answer.objects.bulk_create(rows)
        invitation.opened_at = opened + datetime.timedelta(days=1 + i % 3)
        invitation.submitted_at = invitation.opened_at + datetime.timedelta(minutes=7)
        invitation.save(update_fields=["opened_at", "submitted_at"])
        needs += needs_from_invitation(invitation)
    link_goals(round_.client, needs, goal_of)
    return needs


def link_goals(client: Client, needs: list[Need], goal_of: dict[str, str]) -> None:
    goals = list(BusinessGoal.objects.filter(client=client))
    for need in needs:
        prefix = next((g for t, g in goal_of.items() if t and t in need.text), "")
        goal = next((g for g in goals if prefix and g.title.startswith(prefix)), None)
        if goal is not None:
            need.goal = goal
            need.save(update_fields=["goal"])


def plan_one(client: Client, user: Any) -> str:
    """Promote the most urgent goal-linked needs recommendation; its needs become PLANNED."""
    from vcio.strategy.recommend import promote, sync_recommendations

    sync_recommendations([client.pk])
    recs = [
        r
        for r in Recommendation.objects.filter(
            client=client, source_app="needs", status=RecommendationStatus.OPEN
        )
        if r.goal_ids
    ]
    if not recs:
        return "nothing to promote"
    rec = min(recs, key=lambda r: (RISK_ORDER.get(r.risk, 9), r.key))
    initiative = promote(rec, user)
    planned = sync_planned_needs([client.pk])
    sync_recommendations([client.pk])
    return f"“{initiative.title}” plans {planned} need{'s' if planned != 1 else ''}"


def load_client(client: Client, user: Any, today: datetime.date) -> str:
    if SurveyRound.objects.filter(client=client, title__startswith="Department survey").exists():
        return "already loaded"
    version = publish(shipped_version())
    depts = list(Department.objects.filter(client=client).order_by("name"))
    made = 0
    for n_round, days in enumerate(ROUND_DAYS_AGO):
        opened = today - datetime.timedelta(days=days)
        round_ = SurveyRound.objects.create(
            client=client, version=version, title=f"Department survey {opened:%B %Y}",
            opened_on=opened, closes_on=opened + datetime.timedelta(days=21), created_by=user,
        )  # fmt: skip
        made += len(answer_round(round_, n_round, depts))
    assign_themes([client.pk])
    planned = plan_one(client, user)
    opened = today - datetime.timedelta(days=NEXT_ROUND_DAYS_AGO)
    next_round = SurveyRound.objects.create(
        client=client, version=version, title=f"Department survey {opened:%B %Y} (next)",
        opened_on=opened, closes_on=opened + datetime.timedelta(days=21), created_by=user,
    )  # fmt: skip
    if depts:
        invite(next_round, depts[0], timezone.now() - datetime.timedelta(days=NEXT_ROUND_DAYS_AGO))
    return f"2 survey rounds, {len(depts)} departments, {made} needs; {planned}; 1 open invitation"


def load_needs(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    users = ctx.get("users") or {}
    user = users.get("alice") or get_user_model().objects.filter(username="alice").first()
    today = timezone.localdate()
    for client in Client.objects.filter(slug__in=list(ANSWERS)).order_by("name"):
        with transaction.atomic():
            log(f"{client.name}: {load_client(client, user, today)}")


def register() -> None:
    # After assessments (50: goals, initiatives and their recommendations exist), before
    # reviews (60: their snapshots read the satisfaction and the needs).
    demo_loaders.register(DemoLoader("needs", load_needs, order=55))
