"""Public endpoints that need no login."""

from pathlib import Path
from typing import Any

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_GET

from vcio.core import links


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, whose e-mailed link uses ``VCIO_BASE_URL`` when it is set.

    Behind a proxy the request's host can be an internal name; the address
    people reach vcio at is the one configured. Unset, the request's own
    address is used (it is absolute either way).
    """

    def form_valid(self, form: Any) -> HttpResponse:
        found = links.protocol_and_domain()
        if found is None:
            return super().form_valid(form)
        protocol, domain = found
        form.save(
            domain_override=domain,
            use_https=protocol == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


FAVICON = Path(__file__).resolve().parents[2] / "static" / "vcio" / "favicon.ico"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon browsers ask for at ``/favicon.ico`` on every page (public, cached a day)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
