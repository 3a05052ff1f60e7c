"""The help-desk app's pages, all under one client: ``/clients/<client>/helpdesk/...``.

Each views module owns its ``urlpatterns``; this file only joins them.
"""

from __future__ import annotations

from vcio.helpdesk.views import analytics, tickets, topics

app_name = "helpdesk"

urlpatterns = [*analytics.urlpatterns, *tickets.urlpatterns, *topics.urlpatterns]
