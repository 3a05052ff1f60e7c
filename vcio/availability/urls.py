"""The availability app's pages, all under one client: ``/clients/<client>/...``.

Each views module owns its ``urlpatterns``; this file only joins them, so
the status board, the service page, monitors and the service's parts
(maintenance windows, alert channels) grow without one shared list.
"""

from __future__ import annotations

from importlib import import_module

app_name = "availability"

_MODULES = ("board", "services", "monitors", "parts")

urlpatterns = []
for _name in _MODULES:
    try:
        _module = import_module(f"vcio.availability.views.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"vcio.availability.views.{_name}":
            raise
        continue  # that section is not written yet
    urlpatterns += _module.urlpatterns
