"""The demo's reviews: four finalised per client, with decisions applied and real changes."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from vcio.core.models import Client
from vcio.reviews.models import Decision, Review


def test_each_demo_client_has_four_finalised_reviews_with_content(db):
    call_command("demo", "--quiet", stdout=StringIO())
    for client in Client.objects.all():
        final = list(Review.objects.filter(client=client, status="finalised"))
        assert len(final) == 4, client
        assert {r.kind for r in final} == {"monthly", "qbr"}, client
        assert all(r.report_html and r.health_score is not None for r in final)
        # Later reviews found real changes, in both directions over the four.
        later = sorted(final, key=lambda r: r.period_end)[1:]
        directions = {c["direction"] for r in later for c in r.snapshot["changes"]}
        assert {"better", "worse"} <= directions, client
        # The next review is prepared as a draft.
        assert Review.objects.filter(client=client, status="draft").count() == 1
    applied = Decision.objects.filter(kind="approve", applied_at__isnull=False)
    assert applied.exists()
    assert all(d.initiative.status != "proposed" for d in applied)


def test_loading_the_demo_twice_adds_no_review(db):
    call_command("demo", "--quiet", stdout=StringIO())
    count = Review.objects.count()
    call_command("demo", "--quiet", stdout=StringIO())
    assert Review.objects.count() == count


def test_the_demo_reviews_hold_their_figures_as_of_their_own_day(db):
    """Each past review stores the value each figure had on its day, recomputed independently."""
    import datetime

    from vcio.core.registry import compute_figures

    call_command("demo", "--quiet", stdout=StringIO())
    figure_moves = 0
    for review in Review.objects.filter(status="finalised").select_related("client"):
        day = datetime.date.fromisoformat(review.snapshot["period"]["today"])
        assert day == review.meeting_date
        stored = review.snapshot["figures"]
        again = compute_figures([review.client_id], list(stored), at=day)
        for key, fig in stored.items():
            value = again[key][review.client_id]
            expected = None if value is None else float(value)
            got = None if fig["value"] is None else float(fig["value"])
            assert got == expected, (review.client.slug, review.meeting_date, key)
        figure_moves += sum(
            c["kind"].startswith("figure.") for c in review.snapshot.get("changes", [])
        )
    assert figure_moves, "what changed never shows a figure moving between the demo reviews"
