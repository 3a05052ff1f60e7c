"""Stub: filled in by the surveys helper."""

from __future__ import annotations

urlpatterns: list = []
