"""The practice's own pages: ``/practice/`` (economics), ``/practice/time/`` (time entry and
import), ``/practice/fees/`` and ``/practice/people/``. Never in the client portal."""

from __future__ import annotations

from vcio.practice.views import fees, page, time

app_name = "practice"

urlpatterns = [*page.urlpatterns, *time.urlpatterns, *fees.urlpatterns]
