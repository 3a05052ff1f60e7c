"""The FusionInventory / OCS agent protocol, as the agent speaks it, at /ingest/agent/<key>/.

The inventory fixture is trimmed from what Debian's fusioninventory-agent
2.6 sends; test_agent_real.py runs the agent itself.
"""

from __future__ import annotations

import gzip
import zlib
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from vcio.assets.models import Asset, AssetKind, AssetStatus
from vcio.capacity import agent
from vcio.capacity.models import AgentContact, IngestToken

INVENTORY = (Path(__file__).parent / "data" / "agent-inventory.xml").read_bytes()
DEVICE_ID = "fs01-2026-12-03-11-53-33"
PROLOG = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST>\n'
    b"  <DEVICEID>" + DEVICE_ID.encode() + b"</DEVICEID>\n"
    b"  <QUERY>PROLOG</QUERY>\n  <TOKEN>12345678</TOKEN>\n</REQUEST>\n"
)
USER_AGENT = "FusionInventory-Agent_v2.6-3"
ZLIB_TYPE = "application/x-compress-zlib"


@pytest.fixture
def acme_key(acme) -> str:
    return IngestToken.issue(acme, "acme agents")[1]


@pytest.fixture
def globex_key(globex) -> str:
    return IngestToken.issue(globex, "globex agents")[1]


def send(client, key: str, xml: bytes, *, compress=zlib.compress, content_type=ZLIB_TYPE):
    """POST ``xml`` as the agent does: compressed, with its User-Agent."""
    return client.post(
        f"/ingest/agent/{key}/",
        data=compress(xml) if compress else xml,
        content_type=content_type,
        HTTP_USER_AGENT=USER_AGENT,
    )


def reply(response) -> ElementTree.Element:
    """The agent's view of a reply: zlib recognised by its 78 9C header, like the agent does."""
    assert response.status_code == 200, response.content
    assert response.content[:2] == b"\x78\x9c"
    return ElementTree.fromstring(zlib.decompress(response.content))


def inventory(**changes: bytes) -> bytes:
    xml = INVENTORY
    for old, new in changes.items():
        xml = xml.replace(old.encode(), new)
    return xml


# --- the dialogue ----------------------------------------------------------------


def test_prolog_is_answered_send_with_a_daily_frequency(client, acme, acme_key):
    answer = reply(send(client, acme_key, PROLOG))

    assert answer.tag == "REPLY"
    assert answer.findtext("RESPONSE") == "SEND"
    assert answer.findtext("PROLOG_FREQ") == "24"
    contact = AgentContact.objects.get(client=acme)
    assert contact.device_id == DEVICE_ID
    assert contact.agent == USER_AGENT  # a PROLOG carries no VERSIONCLIENT
    assert contact.last_contact_at is not None
    assert (contact.last_inventory_at, contact.asset) == (None, None)
    assert not Asset.objects.exists()


def test_an_inventory_creates_the_machine_as_an_asset_of_the_tokens_client(client, acme, acme_key):
    answer = reply(send(client, acme_key, INVENTORY))

    assert answer.findtext("RESPONSE") == "ACCOUNT_UPDATE"
    server = Asset.objects.get(client=acme)
    assert (server.name, server.kind) == ("fs01", AssetKind.SERVER)
    assert server.serial == "7XK2Q93"
    assert (server.manufacturer, server.model) == ("Dell Inc.", "PowerEdge R440")
    assert (server.os_name, server.os_version) == ("Debian GNU/Linux", "12.8")
    assert server.cpu == "Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz"
    assert server.ram_gb == Decimal("32.00")  # two 16384 MB modules
    assert server.disk_gb == Decimal("480.00")  # the CD-ROM is not a disk
    assert (server.source, server.external_id) == ("ocs", DEVICE_ID)
    assert server.last_seen is not None
    contact = AgentContact.objects.get(client=acme, device_id=DEVICE_ID)
    assert contact.asset == server
    assert contact.agent == "FusionInventory-Agent_v2.6-3"
    assert contact.last_inventory_at is not None
    assert contact.last_contact_at is not None
    assert contact.last_error == ""


def test_the_same_machine_sent_again_updates_its_asset(client, acme, acme_key):
    reply(send(client, acme_key, PROLOG))
    reply(send(client, acme_key, INVENTORY))
    first = Asset.objects.get(client=acme)
    first_contact = AgentContact.objects.get(client=acme)

    reply(send(client, acme_key, inventory(**{"<CAPACITY>16384": b"<CAPACITY>32768"})))
    reply(send(client, acme_key, inventory(**{"<CAPACITY>16384": b"<CAPACITY>32768"})))

    again = Asset.objects.get(client=acme)  # one asset, never a duplicate
    assert again.pk == first.pk
    assert again.ram_gb == Decimal("64.00")
    assert again.last_seen >= first.last_seen
    contact = AgentContact.objects.get(client=acme)  # one contact per device
    assert contact.pk == first_contact.pk
    assert contact.last_inventory_at > first_contact.last_inventory_at


def test_a_host_an_exporter_discovered_is_completed_not_duplicated(client, acme, acme_key):
    discovered = Asset.objects.create(
        client=acme, name="fs01.acme.local", status=AssetStatus.DISCOVERED, source="agent"
    )

    reply(send(client, acme_key, INVENTORY))

    server = Asset.objects.get(client=acme)
    assert server.pk == discovered.pk
    assert (server.serial, server.source, server.external_id) == ("7XK2Q93", "ocs", DEVICE_ID)


def test_a_namesake_with_another_serial_stays_another_machine(client, acme, acme_key):
    other_site = Asset.objects.create(client=acme, name="fs01", serial="OTHER-SITE-1")

    reply(send(client, acme_key, INVENTORY))

    assert Asset.objects.filter(client=acme).count() == 2
    other_site.refresh_from_db()
    assert (other_site.serial, other_site.external_id) == ("OTHER-SITE-1", "")


def test_gzip_and_uncompressed_messages_are_answered_in_kind(client, acme, acme_key):
    gzipped = send(client, acme_key, PROLOG, compress=gzip.compress, content_type="x")
    plain = send(client, acme_key, INVENTORY, compress=None, content_type="application/xml")

    assert gzipped.content[:3] == b"\x1f\x8b\x08"
    assert b"<RESPONSE>SEND</RESPONSE>" in gzip.decompress(gzipped.content)
    assert plain.status_code == 200
    assert b"<RESPONSE>ACCOUNT_UPDATE</RESPONSE>" in plain.content
    assert Asset.objects.filter(client=acme).count() == 1


def test_the_url_without_its_final_slash_works_too(client, acme, acme_key):
    response = client.post(
        f"/ingest/agent/{acme_key}", data=zlib.compress(PROLOG), content_type=ZLIB_TYPE
    )
    assert reply(response).findtext("RESPONSE") == "SEND"


# --- who may write ------------------------------------------------------------------


def test_a_wrong_key_is_refused_and_nothing_is_written(client, acme, acme_key):
    response = send(client, acme_key + "x", INVENTORY)

    assert response.status_code == 401
    assert response.content.decode() == "Invalid ingest token."
    assert not Asset.objects.exists()
    assert not AgentContact.objects.exists()


def test_a_revoked_key_is_refused(client, acme):
    token, key = IngestToken.issue(acme, "old agent")
    token.revoke()

    response = send(client, key, INVENTORY)

    assert response.status_code == 401
    assert "revoked" in response.content.decode()
    assert not Asset.objects.exists()
    assert not AgentContact.objects.exists()


def test_the_key_decides_the_client_whatever_the_machine_says(client, acme, globex, globex_key):
    acme_server = Asset.objects.create(client=acme, name="fs01", serial="7XK2Q93", ram_gb=8)

    reply(send(client, globex_key, INVENTORY))  # the same serial, sent with Globex's key

    acme_server.refresh_from_db()
    assert acme_server.ram_gb == Decimal("8.00")  # Acme's asset is untouched
    assert acme_server.external_id == ""
    assert Asset.objects.get(client=globex).serial == "7XK2Q93"
    assert AgentContact.objects.get().client == globex


def test_guessing_keys_gets_the_address_blocked_good_key_included(client, acme, acme_key, settings):
    settings.VCIO_TOKEN_FAILURE_LIMIT = 3
    for guess in range(3):
        assert send(client, f"vcioi_guess{guess}", PROLOG).status_code == 401

    response = send(client, acme_key, PROLOG)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "try again in" in response.content.decode()
    assert not AgentContact.objects.exists()


def test_only_post_is_answered(client, acme_key):
    assert client.get(f"/ingest/agent/{acme_key}/").status_code == 405


# --- bad messages -------------------------------------------------------------------

BAD_MESSAGES = [
    pytest.param(b"", None, "The request body is empty", id="empty"),
    pytest.param(b"hello", None, "neither zlib- nor gzip-compressed XML nor XML", id="not-xml"),
    pytest.param(b"\x78\x9cnot zlib at all", None, "not valid zlib data", id="broken-zlib"),
    pytest.param(b"<REQUEST><QUERY>", zlib.compress, "not valid XML (line 1", id="broken-xml"),
    pytest.param(b"<html><body>hi</body></html>", zlib.compress, "(<html>, not <REQUEST>)",
                 id="not-a-request"),
    pytest.param(b"<REQUEST><DEVICEID>d</DEVICEID><QUERY>SNMPQUERY</QUERY></REQUEST>",
                 zlib.compress, "<QUERY>SNMPQUERY</QUERY>: this server answers PROLOG and "
                 "INVENTORY only", id="other-query"),
    pytest.param(b"<REQUEST><DEVICEID>d</DEVICEID></REQUEST>", zlib.compress,
                 "no <QUERY>", id="no-query"),
    pytest.param(b"<REQUEST><QUERY>PROLOG</QUERY></REQUEST>", zlib.compress,
                 "The PROLOG message has no <DEVICEID>", id="no-device-id"),
    pytest.param(b"<REQUEST><DEVICEID>d</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>",
                 zlib.compress, "not a FusionInventory/OCS inventory", id="inventory-no-content"),
    pytest.param(b"<REQUEST><CONTENT><BIOS/></CONTENT><DEVICEID>d</DEVICEID>"
                 b"<QUERY>INVENTORY</QUERY></REQUEST>", zlib.compress,
                 "no machine in it (no HARDWARE or DEVICE)", id="inventory-no-machine"),
    pytest.param(b'<!DOCTYPE r [<!ENTITY e "x">]><REQUEST><QUERY>PROLOG</QUERY></REQUEST>',
                 zlib.compress, "DTD or entities", id="dtd"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "compress", "message"), BAD_MESSAGES)
def test_a_message_that_is_not_a_prolog_or_an_inventory_is_refused_by_name(
    client, acme, acme_key, body, compress, message
):
    reply(send(client, acme_key, INVENTORY))  # one machine already known
    before = list(Asset.objects.values_list("pk", "updated_at"))

    response = send(client, acme_key, body, compress=compress)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Asset.objects.values_list("pk", "updated_at")) == before


def test_an_inventory_the_importer_refuses_writes_no_asset_and_notes_the_error(
    client, acme, acme_key
):
    # A machine with neither name nor any key: nothing would find it again.
    nameless = (
        b"<REQUEST><CONTENT><HARDWARE><MEMORY>1024</MEMORY></HARDWARE></CONTENT>"
        b"<DEVICEID>-2026-12-03-11-53-33</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>"
    )
    response = send(client, acme_key, nameless)

    assert response.status_code == 400
    assert response.content.decode().startswith("The inventory was not imported: ")
    assert not Asset.objects.exists()
    contact = AgentContact.objects.get(client=acme)
    assert contact.last_error.startswith("The inventory was not imported")
    assert (contact.asset, contact.last_inventory_at) == (None, None)
    reply(send(client, acme_key, PROLOG.replace(DEVICE_ID.encode(), b"-2026-12-03-11-53-33")))
    contact.refresh_from_db()
    assert contact.last_error  # the next run's PROLOG does not hide it


def test_an_oversize_body_is_refused_with_413(client, acme_key, monkeypatch):
    monkeypatch.setattr(agent, "MAX_BODY_BYTES", 1000)

    response = send(client, acme_key, INVENTORY, compress=None)

    assert response.status_code == 413
    assert response.content.decode() == (
        f"The agent's message is {len(INVENTORY)} bytes; at most 1000 bytes is accepted "
        "(compressed)."
    )
    assert not Asset.objects.exists()


def test_a_message_that_expands_too_far_is_refused_with_413(client, acme_key, monkeypatch):
    monkeypatch.setattr(agent, "MAX_XML_BYTES", 1000)

    response = send(client, acme_key, INVENTORY)

    assert response.status_code == 413
    assert "expands to more than" in response.content.decode()
    assert not Asset.objects.exists()


# --- setting an agent up ------------------------------------------------------------


def test_the_agent_command_line_for_a_clients_key():
    assert agent.agent_command("https://vcio.example.com/", "vcioi_abc-DEF_1") == (
        "fusioninventory-agent --server https://vcio.example.com/ingest/agent/vcioi_abc-DEF_1/"
        " --tasks=inventory"
    )
    assert agent.agent_config("https://vcio.example.com", "k") == (
        "server = https://vcio.example.com/ingest/agent/k/\ntasks = inventory\n"
    )
