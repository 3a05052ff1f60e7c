"""Public endpoints that need no login."""

from pathlib import Path

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


FAVICON = Path(__file__).resolve().parents[2] / "static" / "vcio" / "favicon.ico"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon browsers ask for at ``/favicon.ico`` on every page (public, cached a day)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
