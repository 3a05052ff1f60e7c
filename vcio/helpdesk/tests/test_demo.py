"""The help-desk demo: a year of untidy tickets telling three stories, loaded once.

The stories are checked by counting rows directly (asset kinds, dates,
departments, subjects), not through the demo's own bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from vcio.assets.demo import load_assets
from vcio.assets.models import AssetKind
from vcio.core.demo import load_core
from vcio.core.models import Client
from vcio.helpdesk import demo
from vcio.helpdesk.models import SlaTarget, Status, Ticket, Topic, TopicKind

pytestmark = pytest.mark.django_db
PASSWORD_SUBJECT = re.compile(r"password|locked", re.I)


def quiet(msg: str) -> None:
    pass


@pytest.fixture
def loaded():
    load_core({}, quiet)
    load_assets({}, quiet)
    demo.load_helpdesk({}, quiet)


def test_the_demo_tells_its_stories_and_loads_once(loaded):
    # One test: loading the inventory demo takes most of its time.
    now = timezone.now()
    for client in Client.objects.filter(slug__in=["acme", "globex", "initech"]):
        tickets = Ticket.objects.filter(client=client)
        total = tickets.count()
        per_employee_month = total / client.employee_count / 12
        assert 0.8 <= per_employee_month <= 1.5, (client.slug, per_employee_month)
        oldest = tickets.order_by("opened_at").first().opened_at
        assert now - dt.timedelta(days=366) <= oldest < now - dt.timedelta(days=350)
        assert tickets.filter(opened_at__gt=now).count() == 0

        # 1. Printer tickets name old printers and rise ~80 % in the last 13 weeks.
        printers = tickets.filter(asset__kind=AssetKind.PRINTER)
        recent = printers.filter(opened_at__gte=now - dt.timedelta(days=91)).count()
        before = printers.filter(
            opened_at__gte=now - dt.timedelta(days=182), opened_at__lt=now - dt.timedelta(days=91)
        ).count()
        assert 1.6 <= recent / before <= 2.0, (client.slug, recent, before)
        for t in printers.select_related("asset")[:50]:
            text = (t.subject + t.body).lower()  # some people type in lower case
            assert t.asset.name.lower() in text or t.asset.asset_tag.lower() in text
        cutoff = now.date() - dt.timedelta(days=round(6 * 365.25))
        if client.slug == "acme":  # Acme has printers over six years old: only those.
            assert not printers.filter(asset__purchase_date__gte=cutoff).exists()

        # 2. One department sends about a fifth of all tickets as password resets.
        resets = Counter(
            t.department.name if t.department else ""
            for t in tickets.select_related("department")
            if PASSWORD_SUBJECT.search(t.subject)
        )
        (dept, count), *others = resets.most_common()
        assert dept == demo.STORIES[client.slug][0]
        assert 0.17 <= count / total <= 0.24, (client.slug, count, total)
        assert all(c < count / 4 for _, c in others)

        # 3. One server: >= 3 tickets within 30 days, at least three separate times.
        by_asset = (
            tickets.filter(asset__kind__in=[AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE])
            .values("asset")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
        server_id = by_asset[0]["asset"]
        days = sorted(tickets.filter(asset_id=server_id).values_list("opened_at", flat=True))
        bursts, i = 0, 0
        while i < len(days):
            window = [d for d in days[i:] if d - days[i] <= dt.timedelta(days=30)]
            if len(window) >= 3:
                bursts += 1
                i += len(window)
            else:
                i += 1
        assert bursts >= 3, client.slug

        # Untidy like real exports: greetings, phone signatures, HTML left in, vague categories.
        bodies = list(tickets.values_list("body", flat=True))
        assert sum("Sent from my" in b for b in bodies) > total * 0.03
        assert any(b.startswith("<div") for b in bodies)
        assert tickets.filter(source_category__in=["General", "Other", ""]).count() > total / 3
        # Recent tickets still open, older ones done; some reopened, some rated.
        assert tickets.filter(status__in=[Status.NEW, Status.OPEN, Status.PENDING]).exists()
        old = tickets.filter(opened_at__lt=now - dt.timedelta(days=60))
        assert old.filter(status__in=[Status.RESOLVED, Status.CLOSED]).count() > old.count() * 0.9
        assert tickets.filter(reopen_count__gt=0).exists()
        assert tickets.filter(satisfaction__isnull=False).exists()
        # Every ticket has a topic: learned (some wait for review) or discovered from the text.
        assert not tickets.filter(topic=None).exists()
        if client.slug in demo.DISCOVERED:
            assert not tickets.exclude(topic__kind=TopicKind.DISCOVERED).exists()
            assert Topic.objects.filter(client=client, kind=TopicKind.DISCOVERED).count() >= 4
        else:
            assert tickets.filter(topic_needs_review=True).exists()
        assert SlaTarget.objects.filter(client=client).count() == 4

    before = (Ticket.objects.count(), Topic.objects.count(), SlaTarget.objects.count())
    demo.load_helpdesk({}, quiet)
    assert (Ticket.objects.count(), Topic.objects.count(), SlaTarget.objects.count()) == before
