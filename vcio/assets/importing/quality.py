"""Which of two values of an asset's field says more: an import never trades a better for a worse.

Sources disagree in how much they know. A FusionInventory inventory
without its OPERATINGSYSTEM section reports the kernel ("4.8.11-040811-generic")
where a fuller one reported "16.04"; a spreadsheet's category vcio cannot
place is kind Other where an agent knew "laptop". Each rule here says when
the incoming value is worse than the stored one, and the import then keeps
the stored one (an empty cell is never written at all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vcio.assets.models import AssetKind

# "4.8.11-040811-generic", "3.10.0-1160.el7.x86_64", "5.15.0-91-generic": a
# kernel release, never a distribution's version (16.04, 22.04.3 LTS, 12).
_KERNEL = re.compile(r"^\d+\.\d+(?:\.\d+)*-\S+$")
_GENERIC_OS = frozenset({"linux", "gnu/linux", "unix", "unknown", "other"})


def is_kernel_version(value: str) -> bool:
    return bool(_KERNEL.match(value.strip()))


def _worse_kind(new: Any, old: Any) -> bool:
    return new == AssetKind.OTHER and old != AssetKind.OTHER


def _worse_os_name(new: Any, old: Any) -> bool:
    return str(new).strip().casefold() in _GENERIC_OS and str(old).casefold() not in _GENERIC_OS


def _worse_os_version(new: Any, old: Any) -> bool:
    new, old = str(new).strip(), str(old).strip()
    if is_kernel_version(new) and not is_kernel_version(old):
        return True
    # "16.04" where "16.04.3 LTS" is known says less; the other way round says more.
    return old != new and old.startswith(new)


RULES: dict[str, Callable[[Any, Any], bool]] = {
    "kind": _worse_kind,
    "os_name": _worse_os_name,
    "os_version": _worse_os_version,
}


def worse(field: str, new: Any, old: Any) -> bool:
    """True when ``new`` would replace a known ``old`` value of ``field`` with a worse one."""
    rule = RULES.get(field)
    return bool(old) and rule is not None and rule(new, old)
