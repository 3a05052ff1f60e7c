"""Cell parsers for asset and licence imports: the words other tools use → vcio's values.

Each parser takes the text of one non-empty cell and returns a value, or
raises ``ValueError`` with a message that says what is wrong with the value
(the engine adds the row and column). Returning ``None`` means "empty": the
placeholders inventories write for an unknown serial are read that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from vcio.assets.importing.placeholders import is_placeholder
from vcio.assets.models import AssetKind, AssetStatus, BillingPeriod, Licence
from vcio.core.importer.values import int_parser, money_parser, parse_date, parse_decimal

CENT = Decimal("0.01")


def text(max_length: int | None = None) -> Callable[[str], str | None]:
    """A parser for free text that must fit the model column (refused, never cut)."""

    def parse(value: str) -> str | None:
        value = value.strip()
        if "\x00" in value:
            raise ValueError("contains a NUL character, which no text column can hold")
        if max_length is not None and len(value) > max_length:
            raise ValueError(
                f"'{value[:40]}…' is too long: at most {max_length} characters, it has {len(value)}"
            )
        return value or None

    return parse


# Placeholders ("To Be Filled By O.E.M.", "0000000000") are listed as data in
# vcio/assets/data/placeholders.json; see vcio.assets.importing.placeholders.


def identifier(max_length: int) -> Callable[[str], str | None]:
    """A parser for serials and asset tags: text, with placeholders read as empty."""
    base = text(max_length)

    def parse(value: str) -> str | None:
        return None if is_placeholder(value) else base(value)

    return parse


# Costs are never negative; seats fit the PositiveIntegerField they land in.
cost = money_parser(minimum=0)
count = int_parser(minimum=0, maximum=2**31 - 1)


# --- sizes ----------------------------------------------------------------------

_SIZE = re.compile(
    r"^(?P<num>[-+]?[\d.,' ]*\d(?:[eE][-+]?\d+)?)\s*(?P<unit>[kmgtp]i?[bo]?|bytes?|b)?$",
    re.IGNORECASE,
)
# GB per unit. RAM is counted in binary units (8192 MB is 8 GB of RAM) and disks
# in decimal ones, as drives are sold (an agent's 256060 MB disk is a 256 GB disk).
_RAM_GB = {"b": Decimal(1) / 1024**3, "k": Decimal(1) / 1024**2, "m": Decimal(1) / 1024}
_DISK_GB = {"b": Decimal("1e-9"), "k": Decimal("1e-6"), "m": Decimal("1e-3")}
for _table, _base in ((_RAM_GB, 1024), (_DISK_GB, 1000)):
    _table.update({"g": Decimal(1), "t": Decimal(_base), "p": Decimal(_base) ** 2})

# A bare number this large in a RAM column in GB is a count of MB ("16384"):
# no small or medium business runs a machine with a terabyte of memory.
RAM_MB_THRESHOLD = Decimal(1024)


def size(
    unit: str, *, binary: bool, mb_threshold: Decimal | None = None
) -> Callable[[str], Decimal]:
    """A parser for a RAM or disk size, returned in GB rounded to 0.01.

    A unit in the cell ("16 GB", "16384 MB", "1 TB", "512 GiB") wins; a bare
    number is in ``unit`` ("g" or "m", from the column's header), except that
    a bare number of at least ``mb_threshold`` is read as MB.
    """
    factors = _RAM_GB if binary else _DISK_GB

    def parse(value: str) -> Decimal:
        match = _SIZE.match(value.strip())
        if not match:
            raise ValueError(f"{value.strip()!r} is not a size (e.g. 16 GB or 16384 MB)")
        number = parse_decimal(match["num"])
        if number < 0:
            raise ValueError("a size cannot be negative")
        given = (match["unit"] or "").lower()[:1]
        if not given:
            given = "m" if mb_threshold is not None and number >= mb_threshold else unit
        gb = (number * factors[given]).quantize(CENT, rounding=ROUND_HALF_UP)
        if gb >= Decimal("1e8"):
            raise ValueError(f"{value.strip()!r} is too large for a size in GB")
        return gb

    return parse


# --- words → choices ------------------------------------------------------------


def _words(value: str) -> str:
    """Lower-case words separated by single spaces, padded, for phrase matching."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", value.casefold())) + " "


def _matcher(
    exact: dict[str, str], phrases: list[tuple[str, tuple[str, ...]]]
) -> Callable[[str], str | None]:
    """Exact names first, then the first group with a phrase among the cell's words."""
    exact = {_words(k): v for k, v in exact.items()}
    groups = [(choice, tuple(_words(p) for p in words)) for choice, words in phrases]

    @lru_cache(maxsize=4096)  # exports repeat a handful of values on every row
    def match(value: str) -> str | None:
        words = _words(value)
        if words in exact:
            return exact[words]
        for choice, options in groups:
            if any(option in words for option in options):
                return choice
        return None

    return match


def _choices(choices: type) -> dict[str, str]:
    """Our own values and labels ("in_use", "In use") for a TextChoices class."""
    out = {value: value for value in choices.values}
    out.update({label: value for value, label in choices.choices})
    return out


_kind = _matcher(
    {**_choices(AssetKind), "virtual machines": AssetKind.VIRTUAL_MACHINE},
    [
        (AssetKind.VIRTUAL_MACHINE, ("virtual", "vm", "vms", "vps", "instance", "instances")),
        (AssetKind.STORAGE, ("storage", "nas", "san", "disk array", "tape", "tape library")),
        (AssetKind.PRINTER, ("printer", "printers", "mfp", "mfps", "copier", "copiers",
                             "scanner", "scanners", "plotter", "multifunction")),
        (AssetKind.MOBILE, ("phone", "phones", "mobile", "mobiles", "smartphone", "smartphones",
                            "tablet", "tablets", "ipad", "ipads", "iphone", "android", "handheld")),
        (AssetKind.LAPTOP, ("laptop", "laptops", "notebook", "notebooks", "ultrabook",
                            "macbook", "chromebook", "portable", "convertible")),
        (AssetKind.SERVER, ("server", "servers", "hypervisor", "blade", "blades", "esxi")),
        (AssetKind.NETWORK, ("network", "networking", "switch", "switches", "router", "routers",
                             "firewall", "firewalls", "access point", "access points", "wifi",
                             "wi fi", "wireless", "wlan", "gateway", "modem", "load balancer")),
        (AssetKind.WORKSTATION, ("desktop", "desktops", "workstation", "workstations", "pc",
                                 "pcs", "computer", "computers", "imac", "all in one", "aio",
                                 "thin client", "thin clients", "tower", "mac mini", "mac")),
        (AssetKind.CLOUD, ("cloud", "saas", "iaas", "paas")),
    ],
)  # fmt: skip


def kind(value: str) -> str:
    """An asset kind from a kind or a category ("Laptops", "Mobile Phones", …).

    Categories are free text in every inventory tool, so one we cannot place
    is :data:`UNPLACED` (kind Other unless the model says more), never an error.
    """
    return _kind(value) or UNPLACED


class _Unplaced(str):
    """Kind "other" because no rule placed the category (told apart with ``is``)."""

    def __reduce__(self) -> str:
        # Pickled by name, so a row read back from the import's store is still ``UNPLACED``.
        return "UNPLACED"


# A category no rule places: the target stores Other unless the model or name
# says more, and names the rows in a note. An explicit "Other" stays Other.
UNPLACED = _Unplaced(AssetKind.OTHER.value)


# Product families whose name says what the device is, when a category does not
# (Snipe-IT's categories are whatever its users typed; its model names are not).
_model_kind = _matcher(
    {},
    [
        (AssetKind.VIRTUAL_MACHINE, ("virtual machine", "virtual platform", "kvm", "hvm domu")),
        (AssetKind.STORAGE, ("synology", "diskstation", "qnap", "powervault", "netapp",
                             "storeonce", "msa 2040", "msa 2050", "msa 2060")),
        (AssetKind.PRINTER, ("laserjet", "officejet", "deskjet", "pagewide", "ecosys", "bizhub",
                             "imagerunner", "i sensys", "workcentre", "versalink", "taskalfa")),
        (AssetKind.MOBILE, ("iphone", "ipad", "galaxy", "pixel", "surface pro", "surface go")),
        (AssetKind.LAPTOP, ("macbook", "latitude", "elitebook", "probook", "zbook", "thinkpad",
                            "ideapad", "thinkbook", "xps 13", "xps 15", "xps 17", "surface laptop",
                            "surface book", "vivobook", "zenbook", "travelmate", "swift",
                            "chromebook", "notebook", "laptop")),
        (AssetKind.SERVER, ("poweredge", "proliant", "primergy", "thinksystem", "system x",
                            "ucs c", "ucs b", "server")),
        (AssetKind.NETWORK, ("catalyst", "meraki", "unifi", "fortigate", "fortiswitch",
                             "procurve", "aruba", "sonicwall", "mikrotik", "edgerouter",
                             "watchguard", "switch", "router", "access point", "firewall")),
        (AssetKind.WORKSTATION, ("optiplex", "prodesk", "elitedesk", "thinkcentre", "imac",
                                 "mac mini", "mac studio", "mac pro", "nuc", "precision tower",
                                 "z2 tower", "desktop", "workstation")),
    ],
)  # fmt: skip


def guess_kind(*names: str | None) -> str | None:
    """The kind the first telling name says (a model "Macbook Pro 13" → laptop), else None."""
    for name in names:
        if name:
            found = _model_kind(name)
            if found:
                return found
    return None


_status = _matcher(
    {**_choices(AssetStatus), "pending": AssetStatus.SPARE},
    [
        # Order matters: "Pending Diagnostics" is a repair, "Not in use" is spare.
        (AssetStatus.RETIRED, ("archived", "archive", "retired", "retire", "disposed",
                               "dispose", "lost", "stolen", "decommissioned", "end of life",
                               "eol", "sold", "recycled", "donated", "scrapped", "written off",
                               "write off", "destroyed", "inactive", "obsolete", "returned")),
        (AssetStatus.IN_REPAIR, ("repair", "broken", "diagnostics", "diagnostic",
                                 "undeployable", "faulty", "damaged", "defective", "rma",
                                 "maintenance", "out of service")),
        (AssetStatus.SPARE, ("ready to deploy", "deployable", "spare", "stock", "available",
                             "pending", "unassigned", "new", "storage", "reserve", "reserved",
                             "loaner", "not in use", "not used", "unused", "idle")),
        (AssetStatus.IN_USE, ("deployed", "in use", "active", "assigned", "checked out",
                              "production", "live", "operational", "online", "used",
                              "allocated")),
    ],
)  # fmt: skip


def status(value: str) -> str:
    """An asset status; Snipe-IT's labels ("Ready to Deploy", "Archived", …) are understood.

    Unlike a category, an unknown status is an error: a retired machine read
    as in use would be counted in every lifecycle figure.
    """
    found = _status(value)
    if found is None:
        raise ValueError(
            f"{value.strip()!r} is not a status vcio knows; use in use, spare, in repair or "
            "retired (Deployed, Ready to Deploy, Pending, Archived, Broken, Lost, … also work)"
        )
    return found


_billing = _matcher(
    _choices(BillingPeriod),
    [
        (BillingPeriod.PERPETUAL, ("perpetual", "one time", "onetime", "once", "lifetime")),
        (BillingPeriod.MONTHLY, ("monthly", "month", "months", "mo", "per month", "1 month")),
        (BillingPeriod.ANNUAL, ("annual", "annually", "yearly", "year", "years", "yr", "12 months",
                                "per year", "1 year", "12 month")),
    ],
)  # fmt: skip


def billing_period(value: str) -> str:
    """Monthly, annual or perpetual ("yearly", "per month", "one-time", …)."""
    found = _billing(value)
    if found is None:
        raise ValueError(f"{value.strip()!r} is not a billing period; use monthly, annual or "
                         "perpetual")  # fmt: skip
    return found


_licence_kind = _matcher(
    _choices(Licence.Kind),
    [
        (Licence.Kind.SUBSCRIPTION, ("subscription", "subscriptions", "saas", "cloud",
                                     "service", "online")),
        (Licence.Kind.LICENCE, ("licence", "license", "licences", "licenses", "software",
                                "perpetual", "volume")),
    ],
)  # fmt: skip


def licence_kind(value: str) -> str:
    """A software licence or a SaaS subscription."""
    found = _licence_kind(value)
    if found is None:
        raise ValueError(f"{value.strip()!r} is neither a licence nor a subscription")
    return found


_DURATION = re.compile(
    r"^(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>months?|mos?|m|years?|yrs?|y)?$", re.IGNORECASE
)


def warranty(value: str) -> int | date:
    """A warranty length in months ("36", "36 months", "3 years") or its end date.

    Snipe-IT's "Warranty" column holds months; spreadsheets often hold the
    end date under the same header, so both are accepted here and the
    target turns months into an end date from the purchase date.
    """
    match = _DURATION.match(value.strip())
    if match:
        number = Decimal(match["num"].replace(",", "."))
        years = (match["unit"] or "m").lower().startswith("y")
        months = int((number * 12 if years else number).to_integral_value(ROUND_HALF_UP))
        if months > 600:
            raise ValueError(f"{months} months is not a warranty length")
        return months
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"{value.strip()!r} is neither a number of months nor a date") from None
