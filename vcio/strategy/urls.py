"""The strategy app's pages, all under one client: ``/clients/<client>/...``.

Each views module owns its ``urlpatterns``; this file only joins them, so
goals, recommendations, initiatives, the roadmap and the budget can grow
without touching one shared list.
"""

from __future__ import annotations

from importlib import import_module

app_name = "strategy"

_MODULES = ("goals", "weights", "recommendations", "initiatives", "roadmap", "budget", "replan")

urlpatterns = []
for _name in _MODULES:
    try:
        _module = import_module(f"vcio.strategy.views.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"vcio.strategy.views.{_name}":
            raise
        continue  # that section is not written yet
    urlpatterns += _module.urlpatterns
