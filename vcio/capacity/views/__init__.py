"""The capacity app's pages; each module exports its own ``urlpatterns``."""

CLIENT = "clients/<slug:client>/"
