"""A replacement recommendation's evidence is the devices in question, and the
initiative made from it starts in the quarter it names, without internal keys."""

from __future__ import annotations

import datetime
import html
import re

from django.urls import reverse
from django.utils import timezone

from vcio.assets.tests.factories import AssetFactory
from vcio.core.fiscal import quarter_of
from vcio.strategy.models import Initiative, Recommendation
from vcio.strategy.recommend import sync_recommendations

DAY = datetime.timedelta(days=1)


def names_listed(page: str) -> set[str]:
    return set(re.findall(r">(LT-[A-Z0-9-]+)<", page))


def test_see_the_evidence_lists_the_devices_due_that_quarter_and_the_initiative_starts_there(
    login, api, bob, acme
):
    today = timezone.localdate()
    month = acme.fiscal_year_start_month
    now, following = quarter_of(today, month), quarter_of(today, month).shift(1)
    later = following.shift(2)

    def laptop(name: str, eol: datetime.date, **fields) -> None:
        # Bought last year, no OS: only the vendor's end of life makes it due.
        AssetFactory(
            client=acme,
            name=name,
            eol_date=eol,
            purchase_date=today - 365 * DAY,
            os_name="",
            os_version="",
            warranty_end=None,
            **fields,
        )

    laptop("LT-NEXT-1", following.start + 10 * DAY)
    laptop("LT-NEXT-2", following.end)
    laptop("LT-OVERDUE", today - 30 * DAY)  # overdue: the current quarter's
    laptop("LT-LATER", later.start)
    laptop("LT-RETIRED", following.start, status="retired")
    sync_recommendations([acme.pk])

    label = following.label.replace(" ", "-")
    rec = Recommendation.objects.get(client=acme, evidence__quarter=following.label)
    assert rec.evidence_url == f"/clients/acme/assets/?replace={label}"
    http = login(bob)
    recs = html.unescape(http.get("/clients/acme/recommendations/").content.decode())
    assert f'href="/clients/acme/assets/?replace={label}">See the evidence' in recs

    listed = http.get(rec.evidence_url).content.decode()
    assert names_listed(listed) == {"LT-NEXT-1", "LT-NEXT-2"}
    current = http.get(f"/clients/acme/assets/?replace={now.label}").content.decode()
    assert names_listed(current) == {"LT-OVERDUE"}
    rows = api(bob).get(f"/api/assets/?replace={label}").json()["results"]
    assert {r["name"] for r in rows} == {"LT-NEXT-1", "LT-NEXT-2"}
    bad = api(bob).get("/api/assets/?replace=next-year")
    assert bad.status_code == 400 and "replace" in bad.json()

    response = http.post(f"/clients/acme/recommendations/{rec.pk}/promote/", follow=True)
    assert response.status_code == 200
    initiative = Initiative.objects.get(client=acme)
    assert initiative.start_quarter == following.start and initiative.status == "proposed"
    page = html.unescape(response.content.decode())
    evidence = page.split('id="evidence-h"')[1].split("</section>")[0]
    assert f'href="/clients/acme/assets/?replace={label}">See the evidence' in evidence
    assert "assets.replace" not in page and "Recommendation key" not in evidence
    assert "Asset (records)" not in evidence and f"<dd>{following.label}</dd>" in evidence

    board = http.get(reverse("strategy:roadmap", args=["acme"])).content.decode()
    columns = dict(re.findall(r'data-quarter="([^"]+)"(.*?)</section>', board, re.S))
    assert initiative.title in columns[following.label]
    assert initiative.title not in columns["unscheduled"]
