"""The licence import target: software licences and SaaS subscriptions, upserted.

A row finds the licence it updates by (source, external id) when it has
both, else by (vendor, product, licence key), compared in any case.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from vcio.assets.importing import parsers as p
from vcio.assets.models import Licence
from vcio.core.importer.base import Counts, Field, ParsedRow, Problem
from vcio.core.importer.targets import (
    Departments,
    DuplicateCheck,
    Upsert,
    batched,
    casefold,
    labels_of,
    source_name,
)
from vcio.core.importer.values import parse_date


def _text(name: str) -> Any:
    return p.text(Licence._meta.get_field(name).max_length)


TEMPLATE_FIELDS = [
    Field("product", "Product", _text("product"), required=True,
          aliases=("Product name", "Item name", "Software", "Licence",
                   "License", "Licence name", "License name", "Subscription", "Service",
                   "Application", "Name")),
    Field("vendor", "Vendor", _text("vendor"),
          aliases=("Manufacturer", "Publisher", "Provider", "Developer")),
    Field("kind", "Kind", p.licence_kind, help="Licence or subscription.",
          aliases=("Type", "Licence type", "License type")),
    Field("seats_owned", "Seats owned", p.count,
          aliases=("Seats", "Total seats", "Licences", "Licenses", "Quantity", "Qty",
                   "Seat count", "Licensed seats", "Purchased seats")),
    Field("seats_used", "Seats used", p.count,
          aliases=("Used seats", "Assigned seats", "Seats assigned", "Seats in use", "In use",
                   "Active users", "Used")),
    Field("unit_cost", "Unit cost", p.cost, help="Per seat and billing period.",
          aliases=("Cost per seat", "Price per seat", "Seat price", "Unit price", "Per seat cost",
                   "Cost", "Price", "Purchase cost")),
    Field("billing_period", "Billing period", p.billing_period,
          help="Monthly, annual or perpetual.",
          aliases=("Billing", "Billing cycle", "Billing frequency", "Term", "Period", "Frequency",
                   "Payment frequency")),
    Field("renewal_date", "Renewal date", parse_date,
          aliases=("Renewal", "Renews", "Expiration date", "Expires", "Expiry", "Expiry date",
                   "End date", "Termination date", "Valid until")),
    Field("department", "Department", p.text(120), help="Matched by name among the client's.",
          aliases=("Dept", "Department name", "Business unit")),
    Field("license_key", "Licence key", _text("license_key"),
          aliases=("License key", "Product key", "Key",
                   "Serial", "Serial number")),
    Field("notes", "Notes", p.text(),
          aliases=("Note", "Comments", "Comment", "Description")),
    Field("source", "Source", _text("source"), aliases=("Source system", "Origin")),
    Field("external_id", "External ID", _text("external_id"),
          aliases=("ID", "Licence ID", "License ID", "Record ID")),
]  # fmt: skip

EXTRA_FIELDS = [
    Field(
        "total_cost",
        "Total cost",
        p.cost,
        help="For all seats and one billing period; divided by the seats owned.",
        aliases=("Total price", "Total", "Amount", "Contract value"),
    ),
]

DIRECT = tuple(f.name for f in TEMPLATE_FIELDS if f.name not in ("source", "external_id"))


def prepare(values: dict[str, Any], source: str) -> dict[str, Any]:
    """A parsed row → model field values to write (empty values left out).

    A total cost becomes a unit cost when no unit cost is given, divided by
    the seats owned (one seat when the row does not say).
    """
    data = {name: values[name] for name in DIRECT if values.get(name) is not None}
    total = values.get("total_cost")
    if total is not None and "unit_cost" not in data:
        seats = data.get("seats_owned") or 1
        data["unit_cost"] = (total / seats).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    data["source"] = values.get("source") or source or ""
    if values.get("external_id"):
        data["external_id"] = values["external_id"]
    return data


def keys(data: dict[str, Any]) -> list[tuple[str, Any]]:
    found = []
    if data.get("external_id") and data.get("source"):
        found.append(("external_id", (data["source"], data["external_id"])))
    if data.get("product"):
        natural = (data.get("vendor", ""), data["product"], data.get("license_key", ""))
        found.append(("product", tuple(casefold(x) for x in natural)))
    return found


class LicenceTarget:
    """Imports software licences and SaaS subscriptions: the client's recurring IT costs."""

    key = "licences"
    label = "Licences and subscriptions"
    fields = TEMPLATE_FIELDS + EXTRA_FIELDS
    labels = labels_of(fields)

    def template_headers(self) -> list[str]:
        return [f.label for f in TEMPLATE_FIELDS]

    def check_rows(self, client, rows: Iterable[ParsedRow]) -> list[Problem]:
        """Rows without a product, and keys used twice in the file."""
        dup = DuplicateCheck(self.labels)
        problems = []
        for row in rows:
            data = prepare(row.values, "(this import)")  # as in AssetTarget.check_rows
            if "product" not in data:
                problems.append(Problem("a licence needs a product", row=row.number,
                                        column=row.columns.get("product", "Product")))  # fmt: skip
            for field, key in keys(data):
                if field == "external_id":
                    dup.see(row, key, field, "external id", key[1])
                else:
                    shown = " / ".join(x for x in (data.get("vendor"), data["product"],
                                                   data.get("license_key")) if x)  # fmt: skip
                    dup.see(row, key, "product", "licence", shown)
        return problems + dup.problems

    def apply(
        self, client, rows: Iterable[ParsedRow], *, source: str, dry_run: bool = False
    ) -> Counts:
        """Create new licences and update changed ones, a batch of rows at a time.

        Existing licences are indexed by key as ids; each batch loads the
        ones it matches with one query.
        """
        source = source_name(source)
        by_key: dict[Any, int] = {}
        fields = ("id", "source", "external_id", "vendor", "product", "license_key")
        for values in Licence.objects.filter(client=client).order_by("id").values(*fields):
            for key in keys(values):
                by_key.setdefault(key, values["id"])
        departments = Departments(client)
        upsert = Upsert(Licence, client, timezone.now(), write=not dry_run)
        for batch in batched(rows):
            found = []
            for row in batch:
                data = prepare(row.values, source)
                found.append((data, next((by_key[k] for k in keys(data) if k in by_key), None)))
            licences = Licence.objects.filter(client=client).in_bulk([pk for _, pk in found if pk])
            for data, pk in found:
                if pk is None:
                    departments.resolve(data, "")
                    data.setdefault("vendor", "")
                    upsert.create(data)
                else:
                    departments.resolve(data, licences[pk].notes)
                    upsert.update(licences[pk], data)
            upsert.flush()
        return upsert.finish()
