"""The project's URLs plus the agent endpoint, until vcio/urls.py includes it."""

from django.urls import include, path

from vcio.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("", include("vcio.capacity.agent_urls")), *project_urlpatterns]
