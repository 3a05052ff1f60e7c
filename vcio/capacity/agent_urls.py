"""URL of the FusionInventory / OCS agent endpoint (included from vcio/urls.py at the root)."""

from django.urls import path

from vcio.capacity.views.agent import agent_endpoint

urlpatterns = [
    path("ingest/agent/<str:key>/", agent_endpoint, name="capacity-agent"),
    # Also without the final slash: the agent does not follow the redirect of a POST.
    path("ingest/agent/<str:key>", agent_endpoint, name="capacity-agent-no-slash"),
]
