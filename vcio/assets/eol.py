"""End-of-support data: the shipped table, the practice's own rows, and matching.

Inventories report operating systems in many spellings ("Microsoft Windows
10 Pro" + "10.0.19045", "Ubuntu 22.04.3 LTS", "Debian GNU/Linux 12
(bookworm)", "Mac OS X 10.15.7"). :func:`normalise` turns them into a
product, a version and an edition group that the ``EolRule`` rows use;
:class:`RuleSet` matches them, loading the rules once per call site and
remembering each distinct (name, version) pair, so assessing 20,000 assets
costs one query and a few hundred normalisations.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from django.db import transaction

SHIPPED_FILE = Path(__file__).parent / "data" / "eol.json"

# Client OS lines whose successor may not run on the same hardware (Windows
# 11's TPM 2.0 and CPU list; each macOS major drops older Macs). Only for
# these does an OS end of support on a workstation or laptop become a
# replacement trigger; Windows 11 feature updates and Linux release upgrades
# run on the same machine, so their end dates call for an update, not a purchase.
HARDWARE_BOUND = frozenset({"windows 7", "windows 8.1", "windows 10", "macos"})

WINDOWS_CLIENT_BUILDS = {
    10240: "1507",
    10586: "1511",
    14393: "1607",
    15063: "1703",
    16299: "1709",
    17134: "1803",
    17763: "1809",
    18362: "1903",
    18363: "1909",
    19041: "2004",
    19042: "20H2",
    19043: "21H1",
    19044: "21H2",
    19045: "22H2",
    22000: "21H2",
    22621: "22H2",
    22631: "23H2",
    26100: "24H2",
    26200: "25H2",
}
WINDOWS_SERVER_BUILDS = {
    6001: "2008",
    6002: "2008",
    6003: "2008",
    7600: "2008 R2",
    7601: "2008 R2",
    9200: "2012",
    9600: "2012 R2",
    14393: "2016",
    17763: "2019",
    20348: "2022",
    26100: "2025",
}
# "Windows 10 Enterprise LTSC 2021" names the release, not the version.
WINDOWS_LTSC_RELEASES = {
    ("10", "2015"): "1507",
    ("10", "2016"): "1607",
    ("10", "2019"): "1809",
    ("10", "2021"): "21H2",
    ("11", "2024"): "24H2",
}
MACOS_NAMES = {
    "high sierra": "10.13",
    "mojave": "10.14",
    "catalina": "10.15",
    "big sur": "11",
    "monterey": "12",
    "ventura": "13",
    "sonoma": "14",
    "sequoia": "15",
    "tahoe": "26",
}
UBUNTU_NAMES = {
    "trusty": "14.04",
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
    "resolute": "26.04",
}
DEBIAN_NAMES = {
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}

_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_WIN_FEATURE = re.compile(r"\b(\d{2}H[12]|1[5-9][01]\d|2004)\b", re.IGNORECASE)
_WIN_BUILD = re.compile(r"(?:\b(?:10\.0|6\.[0-3])\.|\bbuild\s*)(\d{4,5})\b", re.IGNORECASE)
_BARE_BUILD = re.compile(r"^(\d{4,5})(?:\.\d+)?$")
_SERVER_YEAR = re.compile(r"\b(2003|2008|2012|2016|2019|2022|2025)(\s*R2)?\b", re.IGNORECASE)
_MAC_VERSION = re.compile(r"\b(10\.\d{1,2}|1[1-9]|2\d)(?:\.\d+){0,2}\b")


class OsId(NamedTuple):
    """An OS as the EOL table names it: product, version, edition group.

    ``edition`` is "" for editions on the default timeline (Windows Home and
    Pro), "Enterprise" for Enterprise/Education/IoT Enterprise, and
    "Enterprise LTSC" / "IoT Enterprise LTSC" for the long-term releases.
    """

    product: str
    version: str
    edition: str = ""


class RuleLike(Protocol):
    product: str
    version: str
    edition: str
    end_of_support: datetime.date
    shipped: bool


def _clean(text: str | None) -> str:
    text = (text or "").replace("®", " ").replace("™", " ").replace("(R)", " ")
    return " ".join(text.split())


def _first_number(*texts: str) -> str:
    for text in texts:
        found = _NUMBER.search(text)
        if found:
            return found[0]
    return ""


def _windows_build(text: str) -> int | None:
    """The build in "10.0.19045.4291", "6.3.9600", "Build 19045" or a bare "19045"."""
    found = _WIN_BUILD.search(text) or _BARE_BUILD.match(text.strip())
    return int(found[1]) if found else None


def _windows_edition(low: str) -> str:
    if "ltsc" in low or "ltsb" in low:
        return "IoT Enterprise LTSC" if "iot" in low else "Enterprise LTSC"
    if "pro education" in low:
        return ""  # on the Home/Pro timeline despite the word "education"
    if any(word in low for word in ("enterprise", "education", "iot")):
        return "Enterprise"
    return ""  # Home, Pro, Pro Education, Pro for Workstations, SE


def _normalise_windows(name: str, version: str) -> OsId:
    low = name.casefold()
    both = f"{name} {version}"
    build = _windows_build(version) or _windows_build(name)
    if "server" in low:
        year = _SERVER_YEAR.search(both)
        if year:
            return OsId("Windows Server", year[1] + (" R2" if year[2] else ""))
        return OsId("Windows Server", WINDOWS_SERVER_BUILDS.get(build or 0, ""))
    major = re.search(r"windows\s*(11|10|8\.1|7)\b", low)
    release = major[1] if major else ""
    # Windows 11 keeps kernel version 10.0 and many tools still call it
    # "Windows 10": the build number is what tells them apart.
    if build and build >= 22000:
        release = "11"
    elif build and build >= 10240 and not release:
        release = "10"
    elif build in (9600,) and not release:
        release = "8.1"
    elif build in (7600, 7601) and not release:
        release = "7"
    if release not in ("10", "11"):
        return OsId(f"Windows {release}" if release else name, "")
    edition = _windows_edition(low)
    feature = WINDOWS_CLIENT_BUILDS.get(build or 0, "")
    if not feature:
        named = _WIN_FEATURE.search(both)
        feature = named[1].upper() if named else ""
    if not feature and edition.endswith("LTSC"):
        year = re.search(r"\b(2015|2016|2019|2021|2024)\b", low)
        feature = WINDOWS_LTSC_RELEASES.get((release, year[1]), "") if year else ""
    return OsId(f"Windows {release}", feature, edition)


def _by_name_or_number(low: str, version: str, names: dict[str, str]) -> str:
    number = _first_number(low, version)
    if number:
        return number
    return next((v for key, v in names.items() if key in f"{low} {version.casefold()}"), "")


def normalise(os_name: str | None, os_version: str | None) -> OsId:
    """The product, version and edition group of an OS as inventories report it.

    Unknown products keep their cleaned name and the first number of the
    version, so rows a practice adds under that name still match.
    """
    name, version = _clean(os_name), _clean(os_version)
    low = name.casefold()
    if "windows" in low:
        return _normalise_windows(name, version)
    if "mac os" in low or "macos" in low or low.startswith("os x"):
        found = _MAC_VERSION.search(version) or _MAC_VERSION.search(name)
        if found:
            return OsId("macOS", found[0])
        both = f"{low} {version.casefold()}"
        return OsId("macOS", next((v for k, v in MACOS_NAMES.items() if k in both), ""))
    if "ubuntu" in low:
        return OsId("Ubuntu", _by_name_or_number(low, version, UBUNTU_NAMES))
    if "debian" in low:
        return OsId("Debian", _by_name_or_number(low, version, DEBIAN_NAMES))
    if "red hat" in low or re.search(r"\brhel\b", low):
        return OsId("Red Hat Enterprise Linux", _first_number(low, version))
    if "centos" in low:
        product = "CentOS Stream" if "stream" in low else "CentOS"
        return OsId(product, _first_number(low, version))
    if "esxi" in low or "vmware esx" in low:
        return OsId("VMware ESXi", _first_number(low, version))
    if "exchange server" in low or "office" in low:
        year = re.search(r"\b(20\d\d)\b", f"{name} {version}")
        return OsId("Exchange Server" if "exchange" in low else "Office", year[1] if year else "")
    product = re.sub(r"^microsoft\s+", "", name, flags=re.IGNORECASE)
    return OsId(product, _first_number(version) or version)


def _version_matches(rule_version: str, version: str) -> bool:
    # "22.04" matches "22.04.3" but "2012" must not match "2012 R2".
    rule_version, version = rule_version.casefold(), version.casefold()
    return version == rule_version or version.startswith(rule_version + ".")


class RuleSet:
    """EOL rules indexed by product, with a memo of every (name, version) looked up."""

    def __init__(self, rules: Iterable[RuleLike]):
        self.rules = list(rules)
        self._by_product: dict[str, list[RuleLike]] = {}
        for rule in self.rules:
            self._by_product.setdefault(rule.product.casefold(), []).append(rule)
        # Practice rows first, so they win a tie with a shipped row.
        for group in self._by_product.values():
            group.sort(key=lambda r: (r.shipped, r.edition, r.version))
        self._memo: dict[tuple[str, str], RuleLike | None] = {}

    def __len__(self) -> int:
        return len(self.rules)

    def match(self, os_name: str | None, os_version: str | None) -> RuleLike | None:
        """The rule for this OS, or ``None`` when the table has none."""
        key = (os_name or "", os_version or "")
        if key not in self._memo:
            self._memo[key] = self._match(normalise(*key), _clean(key[0]).casefold())
        return self._memo[key]

    def _product_rules(self, os_id: OsId, low_name: str) -> list[RuleLike]:
        rules = self._by_product.get(os_id.product.casefold())
        if rules or not low_name:
            return rules or []
        # A practice row for a product the normaliser doesn't know ("FortiOS")
        # matches an OS name that contains it ("Fortinet FortiOS").
        for product in sorted(self._by_product, key=len, reverse=True):
            if re.search(rf"(?<!\w){re.escape(product)}(?!\w)", low_name):
                return self._by_product[product]
        return []

    def _match(self, os_id: OsId, low_name: str) -> RuleLike | None:
        rules = self._product_rules(os_id, low_name)
        if not rules:
            return None
        edition = os_id.edition.casefold()
        if os_id.version:
            versioned = [
                r for r in rules if r.version and _version_matches(r.version, os_id.version)
            ]
            if versioned:
                longest = max(len(r.version) for r in versioned)
                tier = [r for r in versioned if len(r.version) == longest]
                exact = [r for r in tier if r.edition.casefold() == edition]
                return (exact or [r for r in tier if not r.edition] or [None])[0]
        unversioned = [r for r in rules if not r.version]
        exact = [r for r in unversioned if r.edition.casefold() == edition]
        if exact:
            return exact[0]
        # An edition with a timeline of its own (LTSC) must not inherit the
        # default timeline just because its version is unknown.
        if edition and any(r.edition.casefold() == edition for r in rules):
            return None
        return next((r for r in unversioned if not r.edition), None)


def load_rules() -> RuleSet:
    """Every EOL rule (shipped and practice) in one query."""
    from vcio.assets.models import EolRule

    return RuleSet(EolRule.objects.all())


def match(
    os_name: str | None, os_version: str | None, rules: RuleSet | Iterable[RuleLike]
) -> RuleLike | None:
    """The ``EolRule`` for an OS name and version, or ``None``.

    Pass a :class:`RuleSet` (from :func:`load_rules`) when matching many
    assets; a plain list of rules is indexed on each call.
    """
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    return ruleset.match(os_name, os_version)


def is_hardware_bound(product: str) -> bool:
    """Whether leaving this OS may need new hardware (see ``HARDWARE_BOUND``)."""
    return product.casefold() in HARDWARE_BOUND


# Loading the shipped file -------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept_practice: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.kept_practice} kept as the practice set them"
        )


def read_shipped(path: Path | None = None) -> list[dict[str, Any]]:
    """The rows of the shipped file, checked; ``ValueError`` names a bad row."""
    path = path or SHIPPED_FILE
    rows = json.loads(path.read_text(encoding="utf-8"))["rules"]
    out, seen = [], set()
    for number, row in enumerate(rows, start=1):
        where = f"{path.name}, rule {number}"
        product = _clean(row.get("product"))
        if not product:
            raise ValueError(f"{where}: product is empty")
        try:
            end = datetime.date.fromisoformat(row.get("end_of_support") or "")
        except ValueError:
            raise ValueError(
                f"{where}: end_of_support {row.get('end_of_support')!r} is not a date"
            ) from None
        key = (product, _clean(row.get("version")), _clean(row.get("edition")))
        if key in seen:
            raise ValueError(f"{where}: {' '.join(key).strip()} is listed twice")
        seen.add(key)
        out.append(
            {
                "product": key[0],
                "version": key[1],
                "edition": key[2],
                "end_of_support": end,
                "source_url": row.get("source_url", ""),
            }
        )
    return out


def sync_shipped(model: Any = None, path: Path | None = None) -> SyncResult:
    """Bring the shipped rows in line with the file; practice rows are never touched.

    Idempotent. ``model`` lets a data migration pass its historical model. A
    file row whose (product, version, edition) the practice already set is
    left as the practice set it; shipped rows gone from the file are removed.
    """
    if model is None:
        from vcio.assets.models import EolRule

        model = EolRule
    rows = read_shipped(path)
    result = SyncResult()
    with transaction.atomic():
        existing = {(r.product, r.version, r.edition): r for r in model.objects.all()}
        to_create, to_update, in_file = [], [], set()
        for row in rows:
            key = (row["product"], row["version"], row["edition"])
            in_file.add(key)
            current = existing.get(key)
            if current is None:
                to_create.append(model(shipped=True, **row))
            elif not current.shipped:
                result.kept_practice += 1
            elif (current.end_of_support, current.source_url) != (
                row["end_of_support"],
                row["source_url"],
            ):
                current.end_of_support, current.source_url = (
                    row["end_of_support"],
                    row["source_url"],
                )
                to_update.append(current)
            else:
                result.unchanged += 1
        stale = [r.pk for key, r in existing.items() if r.shipped and key not in in_file]
        model.objects.bulk_create(to_create)
        model.objects.bulk_update(to_update, ["end_of_support", "source_url"])
        model.objects.filter(pk__in=stale).delete()
    result.created, result.updated, result.removed = len(to_create), len(to_update), len(stale)
    return result


def add_practice_rule(
    product: str,
    version: str,
    end_of_support: datetime.date,
    edition: str = "",
    source_url: str = "",
) -> tuple[Any, bool]:
    """Create or change a practice row; returns ``(rule, created)``.

    A practice row with the key of a shipped row takes it over: it becomes a
    practice row and later syncs leave it alone. The product's spelling
    follows an existing row ("windows 10" → "Windows 10").
    """
    from vcio.assets.models import EolRule

    product, version, edition = _clean(product), _clean(version), _clean(edition)
    if not product:
        raise ValueError("product is empty")
    known = EolRule.objects.filter(product__iexact=product).values_list("product", flat=True)
    product = next(iter(known), product)
    rule, created = EolRule.objects.update_or_create(
        product=product,
        version=version,
        edition=edition,
        defaults={"end_of_support": end_of_support, "source_url": source_url, "shipped": False},
    )
    return rule, created
