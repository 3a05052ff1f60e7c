#!/usr/bin/env python3
"""The local target of ``bench/availability.py``: answers every GET with 200 and a small body.

Runs in its own process so serving does not take CPU time from the event
loop being measured. Listens on 127.0.0.1 on a free port, prints that port
on one line of stdout, and serves until SIGTERM or until stdin closes (so
it never outlives a bench that was killed).

    python bench/_availability_target.py
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web

BODY = b"<html><body>ok</body></html>\n"  # small, like a health page


async def answer(request: web.Request) -> web.Response:
    """200 and BODY for any path (each monitor has its own URL)."""
    return web.Response(body=BODY, content_type="text/html")


async def serve() -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)  # logging each request would be the bottleneck
    await runner.setup()
    # A deep backlog: blackbox_exporter opens a new connection per probe, 200 at once,
    # and a dropped SYN would cost a 1 s retransmit.
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(port, flush=True)

    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    # EOF on stdin: the parent is gone.
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1(4096) or done.set())
    await done.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve())
