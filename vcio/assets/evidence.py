"""Evidence rules the assets app answers assessment items with.

Each rule judges every client given in a fixed number of queries (clients,
then one or two over all their assets), as of a day ``at`` (``None``: each
client's own today). "Devices" here are the assets in use whose kind runs
an operating system and reports to inventories: workstations, laptops,
servers and virtual machines (``OS_KINDS``). Thresholds, as shares of the
devices judged:

* ``assets.supported_os``: aligned when every device with a known OS is on a
  supported one (support ending within 12 months still counts as
  supported, as the figure counts it), partly from 90 %, else not aligned.
  Devices whose OS matches no end-of-support rule are not judged but are
  counted and listed; no device at all, or none with a known OS: no data.
* ``assets.server_warranty``: servers (physical: a virtual machine has no
  warranty) whose warranty ends on or after ``at``. A server with no warranty
  end recorded counts as not covered: the coverage cannot be shown. Aligned
  all, partly from 75 %; no server: no data.
* ``assets.inventory_fresh``: devices an agent or an import reported in the
  30 days to ``at`` (``last_seen``); one never reported counts as stale.
  Aligned from 95 %, partly from 75 %.
* ``assets.endpoint_protection``: devices with an agent inventory (it lists
  antivirus products or installed software) that report at least one
  antivirus/EDR product both enabled and up to date. A device without any
  agent inventory is not judged; when no device has one: no data. Aligned
  when all devices judged pass, partly from 90 %.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import get_urlconf, reverse

from vcio.assets.eol import load_rules
from vcio.assets.lifecycle import client_today, support_of
from vcio.assets.models import Asset, AssetKind, AssetStatus
from vcio.assets.models_software import Antivirus, InstalledSoftware
from vcio.core.evidence import grade, named, plural, rows_of, share_result, verb
from vcio.core.registry import EvidenceResult, EvidenceRow, EvidenceRule, evidence_rules

OS_KINDS = (AssetKind.WORKSTATION, AssetKind.LAPTOP, AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE)
FRESH_DAYS = 30

Results = dict[int, EvidenceResult]


# Shared helpers ------------------------------------------------------------------


def _clients(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Slug and time zone of each client: one query."""
    from vcio.core.models import Client

    rows = Client.objects.filter(pk__in=client_ids).values("id", "slug", "time_zone")
    return {row["id"]: row for row in rows}


def _days(clients: dict[int, dict[str, Any]], at: datetime.date | None) -> dict[int, datetime.date]:
    return {cid: at or client_today(c["time_zone"]) for cid, c in clients.items()}


def _zone(time_zone: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


_PK_MARK = 987654321987


def _url(slug: str, pk: int) -> str:
    """The asset's page. One ``reverse`` per client and URLconf, then the id put in: reversing
    for each of 50,000 devices took a second of the rules' time (bench/assessments.py)."""
    key = (get_urlconf() or settings.ROOT_URLCONF, slug)
    template = _URL_TEMPLATES.get(key)
    if template is None:
        path = reverse("assets:asset_detail", kwargs={"client": slug, "pk": _PK_MARK})
        template = _URL_TEMPLATES[key] = path.replace(str(_PK_MARK), "{pk}")
    return template.format(pk=pk)


_URL_TEMPLATES: dict[tuple[str, str], str] = {}


def _devices(client_ids: list[int], kinds: Iterable[str] = OS_KINDS):
    return Asset.objects.filter(
        client_id__in=client_ids, status=AssetStatus.IN_USE, kind__in=list(kinds)
    ).order_by("name", "id")


def _per_client(
    client_ids: list[int], rows: Iterable[dict[str, Any]]
) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row["client_id"]].append(row)
    return found


# Supported OS ----------------------------------------------------------------------


def supported_os(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Devices on an OS still supported on ``at``, of those whose OS is known (3 queries)."""
    clients = _clients(client_ids)
    days = _days(clients, at)
    rules = load_rules()
    fields = ("id", "client_id", "name", "os_name", "os_version")
    devices = _per_client(client_ids, _devices(list(clients)).values(*fields))
    return {
        cid: _os_result(devices.get(cid, []), rules, days.get(cid), clients.get(cid, {}))
        for cid in client_ids
    }


def _os_result(devices: list[dict[str, Any]], rules, day, client: dict[str, Any]):
    if not devices:
        return EvidenceResult("no_data", "No device in use is recorded.", counts={"total": 0})
    slug = client["slug"]
    bad, good, unknown = [], [], []
    for d in devices:
        support = support_of(rules.match(d["os_name"], d["os_version"]), day)
        os_text = f"{d['os_name']} {d['os_version']}".strip() or "no OS recorded"
        url = _url(slug, d["id"])
        if support.status == "unknown":
            unknown.append(EvidenceRow(d["name"], f"{os_text}: support unknown", url, ok=False))
        elif support.status == "unsupported":
            detail = f"{support.label}, support ended {support.end_of_support}"
            bad.append(EvidenceRow(d["name"], detail, url, ok=False))
        else:
            detail = f"{support.label}, supported until {support.end_of_support}"
            good.append(EvidenceRow(d["name"], detail, url, ok=True))
    known = len(bad) + len(good)
    counts = {"ok": len(good), "total": known, "unknown": len(unknown)}
    tail = ""
    if unknown:
        tail = f"; the OS of {plural(len(unknown), 'more device')} is unknown: {named(unknown)}"
    if not known:
        sentence = f"None of the {plural(len(unknown), 'device')} in use has a known OS: "
        return EvidenceResult("no_data", sentence + named(unknown) + ".", rows_of(unknown, []),
                              counts)  # fmt: skip
    sentence = (
        f"{len(good)} of {plural(known, 'device')} {verb(len(good), 'runs', 'run')} a supported OS"
    )
    if bad:
        sentence += f"; {len(bad)} {verb(len(bad), 'does', 'do')} not: {named(bad)}"
    status = grade(len(good), known, 1.0, 0.9)
    return EvidenceResult(status, sentence + tail + ".", rows_of(bad + unknown, good), counts)


# Server warranty -------------------------------------------------------------------


def server_warranty(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Servers in use under warranty on ``at`` (2 queries)."""
    clients = _clients(client_ids)
    days = _days(clients, at)
    fields = ("id", "client_id", "name", "warranty_end")
    servers = _per_client(client_ids, _devices(list(clients), (AssetKind.SERVER,)).values(*fields))
    result: Results = {}
    for cid in client_ids:
        found = servers.get(cid, [])
        if not found:
            result[cid] = EvidenceResult("no_data", "No server in use is recorded.",
                                         counts={"total": 0})  # fmt: skip
            continue
        result[cid] = _warranty_result(found, days[cid], clients[cid]["slug"])
    return result


def _warranty_result(servers: list[dict[str, Any]], day: datetime.date, slug: str):
    bad, good = [], []
    for s in servers:
        end, url = s["warranty_end"], _url(slug, s["id"])
        if end is None:
            bad.append(EvidenceRow(s["name"], "no warranty end recorded", url))
        elif end < day:
            bad.append(EvidenceRow(s["name"], f"warranty ended {end}", url))
        else:
            good.append(EvidenceRow(s["name"], f"warranty until {end}", url, ok=True))
    total = len(servers)
    head = f"{len(good)} of {plural(total, 'server')} {verb(len(good), 'is', 'are')} under warranty"
    return share_result(good, bad, head, ("is", "are"), 1.0, 0.75)


# Inventory freshness ---------------------------------------------------------------


def inventory_fresh(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Devices reported by an agent or an import in the 30 days to ``at`` (2 queries)."""
    clients = _clients(client_ids)
    days = _days(clients, at)
    fields = ("id", "client_id", "name", "last_seen", "source")
    devices = _per_client(client_ids, _devices(list(clients)).values(*fields))
    result: Results = {}
    for cid in client_ids:
        found = devices.get(cid, [])
        if not found:
            result[cid] = EvidenceResult("no_data", "No device in use is recorded.",
                                         counts={"total": 0})  # fmt: skip
            continue
        result[cid] = _fresh_result(found, days[cid], clients[cid])
    return result


def _fresh_result(devices: list[dict[str, Any]], day: datetime.date, client: dict[str, Any]):
    since = day - datetime.timedelta(days=FRESH_DAYS - 1)
    tz = _zone(client["time_zone"])
    bad, good = [], []
    for d in devices:
        url = _url(client["slug"], d["id"])
        seen = d["last_seen"].astimezone(tz).date() if d["last_seen"] else None
        if seen is None:
            bad.append(EvidenceRow(d["name"], "never reported by an agent or import", url))
        elif seen < since:
            bad.append(EvidenceRow(d["name"], f"last seen {seen}", url))
        else:
            good.append(EvidenceRow(d["name"], f"last seen {seen}", url, ok=True))
    total = len(devices)
    head = (
        f"{len(good)} of {plural(total, 'device')} {verb(len(good), 'was', 'were')} "
        "reported by an agent or an import "
        f"in the last {FRESH_DAYS} days"
    )
    return share_result(good, bad, head, ("was", "were"), 0.95, 0.75)


# Endpoint protection ---------------------------------------------------------------


def endpoint_protection(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Devices with an agent inventory reporting an enabled, up-to-date antivirus (3 queries).

    The antivirus state is the last inventory's (it has no history): ``at`` is
    not used.
    """
    clients = _clients(client_ids)
    has_software = Exists(InstalledSoftware.objects.filter(asset=OuterRef("pk")))
    has_av = Exists(Antivirus.objects.filter(asset=OuterRef("pk")))
    devices = _per_client(
        client_ids,
        _devices(list(clients)).filter(has_software | has_av).values("id", "client_id", "name"),
    )
    products: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Antivirus.objects.filter(
            asset__client_id__in=list(clients),
            asset__status=AssetStatus.IN_USE,
            asset__kind__in=OS_KINDS,
        )
        .order_by("name", "id")
        .values("asset_id", "name", "enabled", "up_to_date")
    ):
        products[row["asset_id"]].append(row)
    result: Results = {}
    for cid in client_ids:
        found = devices.get(cid, [])
        if not found:
            result[cid] = EvidenceResult(
                "no_data", "No agent inventory reports antivirus data yet.", counts={"total": 0}
            )
            continue
        result[cid] = _protection_result(found, products, clients[cid]["slug"])
    return result


def _av_problem(found: list[dict[str, Any]]) -> str:
    """Why none of a device's antivirus products protects it ("" when one does)."""
    if not found:
        return "no antivirus reported"
    if any(p["enabled"] and p["up_to_date"] for p in found):
        return ""
    states = []
    for p in found:
        if p["enabled"] is False:
            states.append(f"{p['name']} disabled")
        elif p["up_to_date"] is False:
            states.append(f"{p['name']} out of date")
        else:
            states.append(f"{p['name']} state not reported")
    return ", ".join(states)


def _protection_result(devices, products, slug: str) -> EvidenceResult:
    bad, good = [], []
    for d in devices:
        url = _url(slug, d["id"])
        problem = _av_problem(products.get(d["id"], []))
        if problem:
            bad.append(EvidenceRow(d["name"], problem, url))
        else:
            names = ", ".join(p["name"] for p in products[d["id"]] if p["enabled"])
            good.append(EvidenceRow(d["name"], f"{names} enabled and up to date", url, ok=True))
    total = len(devices)
    head = (
        f"{len(good)} of {plural(total, 'device')} with an agent inventory "
        f"{verb(len(good), 'has', 'have')} an enabled, "
        "up-to-date antivirus"
    )
    return share_result(good, bad, head, ("does", "do"), 1.0, 0.9)


RULES = [
    EvidenceRule(
        "assets.supported_os",
        "Devices run a supported operating system",
        supported_os,
        app="assets",
        description="Workstations, laptops, servers and virtual machines in use whose OS still "
        "gets security fixes from its vendor. Aligned when all with a known OS do, partly "
        "from 90 %.",
    ),
    EvidenceRule(
        "assets.server_warranty",
        "Servers are under warranty",
        server_warranty,
        app="assets",
        description="Physical servers in use whose warranty is still running; one with no "
        "warranty end recorded counts as not covered. Aligned when all are, partly from 75 %.",
    ),
    EvidenceRule(
        "assets.inventory_fresh",
        "The inventory is up to date",
        inventory_fresh,
        app="assets",
        description=f"Devices in use that an agent or an import reported in the last "
        f"{FRESH_DAYS} days. Aligned from 95 %, partly from 75 %.",
    ),
    EvidenceRule(
        "assets.endpoint_protection",
        "Devices run an enabled, up-to-date antivirus",
        endpoint_protection,
        app="assets",
        description="Devices whose agent inventory reports an antivirus or EDR product that is "
        "enabled and up to date; devices without an agent inventory are not judged. Aligned "
        "when all are protected, partly from 90 %.",
    ),
]


def register() -> None:
    for rule in RULES:
        evidence_rules.register(rule)
