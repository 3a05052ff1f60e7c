"""The FusionInventory / OCS agent endpoint: one URL per client, the ingest token key in it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import exceptions

from vcio.capacity import agent, tokens


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # an agent, not a browser: the key in the URL is its credential
@require_POST
def agent_endpoint(request: HttpRequest, key: str) -> HttpResponse:
    """Answer one agent message (PROLOG or INVENTORY) for the key's client.

    401 for a wrong or revoked key, 429 while the sender is blocked for
    guessing keys, 413 for an oversize body, 400 naming what is wrong with
    the message; else the reply the agent expects, compressed like its request.
    """
    try:
        token = tokens.authenticate(request, key)
    except exceptions.AuthenticationFailed as exc:
        return _text(str(exc.detail), 401)
    except exceptions.Throttled as exc:
        response = _text(str(exc.detail), 429)
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response
    try:
        agent.check_length(request.META.get("CONTENT_LENGTH"))
        body = agent.read_body(request.read)
        reply = agent.answer(token, body, request.META.get("HTTP_USER_AGENT", ""))
    except agent.ProtocolError as exc:
        return _text(str(exc), exc.status)
    return HttpResponse(reply.body, content_type=reply.content_type)
