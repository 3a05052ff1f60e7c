"""The department head's answer page: no login, the random key in the link is the credential.

``GET /survey/<key>/`` shows the questions (or, once answered, the answers
read-only); ``POST`` checks and saves them once. Every request first counts
against the address's rate limit (429 past it, nothing read or written).
An unknown link is a 404, an expired or revoked one a 410; neither shows
anything of the client. A second submission is a 409 that writes nothing.
The page works without JavaScript and on a phone; it carries none of the
practice's navigation, and tells the browser not to send the link on
(``Referrer-Policy: no-referrer``) nor keep the page (``Cache-Control: no-store``).
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views import View

from vcio.needs import answering, throttle
from vcio.needs.models import Invitation

CLOSED_PAGES = {
    "unknown": (404, "This survey link does not work",
                "The link is not known. Check that it was copied whole from the email, or ask "
                "your IT advisor for a new one."),
    "expired": (410, "This survey link has expired",
                "The survey this link belongs to has closed. If you still want to answer, ask "
                "your IT advisor for a new link."),
    "revoked": (410, "This survey link has been withdrawn",
                "Your IT advisor withdrew this link (perhaps a newer one was sent to you). Use "
                "the link in the latest email, or ask for a new one."),
}  # fmt: skip


def private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class AnswerPage(View):
    """One invitation's answer page (public: see the module's docstring)."""

    http_method_names = ["get", "post"]
    model = Invitation

    def dispatch(self, request, *args, **kwargs):
        wait = throttle.count_request(request)
        if wait is not None:
            return self.throttled(wait)
        self.invitation = answering.find_invitation(kwargs["token"])
        if self.invitation is None:
            return self.closed("unknown")
        state = self.invitation.state()
        if state in ("expired", "revoked"):
            return self.closed(state)
        return super().dispatch(request, *args, **kwargs)

    def page(self, template: str, ctx: dict, status: int = 200) -> HttpResponse:
        return private(render(self.request, f"needs/answer/{template}", ctx, status=status))

    def closed(self, why: str) -> HttpResponse:
        status, title, text = CLOSED_PAGES[why]
        return self.page("closed.html", {"title": title, "text": text}, status)

    def throttled(self, wait: int) -> HttpResponse:
        minutes = max(1, (wait + 59) // 60)
        response = self.page("throttled.html", {"minutes": minutes}, 429)
        response["Retry-After"] = str(wait)
        return response

    def context(self, **extra) -> dict:
        invitation = self.invitation
        return {
            "invitation": invitation,
            "round": invitation.round,
            "client_name": invitation.round.client.name,
            "department_name": invitation.department.name,
            "version": invitation.round.version,
            **extra,
        }

    def get(self, request, token: str):
        if self.invitation.submitted_at is not None:
            return self.answered()
        answering.mark_opened(self.invitation)
        return self.form({}, {})

    def form(self, values: dict, errors: dict, status: int = 200) -> HttpResponse:
        questions = answering.questions_of(self.invitation)
        services = answering.services_of(self.invitation)
        rows = answering.form_rows(questions, services, values, errors)
        problems = [msg for row in rows for msg in row["errors"]]
        return self.page("form.html", self.context(rows=rows, problems=problems), status)

    def answered(self, status: int = 200, again: bool = False) -> HttpResponse:
        rows = answering.answered_rows(self.invitation)
        return self.page("answered.html", self.context(rows=rows, again=again), status)

    def post(self, request, token: str):
        if self.invitation.submitted_at is not None:
            return self.answered(status=409, again=True)
        questions = answering.questions_of(self.invitation)
        services = answering.services_of(self.invitation)
        draft = answering.check(self.invitation, request.POST, questions, services)
        if draft.errors:
            return self.form(draft.values, draft.errors, status=400)
        try:
            self.invitation = answering.submit(self.invitation, draft)
        except answering.AlreadySubmitted:
            self.invitation.refresh_from_db()
            if self.invitation.submitted_at is None:
                return self.closed(self.invitation.state())
            return self.answered(status=409, again=True)
        # Redirect, so a reload shows the answers rather than posting them again.
        url = reverse("needs:answer", kwargs={"token": token}) + "?sent=1"
        return private(HttpResponseRedirect(url, status=303))


urlpatterns = [
    path("survey/<str:token>/", AnswerPage.as_view(), name="answer"),
]
