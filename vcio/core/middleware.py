"""Request guards that belong before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The request contains a NUL character (\\0), which no field accepts."
# Raw, percent-encoded and JSON-escaped spellings of the NUL character.
_NUL_SPELLINGS = (b"\x00", b"%00", b"\\u0000")
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")
# Agents' and exporters' pushes: up to VCIO_INGEST_MAX_MB, past Django's 2.5 MB cap on
# request.body, so their views read the stream themselves and refuse NULs there.
RAW_BODY_PATHS = ("/api/ingest/", "/ingest/")


class RejectNulCharactersMiddleware:
    """Answer 400 to any request carrying a NUL character in its parameters or body.

    No field of vcio accepts one and PostgreSQL cannot store one in text, so
    rejecting it here, once, keeps every lookup and filter from turning it
    into a 500. Uploaded files (multipart) are left to their importers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query or "\x00" in request.path:
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.path.startswith(RAW_BODY_PATHS):
            return False
        if content_type.startswith(_TEXT_BODIES):
            body = request.body
            return any(s in body for s in _NUL_SPELLINGS)
        if content_type.startswith("multipart/form-data"):
            return any("\x00" in v for values in request.POST.lists() for v in values[1])
        return False


_MB = 1024 * 1024
# Room for the form's other fields beside the files.
_FORM_MARGIN = _MB


def body_limit() -> int:
    """The largest request body vcio reads, in bytes: one upload of VCIO_IMPORT_MAX_MB."""
    return settings.VCIO_IMPORT_MAX_MB * _MB + _FORM_MARGIN


class RefuseOversizeBodyMiddleware:
    """Answer 413 to a request whose declared body is over :func:`body_limit`, unread.

    Checked on the Content-Length header before anything (CSRF, the NUL
    guard, the upload handlers) reads the body, so a 2 GB upload costs
    neither memory nor disk. The limit is for one upload, all its files
    together. ``vcio serve`` gives waitress the same limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > body_limit():
            limit = settings.VCIO_IMPORT_MAX_MB
            message = (
                f"The upload is {size / _MB:.1f} MB; at most {limit} MB can be sent at once "
                "(VCIO_IMPORT_MAX_MB). Split the file, "
                "or ask your administrator to raise the limit."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
