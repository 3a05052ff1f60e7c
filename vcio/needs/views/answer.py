"""Stub: filled in by the answer helper."""

from __future__ import annotations

urlpatterns: list = []
