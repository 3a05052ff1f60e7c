"""factory_boy factories for the asset app's models, shared by every test that needs assets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from vcio.assets.models import Asset, AssetKind, EolRule, Licence, LifecyclePolicy
from vcio.core.tests.factories import ClientFactory


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    client = factory.SubFactory(ClientFactory)
    kind = AssetKind.LAPTOP
    name = factory.Sequence(lambda n: f"PC-{n:04d}")
    serial = factory.Sequence(lambda n: f"SN{n:06d}")
    manufacturer = "Dell"
    model = "Latitude 5440"
    os_name = "Windows 11 Pro"
    os_version = "23H2"
    purchase_date = datetime.date(2023, 3, 1)
    purchase_cost = Decimal("1450.00")
    warranty_end = datetime.date(2026, 3, 1)


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    client = factory.SubFactory(ClientFactory)
    vendor = "Microsoft"
    product = factory.Sequence(lambda n: f"Microsoft 365 Business Standard {n}")
    seats_owned = 10
    seats_used = 8
    unit_cost = Decimal("12.50")
    billing_period = "monthly"


class LifecyclePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifecyclePolicy
        django_get_or_create = ("client", "kind")

    client = factory.SubFactory(ClientFactory)
    kind = AssetKind.LAPTOP
    replace_after_years = Decimal("4")
    replacement_cost = Decimal("1600")


class EolRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EolRule
        django_get_or_create = ("product", "version", "edition")

    product = "Windows 10"
    version = "22H2"
    edition = ""
    end_of_support = datetime.date(2025, 10, 14)
    source_url = "https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro"


def asset_rows_for(client, marker: str) -> dict:
    """One row of every asset-app model for ``client``, each carrying ``marker``.

    Used by the isolation walk (a victim row per client-scoped model) and the
    no-500 walk (a row for every route with an id to aim at).
    """
    return {
        "asset": AssetFactory(client=client, name=f"{marker} laptop", serial=f"{marker}-SN"),
        "licence": LicenceFactory(client=client, product=f"{marker} Suite"),
        "policy": LifecyclePolicyFactory(client=client),
        "eol_rule": EolRuleFactory(),
    }


def testos_rules(today: datetime.date) -> None:
    """End-of-support rules for a made-up "TestOS", relative to ``today``.

    Version 1 is unsupported, 2 ends within 12 months, 3 is supported: the
    tests' statuses then never drift as real products age.
    """
    for version, days in (("1", -100), ("2", 100), ("3", 1500)):
        EolRule.objects.update_or_create(
            product="TestOS",
            version=version,
            edition="",
            defaults={"end_of_support": today + datetime.timedelta(days=days)},
        )


def lifecycle_mix(client, today: datetime.date, department=None) -> dict[str, Asset]:
    """Four assets of ``client``, one per warranty and OS status, keyed by name."""
    testos_rules(today)
    days = datetime.timedelta
    specs = {
        "fresh-laptop": dict(
            kind=AssetKind.LAPTOP,
            warranty_end=today + days(400),
            os_version="3",
            purchase_date=today - days(365),
            assigned_to="Nina Fresh",
        ),
        "ending-laptop": dict(
            kind=AssetKind.LAPTOP,
            warranty_end=today + days(30),
            os_version="2",
            purchase_date=today - days(2 * 365),
        ),
        "old-server": dict(
            kind=AssetKind.SERVER,
            warranty_end=today - days(30),
            os_version="1",
            purchase_date=today - days(7 * 366),
        ),
        "mystery-box": dict(
            kind=AssetKind.OTHER, warranty_end=None, os_name="", os_version="", purchase_date=None
        ),
    }
    return {
        name: AssetFactory(
            client=client,
            name=name,
            department=department,
            **{"os_name": "TestOS", **spec},
        )
        for name, spec in specs.items()
    }
