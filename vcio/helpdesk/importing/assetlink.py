"""Which of the client's assets a ticket is about: a field naming it, else the text.

The client's identifiers (host names, serials, asset tags) are loaded once
per import into one dictionary; a ticket's subject and body are cut into
tokens by one regular expression and each token is looked up. So the cost
per ticket does not depend on how many assets the client has (no regex per
asset, no query per ticket).

Rules (in this order; the first that finds an asset wins):

1. **The asset field** ("Asset", "Configuration item", "cmdb_ci" …) names an
   asset by host name, serial or tag, in any case → ``field``.
2. **The text**: the first token of subject + body (in reading order) that is a
   serial → ``serial``, an asset tag → ``tag``, or a host name → ``hostname``. A
   fully qualified name ("pc-042.acme.local") also matches its first label.
   Identifiers shorter than 4 characters are not looked for in text: "PC1" or
   "42" would match ordinary words and numbers.
   An identifier two assets share is ambiguous and links neither.
"""

from __future__ import annotations

import re

from vcio.helpdesk.models import AssetMatch

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
MIN_TEXT_LENGTH = 4
_AMBIGUOUS = -1


def _fold(text: str) -> str:
    return text.strip().casefold()


class AssetIndex:
    """The client's asset identifiers → (asset id, how it matched), loaded with one query."""

    def __init__(self, client) -> None:
        from vcio.assets.models import Asset  # assets is optional for the help desk

        self.by_field: dict[str, int] = {}
        self.in_text: dict[str, tuple[int, str]] = {}
        rows = Asset.objects.filter(client=client).values_list("id", "name", "serial", "asset_tag")
        for pk, name, serial, tag in rows:
            for value, how in ((serial, AssetMatch.SERIAL), (tag, AssetMatch.TAG),
                               (name, AssetMatch.HOSTNAME)):  # fmt: skip
                key = _fold(value or "")
                if not key:
                    continue
                self._add(self.by_field, key, pk)
                if len(key) >= MIN_TEXT_LENGTH:
                    known = self.in_text.get(key)
                    if known is None:
                        self.in_text[key] = (pk, how)
                    elif known[0] != pk:
                        self.in_text[key] = (_AMBIGUOUS, how)

    @staticmethod
    def _add(index: dict[str, int], key: str, pk: int) -> None:
        known = index.setdefault(key, pk)
        if known != pk:
            index[key] = _AMBIGUOUS

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def match(self, named: str | None, subject: str, body: str) -> tuple[int | None, str]:
        """``(asset id, AssetMatch)`` for a ticket; ``(None, "")`` when nothing matches."""
        if not self.by_field:
            return None, AssetMatch.NONE
        if named:
            pk = self.by_field.get(_fold(named))
            if pk is not None and pk != _AMBIGUOUS:
                return pk, AssetMatch.FIELD
        for text in (subject, body):
            if not text:
                continue
            for token in _TOKEN.findall(text):
                key = token.casefold()
                hit = self.in_text.get(key)
                if hit is None and "." in key:
                    hit = self.in_text.get(key.split(".", 1)[0])
                if hit is not None and hit[0] != _AMBIGUOUS:
                    return hit
        return None, AssetMatch.NONE
