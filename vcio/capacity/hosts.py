"""Which asset a reporting host is: matched by serial, then hostname; else a discovered asset.

Exporters and agents name a machine by its hostname (short or fully
qualified, any case) and sometimes its serial number. A host nobody
registered becomes an asset with status "discovered", which a person
confirms (sets a status) or merges into the asset it really is.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from vcio.assets.models import Asset, AssetKind, AssetStatus

# Serials that firmware reports when the real one is unknown; they match nothing.
PLACEHOLDER_SERIALS = frozenset(
    {
        "",
        "0",
        "none",
        "default string",
        "to be filled by o.e.m.",
        "system serial number",
        "not specified",
        "0123456789",
    }
)


def short_name(hostname: str) -> str:
    """The host part of a name: ``fs01.acme.local`` → ``fs01`` (lower case)."""
    name = hostname.strip().lower().rstrip(".")
    return name.split(".", 1)[0] if name and not _is_ip(name) else name


def _is_ip(name: str) -> bool:
    return name.replace(".", "").isdigit() or ":" in name


def usable_serial(serial: str) -> str:
    """``serial`` stripped, or "" when it is a firmware placeholder."""
    serial = (serial or "").strip()
    return "" if serial.lower() in PLACEHOLDER_SERIALS else serial


def find_asset(client_id: int, hostname: str = "", serial: str = "") -> Asset | None:
    """The client's asset with this serial, else this hostname (short or FQDN, any case)."""
    serial = usable_serial(serial)
    if serial:
        found = Asset.objects.filter(client_id=client_id, serial__iexact=serial).first()
        if found is not None:
            return found
    short = short_name(hostname)
    if not short:
        return None
    candidates = Asset.objects.filter(client_id=client_id).filter(
        Q(name__iexact=short) | Q(name__istartswith=short + ".")
    )
    # Prefer an exact short-name match over an FQDN, and a confirmed asset over a discovered one.
    ranked = sorted(
        candidates[:20],
        key=lambda a: (short_name(a.name) != short, a.status == AssetStatus.DISCOVERED, a.pk),
    )
    return next((a for a in ranked if short_name(a.name) == short), None)


def match_or_discover(
    client_id: int, hostname: str, serial: str = "", kind: str = AssetKind.SERVER
) -> Asset:
    """The asset a reporting host is; a new "discovered" asset when none matches."""
    found = find_asset(client_id, hostname, serial)
    if found is not None:
        return found
    now = timezone.now()
    name = hostname.strip().rstrip(".") or usable_serial(serial) or "unknown host"
    try:
        with transaction.atomic():
            return Asset.objects.create(
                client_id=client_id,
                name=name[:200],
                serial=usable_serial(serial)[:100],
                kind=kind,
                status=AssetStatus.DISCOVERED,
                source="agent",
                first_seen=now,
                last_seen=now,
            )
    except IntegrityError:  # pragma: no cover - another worker created it first
        return find_asset(client_id, hostname, serial) or Asset.objects.get(
            client_id=client_id, name=name[:200]
        )
