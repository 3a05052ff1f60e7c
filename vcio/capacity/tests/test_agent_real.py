"""Debian's fusioninventory-agent inventories this machine into a client's assets, for real.

The agent runs as a subprocess against a live vcio server on 127.0.0.1,
with the command line vcio shows for the client's ingest token. It needs
the Debian package (``make deps-test`` installs it): without it this test
fails, it does not skip.
"""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
from pathlib import Path

from vcio.assets.models import Asset
from vcio.capacity import agent
from vcio.capacity.hosts import short_name
from vcio.capacity.models import AgentContact, IngestToken

AGENT = Path("/usr/bin/fusioninventory-agent")
# Where the Debian agent keeps a state directory per server URL (fixed at build time).
AGENT_VARDIR = Path("/var/lib/fusioninventory-agent")
# Not read from /etc/fusioninventory (a server or tasks set there would change the run),
# no web interface of its own, its log on stderr.
TEST_OPTIONS = ["--config=none", "--no-httpd", "--logger=stderr", "--timeout=60"]


def run_agent(command: str) -> subprocess.CompletedProcess:
    """Run the agent once in the foreground; it exits after sending its inventory."""
    return subprocess.run(
        [*shlex.split(command), *TEST_OPTIONS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_agent_sends_this_machine_to_the_tokens_client(
    transactional_db, live_server, acme
):
    assert AGENT.exists(), (
        f"{AGENT} is missing: run `make deps-test` to install Debian's fusioninventory-agent"
    )
    _, key = IngestToken.issue(acme, "this machine")
    command = agent.agent_command(live_server.url, key)
    state = AGENT_VARDIR / agent.agent_url(live_server.url, key).replace("/", "_")
    try:
        done = run_agent(command)
        first = AgentContact.objects.filter(client=acme).first()
        again = run_agent(command)  # the next run: the same machine, the same asset
    finally:
        if state.parent == AGENT_VARDIR and state.is_dir():
            shutil.rmtree(state)  # the agent's "last state" for this one-off URL

    for run in (done, again):
        log = f"{run.stdout}\n{run.stderr}"
        assert run.returncode == 0, log
        assert "[error]" not in log, log
    hostname = short_name(socket.gethostname())
    assets = [a for a in Asset.objects.filter(client=acme) if short_name(a.name) == hostname]
    assert len(assets) == 1, (hostname, list(Asset.objects.values_list("client__slug", "name")))
    machine = assets[0]
    assert machine.source == "ocs"
    assert machine.os_name  # the agent always reports the OS
    assert machine.ram_gb and machine.ram_gb > 0  # HARDWARE/MEMORY at least
    assert machine.last_seen is not None
    assert machine.installed_software.exists()  # the agent lists the dpkg packages
    contact = AgentContact.objects.get(client=acme)
    assert contact.asset == machine
    assert contact.device_id == machine.external_id
    assert contact.agent.startswith("FusionInventory-Agent_v2.6")
    assert contact.last_inventory_at > first.last_inventory_at
    assert not Asset.objects.exclude(client=acme).exists()
