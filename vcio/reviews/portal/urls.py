"""The client portal: what a client's executives see of their own client."""

from __future__ import annotations

app_name = "portal"

urlpatterns: list = []
