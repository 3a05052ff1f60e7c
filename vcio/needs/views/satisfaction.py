"""Stub: filled in by the satisfaction helper."""

from __future__ import annotations

urlpatterns: list = []
