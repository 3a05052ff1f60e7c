"""The help-desk API's routes, mounted under ``/api/``.

Each slice (tickets, topics, analytics, push) owns a ``urls_*`` module; this
file only joins them.
"""

from __future__ import annotations

from vcio.helpdesk.api import urls_analytics, urls_push, urls_tickets, urls_topics

app_name = "helpdesk-api"

urlpatterns = [
    *urls_tickets.urlpatterns,
    *urls_topics.urlpatterns,
    *urls_analytics.urlpatterns,
    *urls_push.urlpatterns,
]
