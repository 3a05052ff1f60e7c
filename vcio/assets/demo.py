"""Demo inventory: a few hundred assets, licences and lifecycle policies per demo client.

Deterministic (one seeded generator per client) and idempotent: rows carry
``source="demo"`` and a stable ``external_id``, so loading again updates
the same rows in bulk instead of adding more. Ages are relative to today,
so the demo always has something due, overdue and under warranty.
"""

from __future__ import annotations

import datetime
import random
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcio.assets.eol import MACOS_NAMES, WINDOWS_CLIENT_BUILDS, read_shipped
from vcio.assets.models import (
    Asset,
    AssetKind,
    AssetStatus,
    BillingPeriod,
    Licence,
    LifecyclePolicy,
)
from vcio.assets.policies import CURRENCY_FACTOR, default_policies
from vcio.core.models import Client, Contact, Department
from vcio.core.registry import DemoLoader, demo_loaders

SOURCE = "demo"
ONE = Decimal("1")
K = AssetKind
# slug: (name prefix, locations, asset count per kind, share of Windows machines on Enterprise)
CLIENTS: dict[str, tuple[str, list[str], dict[str, int], float]] = {
    "acme": ("ACME", ["Head office", "Dayton plant", "Toledo plant"],
             {K.WORKSTATION: 105, K.LAPTOP: 85, K.SERVER: 9, K.VIRTUAL_MACHINE: 18, K.NETWORK: 32,
              K.PRINTER: 18, K.MOBILE: 40, K.STORAGE: 4, K.CLOUD: 9}, 0.1),
    "globex": ("GLX", ["Midtown clinic", "Riverside clinic", "Northgate clinic"],
               {K.WORKSTATION: 60, K.LAPTOP: 45, K.SERVER: 5, K.VIRTUAL_MACHINE: 10, K.NETWORK: 18,
                K.PRINTER: 14, K.MOBILE: 20, K.STORAGE: 2, K.CLOUD: 6}, 0.0),
    "initech": ("INI", ["Leeds office", "Remote"],
                {K.WORKSTATION: 10, K.LAPTOP: 24, K.SERVER: 1, K.VIRTUAL_MACHINE: 3, K.NETWORK: 6,
                 K.PRINTER: 4, K.MOBILE: 8, K.STORAGE: 1, K.CLOUD: 3}, 0.0),
}  # fmt: skip

# (manufacturer, model, launch year, price in USD, CPU, RAM GB, disk GB), per kind.
# Models from vendors' lines of the years given (cf. the NetBox device-type library).
CATALOGUE: dict[str, list[tuple[str, str, int, int, str, int, int]]] = {
    K.WORKSTATION: [
        ("Dell", "OptiPlex 7040", 2015, 950, "Intel Core i5-6500", 8, 256),
        ("Dell", "OptiPlex 7060", 2018, 980, "Intel Core i5-8500", 8, 256),
        ("Dell", "OptiPlex 7080", 2020, 1020, "Intel Core i5-10500", 16, 512),
        ("Dell", "OptiPlex 7000", 2022, 1050, "Intel Core i5-12500", 16, 512),
        ("Dell", "OptiPlex 7010", 2023, 1050, "Intel Core i5-13500", 16, 512),
        ("HP", "ProDesk 600 G3", 2017, 900, "Intel Core i5-7500", 8, 256),
        ("HP", "ProDesk 600 G5", 2019, 950, "Intel Core i5-9500", 16, 512),
        ("HP", "ProDesk 400 G7", 2021, 880, "Intel Core i5-10500", 16, 512),
        ("HP", "Elite Mini 800 G9", 2022, 1150, "Intel Core i7-12700T", 16, 512),
        ("Lenovo", "ThinkCentre M720q", 2018, 850, "Intel Core i5-8500T", 8, 256),
        ("Lenovo", "ThinkCentre M70q Gen 3", 2022, 900, "Intel Core i5-12400T", 16, 512),
        ("Lenovo", "ThinkCentre M70q Gen 5", 2024, 950, "Intel Core i5-14400T", 16, 512),
        ("Apple", "Mac mini (M2, 2023)", 2023, 800, "Apple M2", 16, 512),
    ],
    K.LAPTOP: [
        ("Dell", "Latitude E5470", 2016, 1150, "Intel Core i5-6300U", 8, 256),
        ("Dell", "Latitude 5490", 2018, 1200, "Intel Core i5-8350U", 8, 256),
        ("Dell", "Latitude 5410", 2020, 1250, "Intel Core i5-10310U", 16, 256),
        ("Dell", "Latitude 5430", 2022, 1350, "Intel Core i5-1245U", 16, 512),
        ("Dell", "Latitude 5450", 2024, 1400, "Intel Core Ultra 5 135U", 16, 512),
        ("HP", "EliteBook 840 G3", 2016, 1300, "Intel Core i5-6300U", 8, 256),
        ("HP", "EliteBook 840 G5", 2018, 1400, "Intel Core i5-8350U", 16, 256),
        ("HP", "EliteBook 840 G7", 2020, 1450, "Intel Core i5-10310U", 16, 512),
        ("HP", "EliteBook 840 G9", 2022, 1550, "Intel Core i5-1245U", 16, 512),
        ("HP", "EliteBook 840 G11", 2024, 1600, "Intel Core Ultra 5 125U", 16, 512),
        ("Lenovo", "ThinkPad T470", 2017, 1250, "Intel Core i5-7300U", 8, 256),
        ("Lenovo", "ThinkPad T490", 2019, 1300, "Intel Core i5-8365U", 16, 512),
        ("Lenovo", "ThinkPad T14 Gen 2", 2021, 1350, "Intel Core i5-1145G7", 16, 512),
        ("Lenovo", "ThinkPad T14 Gen 4", 2023, 1450, "Intel Core i5-1345U", 16, 512),
        ("Lenovo", "ThinkPad X1 Carbon Gen 11", 2023, 1900, "Intel Core i7-1365U", 32, 1024),
        ("Apple", "MacBook Pro (13-inch, 2017)", 2017, 1800, "Intel Core i5", 8, 256),
        ("Apple", "MacBook Air (M1, 2020)", 2020, 1100, "Apple M1", 8, 256),
        ("Apple", "MacBook Pro (14-inch, 2021)", 2021, 2200, "Apple M1 Pro", 16, 512),
        ("Apple", "MacBook Air (M2, 2022)", 2022, 1300, "Apple M2", 16, 512),
        ("Apple", "MacBook Air (13-inch, M3, 2024)", 2024, 1300, "Apple M3", 16, 512),
    ],
    K.SERVER: [
        ("Dell", "PowerEdge R730", 2014, 9500, "2x Intel Xeon E5-2640 v4", 128, 4800),
        ("HPE", "ProLiant DL380 Gen9", 2014, 9000, "2x Intel Xeon E5-2620 v4", 96, 3600),
        ("Dell", "PowerEdge T440", 2018, 7000, "Intel Xeon Silver 4110", 64, 4000),
        ("Dell", "PowerEdge R740", 2018, 12000, "2x Intel Xeon Silver 4214", 256, 9600),
        ("HPE", "ProLiant DL380 Gen10", 2018, 11500, "2x Intel Xeon Silver 4210", 192, 7200),
        ("Lenovo", "ThinkSystem SR650", 2018, 11000, "2x Intel Xeon Silver 4208", 128, 4800),
        ("Dell", "PowerEdge R750", 2021, 14000, "2x Intel Xeon Silver 4314", 256, 9600),
        ("HPE", "ProLiant DL380 Gen10 Plus", 2021, 13500, "2x Intel Xeon Silver 4310", 256, 7680),
        ("Dell", "PowerEdge R760", 2023, 15500, "2x Intel Xeon Silver 4410Y", 256, 7680),
    ],
    K.NETWORK: [
        ("Cisco", "ASA5506-X", 2015, 900, "", 0, 0),
        ("Cisco", "Meraki MX64", 2016, 800, "", 0, 0),
        ("Cisco", "Meraki MR33", 2016, 600, "", 0, 0),
        ("Cisco", "Meraki MX68", 2018, 1200, "", 0, 0),
        ("Cisco", "Meraki MS120-8LP", 2018, 1100, "", 0, 0),
        ("Cisco", "C9200L-24P-4G", 2019, 3400, "", 0, 0),
        ("Fortinet", "FortiGate 60F", 2019, 1100, "", 0, 0),
        ("Ubiquiti", "UniFi Switch 24 Pro PoE Gen2", 2019, 700, "", 0, 0),
        ("Cisco", "CBS350-24P-4G", 2020, 650, "", 0, 0),
        ("Cisco", "Meraki MR36", 2020, 650, "", 0, 0),
        ("Fortinet", "FortiSwitch 124F-POE", 2020, 1200, "", 0, 0),
        ("Cisco", "Meraki MX85", 2021, 2900, "", 0, 0),
        ("Ubiquiti", "U6 Professional", 2021, 160, "", 0, 0),
        ("Cisco", "Meraki MS125-24P", 2021, 3200, "", 0, 0),
        ("Fortinet", "FortiGate 80F", 2022, 1900, "", 0, 0),
        ("Cisco", "Meraki MR44", 2022, 950, "", 0, 0),
        ("Ubiquiti", "U6 Enterprise", 2023, 280, "", 0, 0),
    ],
    K.PRINTER: [
        ("HP", "LaserJet Pro M402dn", 2016, 350, "", 0, 0),
        ("Brother", "MFC-L8900CDW", 2017, 650, "", 0, 0),
        ("Canon", "imageRUNNER ADVANCE C3530 III", 2019, 5800, "", 0, 0),
        ("HP", "Color LaserJet Pro MFP M479fdw", 2019, 650, "", 0, 0),
        ("Canon", "imageRunner ADVANCE DX C3720", 2021, 6500, "", 0, 0),
        ("HP", "LaserJet Pro 4001dn", 2022, 400, "", 0, 0),
        ("Brother", "HL-L6210DW", 2023, 350, "", 0, 0),
    ],
    K.MOBILE: [
        ("Apple", "iPhone 12", 2020, 800, "", 4, 128),
        ("Samsung", "Galaxy A53", 2022, 450, "", 6, 128),
        ("Apple", "iPhone 13", 2021, 800, "", 4, 128),
        ("Apple", "iPad (10th generation)", 2022, 450, "", 4, 64),
        ("Apple", "iPhone 14", 2022, 800, "", 6, 128),
        ("Samsung", "Galaxy S23", 2023, 800, "", 8, 128),
        ("Apple", "iPhone 15", 2023, 800, "", 6, 128),
        ("Samsung", "Galaxy S24", 2024, 800, "", 8, 256),
        ("Apple", "iPhone 16", 2024, 830, "", 8, 128),
    ],
    K.STORAGE: [
        ("Synology", "DS916+", 2016, 900, "", 8, 16000),
        ("Synology", "DS918+", 2018, 1100, "", 8, 24000),
        ("NetApp", "FAS2750", 2018, 28000, "", 64, 57600),
        ("Synology", "RS1221+", 2021, 2400, "", 8, 48000),
        ("Synology", "DS923+", 2023, 1300, "", 8, 32000),
    ],
}
SERVERS = [  # (role, OS name, OS version, years old)
    ("ERP-LEGACY", "Microsoft Windows Server 2012 R2 Standard", "6.3.9600", 9.3),
    ("HV01", "VMware ESXi", "7.0.3", 6.4),
    ("FS01", "Microsoft Windows Server 2019 Standard", "10.0.17763.6054", 5.6),
    ("HV02", "VMware ESXi", "8.0.2", 2.4),
    ("DC-TOL", "Microsoft Windows Server 2016 Standard", "10.0.14393.7070", 7.8),
    ("BKP01", "Microsoft Windows Server 2022 Standard", "10.0.20348.2582", 2.9),
    ("MON01", "Ubuntu 22.04.4 LTS", "", 3.1),
    ("HV03", "VMware ESXi", "8.0.3", 1.2),
    ("HIST01", "Microsoft Windows Server 2019 Standard", "10.0.17763.5936", 4.6),
]
VMS = [  # (role, OS name, OS version)
    ("DC01", "Microsoft Windows Server 2022 Standard", "10.0.20348"),
    ("FS02", "Microsoft Windows Server 2022 Standard", "10.0.20348"),
    ("SQL01", "Microsoft Windows Server 2019 Standard", "10.0.17763"),
    ("DC02", "Microsoft Windows Server 2019 Standard", "10.0.17763"),
    ("APP01", "Ubuntu", "20.04.6 LTS (Focal Fossa)"),
    ("RDS01", "Microsoft Windows Server 2016 Datacenter", "10.0.14393"),
    ("WEB01", "Ubuntu", "22.04.4 LTS (Jammy Jellyfish)"),
    ("PRINT01", "Microsoft Windows Server 2019 Standard", "10.0.17763"),
    ("GRAFANA", "Debian GNU/Linux 12 (bookworm)", "12.6"),
    ("VEEAM01", "Microsoft Windows Server 2022 Standard", "10.0.20348"),
    ("ERP01", "Microsoft Windows Server 2025 Standard", "10.0.26100"),
    ("WSUS01", "Microsoft Windows Server 2019 Standard", "10.0.17763"),
]
CLOUD = [  # (name, provider, service)
    ("Azure tenant backup", "Microsoft", "Azure Backup vault"),
    ("web01 (AWS)", "Amazon Web Services", "EC2 t3.medium"),
    ("Azure Virtual Desktop pool", "Microsoft", "Azure Virtual Desktop"),
    ("Offsite backup bucket", "Backblaze", "B2 Cloud Storage"),
    ("Public website", "Amazon Web Services", "Lightsail"),
    ("Azure SQL (reporting)", "Microsoft", "Azure SQL Database"),
]
WARRANTY_YEARS = {
    K.WORKSTATION: [1, 3, 3, 3, 5], K.LAPTOP: [1, 3, 3, 4, 5], K.SERVER: [3, 5, 5],
    K.NETWORK: [1, 3, 5], K.PRINTER: [1, 1, 3], K.MOBILE: [1, 2], K.STORAGE: [3, 5],
}  # fmt: skip
STATUSES = [AssetStatus.IN_USE, AssetStatus.SPARE, AssetStatus.IN_REPAIR, AssetStatus.RETIRED]
# Share of devices 0–1, 1–2, … years old: some past policy, a few long past it.
AGE_WEIGHTS = {
    K.MOBILE: [30, 30, 22, 12, 5, 1],
    K.NETWORK: [14, 15, 16, 15, 13, 10, 8, 5, 3, 1],
    K.PRINTER: [14, 15, 16, 15, 13, 10, 8, 5, 3, 1],
    K.STORAGE: [15, 15, 15, 15, 15, 10, 8, 4, 2, 1],
}
DEFAULT_AGE_WEIGHTS = [17, 18, 18, 16, 13, 8, 5, 3, 1, 1]
WIN11_BUILDS = {v: b for b, v in WINDOWS_CLIENT_BUILDS.items() if b >= 22000}
FIRST = "Ana Ben Chloe Dev Elena Femi Grace Hugo Iris Jon Kenji Lena Marco Nia Omar Pia Raj Sara Tariq Uma Vera Will Yara Zoe".split()  # noqa: E501, SIM905
LAST = "Adams Baker Cruz Diaz Evans Fischer Garcia Hughes Ito Jensen Khan Lopez Moreau Novak Olsen Patel Quinn Rossi Silva Tanaka Walsh Young".split()  # noqa: E501, SIM905


def _serial(rng: random.Random, manufacturer: str) -> str:
    def pick(n: int) -> str:
        return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    return {
        "Dell": pick(7),
        "HP": "5CG" + pick(7),
        "HPE": "CZJ" + pick(7),
        "Lenovo": "PF" + pick(6),
        "Apple": pick(10),
        "Cisco": "FOC" + pick(8),
        "Fortinet": "FGT" + pick(13),
    }.get(manufacturer, pick(12))


def os_versions(today: datetime.date) -> dict[str, tuple[list[str], list[str]]]:
    """Windows 11 and macOS versions, newest first: (supported today, out of support).

    From the shipped EOL file, so the demo fleet stays mostly current
    whatever day it is loaded on.
    """
    rows = [r for r in read_shipped() if not r["edition"] and r["version"]]
    out = {}
    for product in ("Windows 11", "macOS"):
        ordered = sorted(
            (r for r in rows if r["product"] == product),
            key=lambda r: r["end_of_support"],
            reverse=True,
        )
        supported = [r["version"] for r in ordered if r["end_of_support"] >= today]
        out[product] = (supported or [ordered[0]["version"]], [r["version"] for r in ordered])
    return out


def _windows(rng: random.Random, age: float, enterprise: float, versions: tuple) -> tuple[str, str]:
    edition = "Enterprise" if rng.random() < enterprise else "Pro"
    # Older hardware is the hardware that could not move to Windows 11.
    if rng.random() < (0.55 if age >= 5 else 0.22 if age >= 3 else 0.04):
        return f"Microsoft Windows 10 {edition}", f"10.0.19045.{rng.randint(3000, 6500)}"
    supported, every = versions
    lagging = [v for v in every if v not in supported][:1]
    # Most machines on a supported version; one in eight a version behind.
    version = rng.choice(lagging) if lagging and rng.random() < 0.12 else rng.choice(supported)
    build = WIN11_BUILDS.get(version, 26100)
    return f"Microsoft Windows 11 {edition}", f"10.0.{build}.{rng.randint(2000, 6900)}"


def _macos(rng: random.Random, age: float, versions: tuple) -> tuple[str, str]:
    supported, every = versions
    older = [v for v in every if v not in supported]
    if age < 2:
        major = supported[0]
    elif age < 5 or not older:
        major = rng.choice(supported)
    else:  # an old Mac is often stuck on the last macOS it can run
        major = rng.choice(older[:3]) if rng.random() < 0.6 else supported[-1]
    version = f"{major}.{rng.randint(0, 6)}.{rng.randint(0, 2)}"
    names = {v: k.title() for k, v in MACOS_NAMES.items()}
    if major in names and rng.random() < 0.3:  # some inventories send the marketing name
        return f"macOS {names[major]}", version
    return "macOS", version


def _mobile_os(manufacturer: str, age: float) -> tuple[str, str]:
    if manufacturer == "Apple":
        return "iOS", "18.6.2" if age > 3 else "26.1"
    return "Android", "14" if age > 2 else "16"


def _model(rng: random.Random, kind: str, year: int, prefer_apple: float) -> tuple:
    options = [m for m in CATALOGUE[kind] if m[2] <= year] or CATALOGUE[kind][:1]
    apple = [m for m in options if m[0] == "Apple"]
    if apple and rng.random() < prefer_apple:
        return apple[-1]
    others = [m for m in options if m[0] != "Apple"] or options
    return rng.choice(others[-4:])  # one of the lines on sale that year


def _people(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(n)]


def build_assets(client: Client, today: datetime.date) -> list[dict[str, Any]]:
    """The demo client's asset rows as field dicts (no queries but departments/contacts)."""
    prefix, locations, mix, enterprise = CLIENTS[client.slug]
    rng = random.Random(f"vcio-demo-assets-{client.slug}")
    factor = CURRENCY_FACTOR.get(client.currency, Decimal("1"))
    departments = list(Department.objects.filter(client=client).order_by("name"))
    contacts = list(Contact.objects.filter(client=client).order_by("last_name", "first_name"))
    people = _people(rng, sum(mix.values()))
    apple_share = {"acme": 0.08, "globex": 0.15, "initech": 0.4}[client.slug]
    versions = os_versions(today)
    rows, serial_no = [], 0
    for kind, count in mix.items():
        for n in range(1, count + 1):
            serial_no += 1
            row: dict[str, Any] = {
                "kind": kind, "external_id": f"{client.slug}-{kind}-{n:03d}",
                "asset_tag": f"{prefix}-{serial_no:05d}", "location": rng.choice(locations),
                "department": rng.choice(departments) if departments else None,
                "status": rng.choices(STATUSES, weights=[88, 5, 2, 5])[0],
            }  # fmt: skip
            if kind == K.VIRTUAL_MACHINE:
                role, os_name, os_version = VMS[(n - 1) % len(VMS)]
                suffix = "" if n <= len(VMS) else f"-{(n - 1) // len(VMS) + 1}"
                row.update(name=f"{prefix}-{role}{suffix}", manufacturer="VMware, Inc.",
                           model="VMware Virtual Platform", os_name=os_name, os_version=os_version,
                           status=AssetStatus.IN_USE, cpu="4 vCPU", ram_gb=Decimal(16))  # fmt: skip
                rows.append(row)
                continue
            if kind == K.CLOUD:
                name, provider, service = CLOUD[(n - 1) % len(CLOUD)]
                row.update(
                    name=name, manufacturer=provider, model=service, status=AssetStatus.IN_USE
                )
                rows.append(row)
                continue
            if kind == K.SERVER:
                role, os_name, os_version, age = SERVERS[(n - 1) % len(SERVERS)]
                row.update(name=f"{prefix}-{role}", os_name=os_name, os_version=os_version,
                           status=AssetStatus.IN_USE)  # fmt: skip
            else:
                weights = AGE_WEIGHTS.get(kind, DEFAULT_AGE_WEIGHTS)
                age = rng.choices(range(len(weights)), weights=weights)[0] + rng.random()
            purchase = today - datetime.timedelta(days=int(age * 365.25))
            maker, model, _, price, cpu, ram, disk = _model(rng, kind, purchase.year, apple_share)
            if kind in (K.WORKSTATION, K.LAPTOP):
                code = "WS" if kind == K.WORKSTATION else "LT"
                row["name"] = f"{prefix}-{code}-{n:03d}"
                if maker == "Apple":
                    os_name, os_version = _macos(rng, age, versions["macOS"])
                else:
                    os_name, os_version = _windows(rng, age, enterprise, versions["Windows 11"])
                row.update(os_name=os_name, os_version=os_version)
                row["assigned_to"] = people[serial_no - 1]
            elif kind == K.MOBILE:
                row["name"] = f"{prefix}-MOB-{n:03d}"
                row["os_name"], row["os_version"] = _mobile_os(maker, age)
                row["assigned_to"] = people[serial_no - 1]
            elif kind != K.SERVER:
                code = {K.NETWORK: "NET", K.PRINTER: "PRN", K.STORAGE: "NAS"}[kind]
                row["name"] = f"{prefix}-{code}-{n:02d}"
            if row["status"] == AssetStatus.RETIRED and age < 4:
                row["status"] = AssetStatus.IN_USE  # retire old kit only
            cost = Decimal(price) * factor * Decimal(rng.uniform(0.9, 1.1))
            warranty = purchase.replace(
                year=purchase.year + rng.choice(WARRANTY_YEARS[kind]), day=1
            )
            row.update(
                manufacturer=maker, model=model, serial=_serial(rng, maker), cpu=cpu,
                ram_gb=Decimal(ram) if ram else None, disk_gb=Decimal(disk) if disk else None,
                purchase_date=purchase if rng.random() > 0.03 else None,
                purchase_cost=cost.quantize(ONE),
                warranty_end=warranty if rng.random() > 0.05 else None,
            )  # fmt: skip
            rows.append(row)
    for contact, row in zip(contacts, (r for r in rows if r["kind"] == K.LAPTOP), strict=False):
        row["contact"], row["assigned_to"] = contact, str(contact)
    return rows


M, A, P = BillingPeriod.MONTHLY, BillingPeriod.ANNUAL, BillingPeriod.PERPETUAL
S, L = Licence.Kind.SUBSCRIPTION, Licence.Kind.LICENCE
# slug: (key, vendor, product, kind, owned, used, unit cost per period, period, renews in days)
LICENCES: dict[str, list[tuple[str, str, str, str, int, int, str, str, int | None]]] = {
    "acme": [
        ("m365-bp", "Microsoft", "Microsoft 365 Business Premium", S, 150, 138, "22.00", M, 45),
        ("m365-bs", "Microsoft", "Microsoft 365 Business Standard", S, 40, 31, "12.50", M, 45),
        ("acrobat", "Adobe", "Acrobat Pro", S, 25, 17, "239.88", A, 70),
        ("zoom", "Zoom", "Zoom Workplace Business", S, 20, 12, "219.90", A, 200),
        ("epicor", "Epicor", "Kinetic ERP (on premises) maintenance", L, 45, 41, "1850.00", A, 150),
        ("falcon", "CrowdStrike", "Falcon Pro (EDR)", S, 220, 204, "99.99", A, 85),
        ("veeam", "Veeam", "Data Platform Foundation", S, 12, 12, "420.00", A, 300),
        ("autocad", "Autodesk", "AutoCAD LT", S, 6, 5, "490.00", A, 120),
        ("solidworks", "Dassault Systèmes", "SOLIDWORKS Standard", L, 4, 4, "3995.00", P, None),
        ("knowbe4", "KnowBe4", "Security Awareness Training Gold", S, 180, 163, "28.00", A, 25),
    ],
    "globex": [
        ("m365-bp", "Microsoft", "Microsoft 365 Business Premium", S, 70, 61, "22.00", M, 20),
        ("athena", "athenahealth", "athenaOne EHR", S, 28, 24, "140.00", M, 180),
        ("zoom-hc", "Zoom", "Zoom for Healthcare", S, 15, 9, "200.00", A, 60),
        ("qbo", "Intuit", "QuickBooks Online Plus", S, 1, 1, "99.00", M, 12),
        ("slack", "Slack", "Slack Pro", S, 30, 22, "8.75", M, 240),
        ("s1", "SentinelOne", "Singularity Complete (EDR)", S, 90, 78, "6.00", M, 130),
        ("datto", "Datto", "SaaS Protection for Microsoft 365", S, 70, 61, "3.00", M, 130),
        ("acrobat", "Adobe", "Acrobat Standard", S, 10, 10, "155.88", A, 60),
        ("paubox", "Paubox", "Paubox Email Suite", S, 20, 14, "29.00", M, 330),
    ],
    "initech": [
        ("m365-bs", "Microsoft", "Microsoft 365 Business Standard", S, 26, 24, "10.30", M, 75),
        ("netdocs", "NetDocuments", "NetDocuments DMS", S, 24, 22, "45.00", M, 210),
        ("xero", "Xero", "Xero Standard", S, 1, 1, "33.00", M, 14),
        ("clio", "Clio", "Clio Manage", S, 20, 18, "79.00", M, 95),
        ("acrobat", "Adobe", "Acrobat Pro", S, 10, 6, "199.68", A, 40),
        ("zoom", "Zoom", "Zoom Workplace Pro", S, 5, 2, "139.90", A, 260),
        ("sophos", "Sophos", "Intercept X Advanced", S, 30, 27, "48.00", A, 160),
        ("acronis", "Acronis", "Cyber Protect Cloud", S, 30, 27, "4.50", M, 160),
        ("lexis", "LexisNexis", "Lexis+ UK", S, 4, 4, "2400.00", A, 300),
    ],
}  # fmt: skip


def build_licences(client: Client, today: datetime.date) -> list[dict[str, Any]]:
    """The demo client's licences and subscriptions as field dicts."""
    return [
        {
            "external_id": f"{client.slug}-licence-{key}",
            "vendor": vendor,
            "product": product,
            "kind": kind,
            "seats_owned": owned,
            "seats_used": used,
            "unit_cost": Decimal(cost),
            "billing_period": period,
            "renewal_date": today + datetime.timedelta(days=days) if days is not None else None,
        }
        for key, vendor, product, kind, owned, used, cost, period, days in LICENCES[client.slug]
    ]


def _upsert(model: type, client: Client, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Create or update ``rows`` by (client, source, external_id) in bulk; (created, updated).

    Rows already as generated are left alone, so a reload on the same day
    writes nothing.
    """
    fields = sorted({name for row in rows for name in row} - {"external_id"})
    columns = [model._meta.get_field(name).attname for name in fields]
    existing = {
        row["external_id"]: row
        for row in model.objects.filter(client=client, source=SOURCE).values(
            "pk", "external_id", *columns
        )
    }
    new, changed = [], []
    for row in rows:
        obj = model(client=client, source=SOURCE, **row)
        current = existing.get(row["external_id"])
        if current is None:
            new.append(obj)
        elif any(current[c] != getattr(obj, c) for c in columns):
            obj.pk = current["pk"]
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=500)
    model.objects.bulk_update(changed, fields, batch_size=200)
    return len(new), len(changed)


def _policies(client: Client) -> int:
    """The default lifecycle policies as the client's own rows; edits are kept."""
    have = set(LifecyclePolicy.objects.filter(client=client).values_list("kind", flat=True))
    missing = [
        LifecyclePolicy(
            client=client,
            kind=p.kind,
            replace_after_years=p.replace_after_years,
            replacement_cost=p.replacement_cost,
        )
        for p in default_policies(client.currency).values()
        if p.replaces and p.replacement_cost is not None and p.kind not in have
    ]
    LifecyclePolicy.objects.bulk_create(missing)
    return len(missing)


def load_assets(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    for client in Client.objects.filter(slug__in=list(CLIENTS)).order_by("name"):
        with transaction.atomic():
            assets = build_assets(client, today)
            made, kept = _upsert(Asset, client, assets)
            licences = build_licences(client, today)
            _upsert(Licence, client, licences)
            policies = _policies(client)
        log(
            f"{client.name}: {len(assets)} assets ({made} new, {kept} updated), "
            f"{len(licences)} licences, {policies} lifecycle policies added"
        )


def register() -> None:
    demo_loaders.register(DemoLoader("assets", load_assets, order=20))
