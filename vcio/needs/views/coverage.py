"""Stub: filled in by the coverage helper."""

from __future__ import annotations

urlpatterns: list = []
