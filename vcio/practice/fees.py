"""What each client pays: the fee on a day, fee changes, monthly recurring revenue.

The fee on a day is the latest :class:`FeeChange` that started on or before it.
A client with no change recorded pays ``Client.monthly_fee`` from its contract
start (always, without one); a client with changes pays nothing before the first.
Money is per currency: totals are never summed across currencies.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from vcio.core import audit
from vcio.core.fiscal import add_months
from vcio.core.models import Client
from vcio.practice.models import FeeChange

ZERO = Decimal("0")
# Stands for "since always" when a client without history and without contract start
# gets its first change: its old fee is kept as the fee before the change.
SINCE_ALWAYS = datetime.date(1970, 1, 1)


class FeeBook:
    """Clients' fee histories loaded once (two queries), asked for any day."""

    def __init__(self, client_ids: Iterable[int], until: datetime.date | None = None) -> None:
        ids = list(client_ids)
        self.clients = {
            c.pk: c
            for c in Client.objects.filter(pk__in=ids)
            .order_by()
            .only("pk", "name", "slug", "monthly_fee", "contract_start", "currency")
        }
        changes = FeeChange.objects.filter(client_id__in=ids).order_by("starts_on", "pk")
        if until is not None:
            changes = changes.filter(starts_on__lte=until)
        self.history: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for cid, starts_on, fee in changes.values_list("client_id", "starts_on", "monthly_fee"):
            self.history[cid].append((starts_on, fee))

    def fee_on(self, client_id: int, day: datetime.date) -> Decimal:
        """The monthly fee in force on ``day`` (0 before the contract or the first change)."""
        changes = self.history.get(client_id)
        if changes:
            fee = ZERO
            for starts_on, amount in changes:
                if starts_on > day:
                    break
                fee = amount
            return fee
        client = self.clients.get(client_id)
        if client is None:
            return ZERO
        if client.contract_start is not None and client.contract_start > day:
            return ZERO
        return client.monthly_fee or ZERO

    def currency(self, client_id: int) -> str:
        return self.clients[client_id].currency


def fee_at(client_ids: Iterable[int], day: datetime.date) -> dict[int, Decimal]:
    """Each client's monthly fee in force on ``day`` (in its own currency), in two queries."""
    ids = list(client_ids)
    book = FeeBook(ids, until=day)
    return {cid: book.fee_on(cid, day) for cid in ids if cid in book.clients}


def month_day(month: datetime.date, today: datetime.date) -> datetime.date:
    """The day a month's fee is read on: its last day, today for the current month."""
    last = add_months(month, 1) - datetime.timedelta(days=1)
    return today if month <= today <= last else last


def months_from(first_month: datetime.date, months: int) -> list[datetime.date]:
    first = first_month.replace(day=1)
    return [add_months(first, i) for i in range(months)]


def mrr_by_month(
    client_ids: Iterable[int], first_month: datetime.date, months: int
) -> list[tuple[datetime.date, dict[str, Decimal]]]:
    """Monthly recurring revenue per month and currency: ``[(month, {currency: total})]``.

    Each month counts the fee in force on its last day (today, for the current
    month). Two queries whatever the number of clients and months.
    """
    ids = list(client_ids)
    book = FeeBook(ids)
    today = timezone.localdate()
    rows = []
    for month in months_from(first_month, months):
        day = month_day(month, today)
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for cid in book.clients:
            fee = book.fee_on(cid, day)
            if fee:
                totals[book.currency(cid)] += fee
        rows.append((month, dict(sorted(totals.items()))))
    return rows


def history(client_ids: Iterable[int]) -> dict[int, list[FeeChange]]:
    """Each client's fee changes, oldest first, in one query."""
    found: dict[int, list[FeeChange]] = defaultdict(list)
    for change in FeeChange.objects.filter(client_id__in=list(client_ids)).select_related(
        "created_by"
    ):
        found[change.client_id].append(change)
    return found


@transaction.atomic
def record_fee_change(
    client: Client, monthly_fee: Decimal, starts_on: datetime.date, note: str, user
) -> FeeChange:
    """Record (or correct, same day) a change of the client's fee from ``starts_on``.

    A client's first change keeps its old fee as the fee before it (from its
    contract start, or since always). Once the change has started,
    ``Client.monthly_fee`` is set to the fee in force today, so every other page
    shows the current fee.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not FeeChange.objects.filter(client=client).exists():
        seed_day = client.contract_start or SINCE_ALWAYS
        if client.monthly_fee and seed_day < starts_on:
            FeeChange.objects.create(
                client=client,
                monthly_fee=client.monthly_fee,
                starts_on=seed_day,
                note="Fee before the first recorded change",
                created_by=user,
            )
    change, created = FeeChange.objects.update_or_create(
        client=client,
        starts_on=starts_on,
        defaults={"monthly_fee": monthly_fee, "note": note, "created_by": user},
    )
    change.full_clean()
    if created:
        audit.record_create(user, change)
    sync_client_fee(client)
    return change


def sync_client_fee(client: Client) -> None:
    """Set ``Client.monthly_fee`` to the fee in force today, when it has changes."""
    today = timezone.localdate()
    if not FeeChange.objects.filter(client=client, starts_on__lte=today).exists():
        return
    current = fee_at([client.pk], today)[client.pk]
    if client.monthly_fee != current:
        Client.objects.filter(pk=client.pk).update(monthly_fee=current)
        client.monthly_fee = current
