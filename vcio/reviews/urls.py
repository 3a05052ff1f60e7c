"""The reviews pages under a client: joined from each views module's urlpatterns.

``/clients/<client>/reviews/`` lists them; the cadence, each review's page,
its decisions and action items, and its report (HTML and PDF) hang below.
"""

from __future__ import annotations

from importlib import import_module

app_name = "reviews"

# "cadence" and "reviews" first: their fixed words must win over a review's number.
_MODULES = ("cadence", "reviews", "detail", "agenda", "reports")

urlpatterns: list = []
for _name in _MODULES:
    urlpatterns += import_module(f"vcio.reviews.views.{_name}").urlpatterns
