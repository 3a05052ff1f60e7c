"""The capacity app's pages, all under one client: ``/clients/<client>/capacity/...``.

Each views module owns its ``urlpatterns``; this file only joins them.
"""

from __future__ import annotations

from vcio.capacity.views import discovered, machine, overview, sources, tokens

app_name = "capacity"

urlpatterns = [
    *overview.urlpatterns,
    *machine.urlpatterns,
    *sources.urlpatterns,
    *tokens.urlpatterns,
    *discovered.urlpatterns,
]
