"""The server side of the FusionInventory / OCS agent protocol, one URL per client.

An agent is pointed at ``<vcio>/ingest/agent/<ingest token key>/`` (the
agent cannot send a bearer header, so the key is in the path and the
token decides the client: nothing in the message can name another one).
It POSTs an XML ``<REQUEST>`` compressed with zlib (``Content-Type:
application/x-compress-zlib``; gzip when the agent's Perl lacks
Compress::Zlib, plain XML with ``--no-compression``) and expects the
reply in the same form:

- ``<QUERY>PROLOG</QUERY>`` → ``<REPLY><RESPONSE>SEND</RESPONSE>
  <PROLOG_FREQ>24</PROLOG_FREQ></REPLY>``: "send an inventory", and come
  back in PROLOG_FREQ hours (the agent's daemon reads it as its delay).
- ``<QUERY>INVENTORY</QUERY>`` → the machine is imported as an asset of
  the token's client through the assets importer's OCS reader (the same
  path as an uploaded ``.xml``/``.ocs`` file, keyed by the agent's
  DEVICEID), then ``<REPLY><RESPONSE>ACCOUNT_UPDATE</RESPONSE></REPLY>``.
  The agent ignores what the reply says but drops its "last state" unless
  the reply is an XML ``<REPLY>``.

Anything else is refused with a :class:`ProtocolError` whose message
says what was wrong, before anything is written; an inventory the
importer refuses writes no asset (the contact records the error).
Each contact is kept in :class:`~vcio.capacity.models.AgentContact`.

Observed from Debian's fusioninventory-agent 2.6: two POSTs, PROLOG
(137 bytes) then INVENTORY (~20 kB compressed), User-Agent
``FusionInventory-Agent_v2.6-3``; no GET, no JSON protocol for the
inventory task.
"""

from __future__ import annotations

import gzip
import io
import shlex
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.db import IntegrityError, transaction
from django.utils import timezone

from vcio.assets.inventory import MAX_FILE_BYTES, BadFile, Machine, clean, ocs
from vcio.assets.models import Asset
from vcio.capacity import hosts
from vcio.capacity.models import AgentContact, IngestToken
from vcio.core.importer import engine

# A compressed inventory is ~20 kB (800 packages); 16 MB is room for any real one.
MAX_BODY_BYTES = 16 * 1024 * 1024
# What a compressed body may expand to: the OCS reader's own bound for a file.
MAX_XML_BYTES = MAX_FILE_BYTES
# Hours until the agent's next contact (its daemon waits up to this long).
PROLOG_FREQ_HOURS = 24
SOURCE = "ocs"  # the OCS reader's source: an uploaded .ocs file and the agent find the same asset

ZLIB, GZIP, PLAIN = "zlib", "gzip", "none"
_CONTENT_TYPES = {
    ZLIB: "application/x-compress-zlib",
    GZIP: "application/x-compress-gzip",
    PLAIN: "application/xml",
}
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


class ProtocolError(Exception):
    """A message vcio cannot take; ``status`` is the HTTP status, the message says why."""

    status = 400


class TooLarge(ProtocolError):
    status = 413


@dataclass
class Message:
    """One agent request, decoded."""

    query: str  # "PROLOG" or "INVENTORY"
    device_id: str
    xml: bytes
    root: Element
    compression: str  # how it came, and so how the reply goes: ZLIB, GZIP or PLAIN


@dataclass
class Reply:
    """What to answer: the body (compressed like the request) and its content type."""

    body: bytes
    content_type: str
    contact: AgentContact


# --- reading a request -------------------------------------------------------------


def check_length(content_length: str | None) -> None:
    """Raise TooLarge when the declared body is over MAX_BODY_BYTES (before reading it)."""
    try:
        size = int(content_length or 0)
    except ValueError:
        size = 0
    if size > MAX_BODY_BYTES:
        raise TooLarge(_too_large(size))


def read_body(read: Callable[[int], bytes]) -> bytes:
    """At most MAX_BODY_BYTES of the request body (``read`` = request.read); else TooLarge.

    Read from the stream, not ``request.body``: Django refuses a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) there, and an uncompressed
    inventory (``--no-compression``) of a big Windows machine can be larger.
    """
    body = read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(_too_large(len(body)))
    return body


def _too_large(size: int) -> str:
    return (
        f"The agent's message is {_size(size)}; at most {_size(MAX_BODY_BYTES)} "
        "is accepted (compressed)."
    )


def _size(n: int) -> str:
    """``n`` bytes for a message: "16 MB", "1.5 MB", "1000 bytes"."""
    return f"{n / 2**20:.3g} MB" if n >= 2**20 else f"{n} bytes"


def decompress(body: bytes) -> tuple[bytes, str]:
    """``(xml, compression)``: the body inflated (zlib or gzip) or as it is when it is XML.

    Expansion stops at MAX_XML_BYTES, so a small "zip bomb" cannot fill memory.
    """
    if not body.strip():
        raise ProtocolError("The request body is empty: the agent sends a compressed XML message.")
    if body[:2] in _ZLIB_HEADERS:
        return _inflate(body, zlib.MAX_WBITS, "zlib"), ZLIB
    if body[:2] == b"\x1f\x8b":
        return _inflate(body, 16 + zlib.MAX_WBITS, "gzip"), GZIP
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return body, PLAIN
    raise ProtocolError(
        "The request body is neither zlib- nor gzip-compressed XML nor XML: "
        f"it starts with {body[:8]!r}."
    )


def _inflate(body: bytes, wbits: int, name: str) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        xml = inflater.decompress(body, MAX_XML_BYTES)
    except zlib.error as exc:
        raise ProtocolError(f"The body is not valid {name} data ({exc}).") from None
    if inflater.unconsumed_tail:
        raise TooLarge(f"The agent's message expands to more than {_size(MAX_XML_BYTES)}.")
    return xml


def parse(body: bytes) -> Message:
    """The agent's message in ``body``; ProtocolError naming what is wrong with it."""
    xml, compression = decompress(body)
    root = _load(xml)
    query = clean(root.findtext("QUERY")).upper()
    device_id = clean(root.findtext("DEVICEID"))
    if query not in ("PROLOG", "INVENTORY"):
        shown = f"<QUERY>{query}</QUERY>" if query else "no <QUERY>"
        raise ProtocolError(
            f"The message has {shown}: this server answers PROLOG and INVENTORY only "
            "(run the agent with --tasks=inventory)."
        )
    if not device_id:
        raise ProtocolError(f"The {query} message has no <DEVICEID>: the agent always sends one.")
    return Message(query, device_id[:200], xml, root, compression)


def _load(xml: bytes) -> Element:
    """The ``<REQUEST>`` element of a message (a PROLOG has no CONTENT, unlike an inventory).

    Parsed like the OCS reader parses files: defusedxml, DTDs refused.
    """
    if not xml.startswith(b"\xef\xbb\xbf"):
        xml = xml.lstrip()
    try:
        root = fromstring(xml, forbid_dtd=True)
    except DefusedXmlException:
        raise ProtocolError("The message has a DTD or entities, which are not allowed.") from None
    except ParseError as exc:
        line, col = exc.position
        raise ProtocolError(
            f"The message is not valid XML (line {line}, column {col + 1})."
        ) from None
    if root.tag != "REQUEST":
        raise ProtocolError(
            f"The message is not a FusionInventory/OCS agent request (<{root.tag}>, not <REQUEST>)."
        )
    return root


# --- answering ----------------------------------------------------------------------


def answer(token: IngestToken, body: bytes, user_agent: str = "") -> Reply:
    """Handle one request of ``token``'s agent: the reply to send, compressed like the request.

    Raises ProtocolError (400/413) for a message vcio cannot take; nothing
    is written then, except the error on the contact of a known device.
    """
    message = parse(body)
    if message.query == "PROLOG":
        contact = record_contact(token, message, user_agent)
        xml = reply_xml("SEND", prolog_freq=PROLOG_FREQ_HOURS)
    else:
        contact = import_inventory(token, message, user_agent)
        xml = reply_xml("ACCOUNT_UPDATE")
    return Reply(encode(xml, message.compression), _CONTENT_TYPES[message.compression], contact)


def reply_xml(response: str, prolog_freq: int | None = None) -> bytes:
    """A ``<REPLY>`` with this RESPONSE (and PROLOG_FREQ, in hours, when given)."""
    freq = f"<PROLOG_FREQ>{prolog_freq}</PROLOG_FREQ>" if prolog_freq is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<REPLY><RESPONSE>{response}</RESPONSE>{freq}</REPLY>\n"
    ).encode()


def encode(xml: bytes, compression: str) -> bytes:
    """``xml`` compressed as the request was.

    zlib at the default level: the agent recognises a zlib reply by its
    ``78 9C`` header only, which other levels do not write.
    """
    if compression == ZLIB:
        return zlib.compress(xml, 6)
    if compression == GZIP:
        return gzip.compress(xml)
    return xml


# --- recording ----------------------------------------------------------------------


def agent_name(message: Message, user_agent: str) -> str:
    """The agent's version as it names itself (VERSIONCLIENT), else its User-Agent."""
    return (clean(message.root.findtext("CONTENT/VERSIONCLIENT")) or clean(user_agent))[:120]


def record_contact(
    token: IngestToken,
    message: Message,
    user_agent: str,
    *,
    asset: Asset | None = None,
    error: str = "",
) -> AgentContact:
    """The client's contact row for this device, updated with this contact (created if new).

    An inventory sets ``asset`` and ``last_inventory_at`` and clears
    ``last_error``; a failed one sets ``last_error`` only; every contact
    (a PROLOG too, which leaves the last inventory's error shown) sets
    ``last_contact_at``.
    """
    now = timezone.now()
    values: dict[str, object] = {"last_contact_at": now}
    if asset is not None or error:
        values["last_error"] = error[:500]
    name = agent_name(message, user_agent)
    if name:
        values["agent"] = name
    if asset is not None:
        values.update(asset=asset, last_inventory_at=now)
    lookup = {"client_id": token.client_id, "device_id": message.device_id}
    try:
        with transaction.atomic():
            contact, _ = AgentContact.objects.update_or_create(**lookup, defaults=values)
    except IntegrityError:  # pragma: no cover - the same agent twice at once
        contact = AgentContact.objects.get(**lookup)
        AgentContact.objects.filter(pk=contact.pk).update(**values)
    return contact


def import_inventory(token: IngestToken, message: Message, user_agent: str) -> AgentContact:
    """Create or update the machine as an asset of the token's client; its contact row.

    Goes through the asset importer (``engine.run`` with the OCS reader), so
    the agent and an uploaded file map the inventory the same way and find
    the same asset (by source "ocs" + DEVICEID, else serial, else asset tag).
    All or nothing: ProtocolError when the importer refuses the machine.
    """
    try:
        machine = ocs.read_one(message.device_id, message.xml)
    except BadFile as exc:
        raise ProtocolError(f"The inventory cannot be read: {exc}.") from None
    filename = f"{message.device_id}.xml"
    try:
        with transaction.atomic():
            _adopt_discovered(token.client_id, message.device_id, machine)
            report = engine.run(
                "assets", token.client, [(filename, io.BytesIO(message.xml))], format="ocs"
            )
            if not report.committed:
                raise ProtocolError(_refusal(report))
            asset = imported_asset(token.client_id, message.device_id, machine)
            Asset.objects.filter(pk=asset.pk).update(last_seen=timezone.now())
    except ProtocolError as exc:
        record_contact(token, message, user_agent, error=str(exc))
        raise
    return record_contact(token, message, user_agent, asset=asset)


def _refusal(report: engine.ImportReport) -> str:
    problems = "; ".join(str(p) for p in report.problems[:5]) or "no row was imported"
    return f"The inventory was not imported: {problems}."


def _adopt_discovered(client_id: int, device_id: str, machine: Machine) -> None:
    """Give the agent's identity to the asset a metrics exporter discovered by hostname.

    The importer finds assets by (source, external id), serial or asset tag,
    never by name; without this the first inventory of a host that
    node_exporter already reported would make a second asset of it.
    """
    if Asset.objects.filter(client_id=client_id, source=SOURCE, external_id=device_id).exists():
        return
    found = hosts.find_asset(client_id, machine.name, machine.serial)
    if found is None or found.external_id:
        return
    serial = hosts.usable_serial(machine.serial)
    # Same name, another serial: another machine (two sites each with an "fs01").
    if not found.serial or not serial or found.serial.casefold() == serial.casefold():
        Asset.objects.filter(pk=found.pk).update(source=SOURCE, external_id=device_id)


def imported_asset(client_id: int, device_id: str, machine: Machine) -> Asset:
    """The asset the importer wrote for ``machine``: by its device id, else serial, else tag."""
    assets = Asset.objects.filter(client_id=client_id)
    found = assets.filter(source=SOURCE, external_id=device_id).first()
    if found is None and hosts.usable_serial(machine.serial):
        found = assets.filter(serial__iexact=machine.serial).first()
    if found is None and machine.asset_tag:
        found = assets.filter(asset_tag__iexact=machine.asset_tag).first()
    if found is None:  # the importer committed, so one of the keys matched
        raise ProtocolError(f"The inventory of {machine.name or device_id} left no asset.")
    return found


# --- setting an agent up --------------------------------------------------------------


def agent_url(base_url: str, key: str) -> str:
    """The URL an agent of the key's client reports to: ``<base>/ingest/agent/<key>/``."""
    return f"{base_url.rstrip('/')}/ingest/agent/{key}/"


def agent_command(base_url: str, key: str) -> str:
    """The command line that sends this machine's inventory to the key's client, now.

    ``--tasks=inventory``: the other tasks (WakeOnLan, deploy, …) talk
    protocols this server does not answer.
    """
    url = shlex.quote(agent_url(base_url, key))
    return f"fusioninventory-agent --server {url} --tasks=inventory"


def agent_config(base_url: str, key: str) -> str:
    """The lines of ``/etc/fusioninventory/agent.cfg`` for the agent's daemon or cron job."""
    return f"server = {agent_url(base_url, key)}\ntasks = inventory\n"
