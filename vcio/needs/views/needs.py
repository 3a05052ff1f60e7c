"""Stub: filled in by the needs helper."""

from __future__ import annotations

urlpatterns: list = []
