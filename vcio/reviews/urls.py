"""The reviews pages under a client: joined from each views module's urlpatterns."""

from __future__ import annotations

app_name = "reviews"

urlpatterns: list = []
