"""How ``vcio serve`` runs waitress, including behind a TLS-terminating proxy.

Behind nginx, Caddy or a load balancer the browser speaks HTTPS to the
proxy and the proxy speaks HTTP to waitress, saying so in
``X-Forwarded-Proto``. waitress drops such headers from any peer it does not
trust (rightly: anyone could send them), so without a trusted proxy every
request looked like plain HTTP and ``VCIO_HTTPS`` redirected it to https
again, forever, and never sent HSTS. ``VCIO_TRUSTED_PROXY`` names the proxy's
address; from that address (only) waitress takes the scheme and the client's
address from the headers in ``VCIO_TRUSTED_PROXY_HEADERS``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def proxy_options() -> dict[str, Any]:
    """waitress' trusted-proxy adjustments from the settings (none without a proxy)."""
    if not settings.VCIO_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.VCIO_TRUSTED_PROXY,
        "trusted_proxy_count": settings.VCIO_TRUSTED_PROXY_COUNT,
        "trusted_proxy_headers": set(settings.VCIO_TRUSTED_PROXY_HEADERS),
        # Forwarding headers from anyone else are removed before Django sees them.
        "clear_untrusted_proxy_headers": True,
    }


def create_server(application, host: str, port: int, threads: int):
    """The waitress server ``vcio serve`` runs (call ``.run()``), proxy settings applied."""
    from waitress import create_server as waitress_server

    from vcio.core.middleware import body_limit

    return waitress_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="vcio",
        # waitress buffers a body before the app sees it: the upload limit stops it there.
        max_request_body_size=body_limit(),
        **proxy_options(),
    )
