"""Who approved an initiative: the person at the client a decision names, not the
consultant who recorded it."""

from __future__ import annotations

import datetime
import html

from django.urls import reverse

from vcio.reviews import services
from vcio.reviews.models import Decision
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date


def review_url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=["acme", *args])


def test_an_approval_decided_in_a_review_names_the_decision_maker_on_the_initiative(
    login, bob, carol, acme
):
    initiative = InitiativeFactory(client=acme, title="Replace the firewall", status="proposed")
    review = services.create_review(acme, "qbr", D(2026, 7, 1), D(2026, 9, 30), bob)
    http = login(bob)
    response = http.post(
        review_url("decision_add", review.pk),
        {"kind": "approve", "initiative": initiative.pk, "decision_maker": "Victor Okafor (CFO)"},
    )
    assert response.status_code == 302, response.content.decode()
    services.finalise(review, bob, today=D(2026, 10, 10))

    initiative.refresh_from_db()
    assert initiative.status == "approved"
    page = html.unescape(
        http.get(reverse("strategy:initiative_detail", args=["acme", initiative.pk])).text
    )
    approval = page.split('id="approval">')[1].split("</p>")[0]
    assert approval.startswith("Approved by Victor Okafor (CFO) on ")
    assert approval.endswith(", recorded by Bob.")

    api = http.get(f"/api/initiatives/{initiative.pk}/").json()
    assert api["approved_by_name"] == "Victor Okafor (CFO)" and api["approved_by"] == "bob"

    portal = html.unescape(login(carol).get("/portal/acme/roadmap/").text)
    assert "by Victor Okafor (CFO) on" in portal and "by Bob" not in portal


def test_an_approval_without_a_decision_maker_is_refused_naming_the_field(login, api, bob, acme):
    initiative = InitiativeFactory(client=acme, title="Replace the firewall", status="proposed")
    review = services.create_review(acme, "qbr", D(2026, 7, 1), D(2026, 9, 30), bob)
    response = login(bob).post(
        review_url("decision_add", review.pk),
        {"kind": "approve", "initiative": initiative.pk, "decision_maker": "  "},
    )
    assert response.status_code == 400
    assert "Name who at Acme Corp approved it" in html.unescape(response.content.decode())
    assert not Decision.objects.exists()
    api = api(bob).post(
        "/api/review-decisions/",
        {"review": review.pk, "kind": "approve", "initiative": initiative.pk},
        format="json",
    )
    assert api.status_code == 400 and "decision_maker" in api.json()
    assert not Decision.objects.exists()


def test_an_executive_approving_in_the_portal_is_the_one_named(login, carol, acme):
    initiative = InitiativeFactory(client=acme, title="Roll out MFA", status="proposed")
    http = login(carol)
    response = http.post(
        f"/portal/acme/initiatives/{initiative.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.approved_by == carol
    expected = carol.get_full_name() or carol.username
    assert initiative.approved_by_name == expected
    page = html.unescape(
        http.get(reverse("strategy:initiative_detail", args=["acme", initiative.pk])).text
    )
    approval = page.split('id="approval">')[1].split("</p>")[0]
    assert approval.startswith(f"Approved by {expected} on ") and "recorded by" not in approval
