"""Which asset a reporting host is: matched by serial, then hostname; else a discovered asset.

Exporters and agents name a machine by its hostname (short or fully
qualified, any case) and sometimes its serial number. A host nobody
registered becomes an asset with status "discovered", which a person
confirms (sets a status) or merges into the asset it really is.
"""

from __future__ import annotations

from django.db import transaction
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


class AssetIndex:
    """A client's assets by serial and by short host name, loaded in one query.

    Matching a batch of hosts against it costs one query, not one per host:
    a pushed batch of 200 machines used to spend more time finding them
    than storing their samples.
    """

    def __init__(self, client_id: int) -> None:
        self.client_id = client_id
        self.by_serial: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[bool, bool, int]]] = {}
        rows = Asset.objects.filter(client_id=client_id).values_list(
            "pk", "name", "serial", "status"
        )
        for pk, name, serial, status in rows:
            self._add(pk, name, serial, status)

    def _add(self, pk: int, name: str, serial: str, status: str) -> None:
        if usable_serial(serial):
            self.by_serial.setdefault(serial.strip().lower(), pk)
        short = short_name(name)
        if short:
            # Prefer an exact short name over an FQDN, a confirmed asset over a discovered one.
            rank = (name.strip().lower().rstrip(".") != short, status == AssetStatus.DISCOVERED, pk)
            self.by_name.setdefault(short, []).append(rank)
            self.by_name[short].sort()

    def find(self, hostname: str = "", serial: str = "") -> int | None:
        """The id of the asset with this serial, else this host name (short or FQDN, any case)."""
        serial = usable_serial(serial)
        if serial and serial.lower() in self.by_serial:
            return self.by_serial[serial.lower()]
        ranked = self.by_name.get(short_name(hostname))
        return ranked[0][2] if ranked else None

    def find_or_discover(
        self, hostname: str, serial: str = "", kind: str = AssetKind.SERVER
    ) -> int:
        """The id of the matching asset; a new "discovered" asset when none matches."""
        found = self.find(hostname, serial)
        if found is None:
            asset = _discover(self.client_id, hostname, serial, kind)
            self._add(asset.pk, asset.name, asset.serial, asset.status)
            found = asset.pk
        return found


def find_asset(client_id: int, hostname: str = "", serial: str = "") -> Asset | None:
    """The client's asset with this serial, else this hostname (short or FQDN, any case)."""
    found = AssetIndex(client_id).find(hostname, serial)
    return Asset.objects.get(pk=found) if found is not None else None


def match_or_discover(
    client_id: int, hostname: str, serial: str = "", kind: str = AssetKind.SERVER
) -> Asset:
    """The asset a reporting host is; a new "discovered" asset when none matches."""
    found = find_asset(client_id, hostname, serial)
    return found if found is not None else _discover(client_id, hostname, serial, kind)


def _discover(client_id: int, hostname: str, serial: str, kind: str) -> Asset:
    now = timezone.now()
    name = hostname.strip().rstrip(".") or usable_serial(serial) or "unknown host"
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


def confirm(asset: Asset) -> None:
    """A person says a discovered machine is real and in use."""
    if asset.status == AssetStatus.DISCOVERED:
        asset.status = AssetStatus.IN_USE
        asset.save(update_fields=["status", "updated_at"])


def merge(discovered: Asset, into: Asset) -> None:
    """Fold a discovered asset into the asset it really is, then delete it.

    Everything that points at the discovered asset (metric series, scrape
    targets, agent contacts, business services, guests, whatever apps add
    later) is moved to ``into``, found through Django's relations so no app
    has to be named here. A series both assets have (same metric and
    labels) keeps ``into``'s; the discovered one's samples and rollups join
    it where ``into`` has none for the same instant.
    """
    if discovered.client_id != into.client_id:
        raise ValueError("Both assets must belong to the same client.")
    if discovered.pk == into.pk:
        raise ValueError("An asset cannot be merged into itself.")
    if discovered.status != AssetStatus.DISCOVERED:
        raise ValueError(f"{discovered.name} is not a discovered asset.")
    with transaction.atomic():
        _merge_series(discovered, into)
        for relation in Asset._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete):
                continue
            if relation.many_to_many:
                for owner in getattr(discovered, relation.get_accessor_name()).all():
                    getattr(owner, relation.field.name).add(into)
            elif relation.one_to_many or relation.one_to_one:
                relation.related_model._base_manager.filter(
                    **{relation.field.name: discovered}
                ).update(**{relation.field.name: into})
        if not into.serial and discovered.serial:
            into.serial = discovered.serial
        into.last_seen = max(filter(None, [into.last_seen, discovered.last_seen]), default=None)
        into.save(update_fields=["serial", "last_seen", "updated_at"])
        discovered.delete()


def _merge_series(discovered: Asset, into: Asset) -> None:
    from vcio.capacity.models import DailyRollup, HourlyRollup, Sample, Series

    kept = {(s.metric, s.labels): s for s in Series.objects.filter(asset=into)}
    for series in Series.objects.filter(asset=discovered):
        target = kept.get((series.metric, series.labels))
        if target is None:
            continue  # moved whole with the other relations
        for model, field in ((Sample, "at"), (HourlyRollup, "hour"), (DailyRollup, "day")):
            taken = model.objects.filter(series=target).values_list(field, flat=True)
            model.objects.filter(series=series).exclude(**{f"{field}__in": taken}).update(
                series=target
            )
        series.delete()
