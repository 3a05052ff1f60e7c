"""POST /api/ingest/<client>/metrics/: ingest tokens, both formats, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from vcio.assets.models import Asset
from vcio.capacity.models import IngestToken, Sample, Series

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def key(acme, bob):
    return IngestToken.issue(acme, "FS01 agent", bob)[1]


def push(client_slug, body, key=None, content_type="application/json", **query):
    http = APIClient()
    if key:
        http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    if isinstance(body, dict):
        body = json.dumps(body)
    url = f"/api/ingest/{client_slug}/metrics/"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return http.post(url, body, content_type=content_type)


def batch(*samples, host="fs01"):
    return {"host": host, "samples": list(samples)}


def now_iso(minutes_ago=5):
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def test_a_json_batch_is_stored_once_even_when_sent_twice(acme, key):
    body = batch(
        {"metric": "fs", "labels": {"mountpoint": "D:"}, "at": now_iso(), "value": 0.42},
        {"metric": "mem", "at": now_iso(), "value": 0.5},
    )
    first = push(acme.slug, body, key)
    assert first.status_code == 200, first.content
    assert first.json()["samples"] == 2
    again = push(acme.slug, body, key)
    assert again.json()["samples"] == 0
    asset = Asset.objects.get(client=acme, name="fs01")
    assert Series.objects.get(asset=asset, metric="fs").labels == "mountpoint=D:"
    assert Sample.objects.count() == 2


def test_exporter_text_is_stored_for_the_host_it_names(acme, key):
    response = push(acme.slug, (DATA / "node_fs01.prom").read_text(), key, "text/plain")
    assert response.status_code == 200, response.content
    asset = Asset.objects.get(client=acme)
    assert asset.serial == "CZ-FS01-42"
    assert Series.objects.get(asset=asset, metric="mem").last_value == pytest.approx(0.75)


def test_a_malformed_line_is_a_400_naming_its_number(acme, key):
    text = "node_load1 0.5\nnode_load5 {broken\n"
    response = push(acme.slug, text, key, "text/plain", host="fs01")
    assert response.status_code == 400
    assert "line 2" in response.json()["problems"][0]
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("sample", "place", "words"),
    [
        ({"metric": "mem", "value": "high"}, "samples[0].value", "not a number"),
        ({"metric": "mem", "value": 1.5}, "samples[0].value", "above 1"),
        ({"metric": "mem", "value": -0.1}, "samples[0].value", "negative"),
        ({"metric": "temperature", "value": 1}, "samples[0].metric", "unknown metric"),
        ({"metric": "fs", "value": 0.2}, "samples[0].labels.mountpoint", "required"),
        ({"metric": "mem", "value": 0.2, "labels": {"x": "1"}}, "samples[0].labels", "takes none"),
        ({"metric": "mem", "value": 0.2, "at": "2099-01-01T00:00:00Z"}, "samples[0].at", "future"),
        (
            {"metric": "mem", "value": 0.2, "at": "2001-01-01T00:00:00Z"},
            "samples[0].at",
            "retention",
        ),
        ({"metric": "mem", "value": 0.2, "at": "yesterday"}, "samples[0].at", "not a time"),
    ],
)
def test_a_bad_sample_is_a_400_naming_its_place_and_nothing_is_stored(
    acme, key, sample, place, words
):
    good = {"metric": "mem", "value": 0.3}
    response = push(acme.slug, {"host": "fs01", "samples": [sample, good]}, key)
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem.startswith(place) and words in problem
    assert not Sample.objects.exists() and not Asset.objects.exists()


def test_nan_and_infinity_are_refused(acme, key):
    response = push(
        acme.slug, '{"host": "fs01", "samples": [{"metric": "mem", "value": NaN}]}', key
    )
    assert response.status_code == 400
    assert "NaN" in response.json()["problems"][0]


def test_a_body_over_the_limit_is_a_413(acme, key, settings):
    settings.VCIO_INGEST_MAX_MB = 1
    body = "# " + "x" * (1024 * 1024 + 10) + "\n"
    response = push(acme.slug, body, key, "text/plain", host="fs01")
    assert response.status_code == 413
    assert "VCIO_INGEST_MAX_MB" in response.json()["detail"]


def test_a_body_past_djangos_own_cap_is_still_read(acme, key):
    # Django's request.body stops at 2.5 MB; a 3 MB exporter text must still go in.
    text = "node_load1 0.5\n" + "# padding\n" * 300_000
    response = push(acme.slug, text, key, "text/plain", host="fs01")
    assert response.status_code == 200, response.content[:200]


def test_tokens_wrong_revoked_or_of_another_client_write_nothing(acme, globex, key):
    body = batch({"metric": "mem", "value": 0.3})
    assert push(acme.slug, body).status_code == 401
    assert push(acme.slug, body, "vcioi_not-a-real-key").status_code == 401
    assert push(globex.slug, body, key).status_code == 403
    assert push("no-such-client", body, key).status_code == 403
    token = IngestToken.objects.get()
    token.revoke()
    response = push(acme.slug, body, key)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert not Sample.objects.exists() and not Asset.objects.exists()


def test_an_api_token_is_not_an_ingest_token(acme, bob):
    from vcio.core.models import ApiToken

    _, api_key = ApiToken.issue(bob, "script", client=acme)
    response = push(acme.slug, batch({"metric": "mem", "value": 0.3}), api_key)
    assert response.status_code == 401
