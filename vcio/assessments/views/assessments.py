"""Pages: see urls.py. Filled in by its own change."""

urlpatterns: list = []
