"""A client's assessment pages: list, scorecard, working through items, evidence, sign-off, compare.

Scores are checked against a hand calculation: aligned counts its weight,
partly half of it, unknown nothing but stays in the denominator, not
applicable leaves the sum.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vcio.assessments import workflow
from vcio.assessments.frameworks import library
from vcio.assessments.models import Answer, Assessment, AssessmentStatus, Evidence

NOTE = "NOTE-FOR-PRACTICE-ONLY"


def framework_doc(n_items: int = 4, key: str = "test-fw", version: str = "1") -> dict:
    """Two top-level sections (ID, PR), each with one subsection; items alternate between them.

    Item i (1-based) has weight i % 3 + 1.
    """
    sections = [
        {"ref": "ID", "title": "Identify"},
        {"ref": "ID.AM", "title": "Asset management", "parent": "ID"},
        {"ref": "PR", "title": "Protect"},
        {"ref": "PR.AA", "title": "Access control", "parent": "PR"},
    ]
    items = [
        {
            "ref": f"T-{i:03d}",
            "section": "ID.AM" if i % 2 else "PR.AA",
            "text": f"Item {i} text",
            "why": f"Why item {i} matters",
            "verify": f"How to verify item {i}",
            "weight": i % 3 + 1,
        }
        for i in range(1, n_items + 1)
    ]
    return {
        "framework": {"key": key, "name": f"Test framework {key}", "licence": "CC BY 4.0",
                      "attribution": "Test attribution text."},
        "version": version,
        "sections": sections,
        "items": items,
    }  # fmt: skip


def make_assessment(client, user, n_items: int = 4, key: str = "test-fw", **kwargs) -> Assessment:
    from vcio.assessments.models import FrameworkVersion

    version = FrameworkVersion.objects.filter(framework__key=key).first() or library.load(
        framework_doc(n_items, key)
    )
    return workflow.start(client, version, user, kwargs.pop("as_of", datetime.date(2026, 11, 1)))


def answers(assessment: Assessment) -> dict[str, Answer]:
    return {a.item.ref: a for a in assessment.answers.select_related("item")}


def set_statuses(assessment: Assessment, user, statuses: dict[str, str]) -> None:
    by_ref = answers(assessment)
    for ref, status in statuses.items():
        workflow.answer(by_ref[ref], user, status=status, note=f"{NOTE} {ref}")


def url(name: str, assessment: Assessment, answer: int | None = None, evidence: int | None = None):
    """A page of ``assessment``; of one of its answers (``answer``) or an attached file."""
    slug = assessment.client.slug
    if answer is not None:
        kwargs = {"client": slug, "assessment_id": assessment.pk, "pk": answer}
    elif evidence is not None:
        kwargs = {"client": slug, "pk": evidence}
    else:
        kwargs = {"client": slug, "pk": assessment.pk}
    return reverse(f"assessments:{name}", kwargs=kwargs)


@pytest.fixture
def assessment(acme, bob):
    a = make_assessment(acme, bob)
    # Weights: T-001 2 (ID), T-002 3 (PR), T-003 1 (ID), T-004 2 (PR).
    set_statuses(a, bob, {"T-001": "aligned", "T-002": "partly", "T-003": "na"})
    return a


def test_list_shows_scores_by_hand_calculation(login, bob, assessment):
    page = login(bob).get(reverse("assessments:assessment_list", args=["acme"]))
    assert page.status_code == 200
    text = page.content.decode()
    # Applicable weight 2 + 3 + 2 = 7; credit 2 + 1.5 = 3.5 → 50.0 %; unknown 2 / 7 = 28.6 %.
    assert "50.0 %" in text
    assert "28.6 %" in text
    assert "Being answered" in text
    assert "Start assessment" in text


def test_start_form_only_for_the_cio(login, tess, carol, acme, bob, assessment):
    for user in (tess, carol):
        http = login(user)
        assert (
            "Start assessment"
            not in http.get(reverse("assessments:assessment_list", args=["acme"])).content.decode()
        )
        response = http.post(
            reverse("assessments:assessment_list", args=["acme"]),
            {"version": assessment.version_id, "as_of": "2026-12-01"},
        )
        assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_cio_starts_an_assessment(login, bob, assessment):
    response = login(bob).post(
        reverse("assessments:assessment_list", args=["acme"]),
        {"version": assessment.version_id, "as_of": "2026-12-01"},
    )
    new = Assessment.objects.exclude(pk=assessment.pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", new)
    assert new.as_of == datetime.date(2026, 12, 1)
    assert new.answers.count() == 4


def test_assessment_page_scorecard_per_section(login, bob, assessment):
    text = login(bob).get(url("assessment_detail", assessment)).content.decode()
    # ID: T-001 aligned (2), T-003 n.a. → 100 %. PR: T-002 partly (3), T-004 unknown (2):
    # 1.5 / 5 = 30 %, unknown 40 %.
    assert "ID Identify" in text and "100.0 %" in text
    assert "PR Protect" in text and "30.0 %" in text and "40.0 % unknown" in text
    assert "Why item 1 matters" not in text  # the list shows texts, the item page the why
    assert "Item 4 text" in text
    assert f"{NOTE} T-001" in text


def test_notes_hidden_from_client_executive(login, carol, assessment):
    page = login(carol).get(url("assessment_detail", assessment))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Item 1 text" in text
    assert NOTE not in text
    assert "Work through" not in text and "Sign off" not in text
    item = login(carol).get(url("answer", assessment, answer=answers(assessment)["T-001"].pk))
    assert NOTE not in item.content.decode()


def test_other_client_gets_404(login, dave, gina, assessment):
    for user in (dave, gina):
        assert login(user).get(url("assessment_detail", assessment)).status_code == 404


def test_work_through_saves_and_goes_to_next_unknown(login, tess, assessment):
    by_ref = answers(assessment)
    http = login(tess)
    page = http.get(url("work", assessment), follow=True)
    assert page.redirect_chain[-1][0] == url("answer", assessment, answer=by_ref["T-004"].pk)
    text = page.content.decode()
    assert "Why item 4 matters" in text and "How to verify item 4" in text
    response = http.post(
        url("answer", assessment, answer=by_ref["T-004"].pk),
        {"status": "not_aligned", "note": "checked", "reason": ""},
    )
    assert response.status_code == 302
    # No unknown item is left: back to the assessment.
    assert response["Location"] == url("assessment_detail", assessment)
    saved = Answer.objects.get(pk=by_ref["T-004"].pk)
    assert (saved.status, saved.note, saved.answered_by) == ("not_aligned", "checked", tess)


def test_save_and_next_skips_to_the_next_unknown(login, bob, acme):
    a = make_assessment(acme, bob)
    by_ref = answers(a)
    set_statuses(a, bob, {"T-002": "aligned"})
    response = login(bob).post(url("answer", a, answer=by_ref["T-001"].pk), {"status": "aligned"})
    assert response["Location"] == url("answer", a, answer=by_ref["T-003"].pk)


def test_erin_and_carol_may_not_answer(login, erin, carol, assessment):
    target = answers(assessment)["T-004"]
    for user in (erin, carol):
        response = login(user).post(
            url("answer", assessment, answer=target.pk), {"status": "aligned"}
        )
        assert response.status_code == 403
    assert Answer.objects.get(pk=target.pk).status == "unknown"


def test_override_without_reason_is_400_and_saves_nothing(login, bob, assessment):
    target = answers(assessment)["T-004"]
    Answer.objects.filter(pk=target.pk).update(
        live_status="not_aligned", live_sentence="3 of 10 laptops unencrypted"
    )
    response = login(bob).post(
        url("answer", assessment, answer=target.pk), {"status": "aligned", "note": "x"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "T-004" in text and "give a reason to override it" in text
    assert 'says <em id="live-says">not aligned</em>' in text
    assert "3 of 10 laptops unencrypted" in text
    saved = Answer.objects.get(pk=target.pk)
    assert (saved.status, saved.note, saved.answered_by) == ("unknown", "", None)

    ok = login(bob).post(
        url("answer", assessment, answer=target.pk),
        {"status": "aligned", "reason": "encrypted since, agent lags"},
    )
    assert ok.status_code == 302
    page = login(bob).get(url("assessment_detail", assessment)).content.decode()
    assert "evidence disagrees" in page and "override" in page


def test_answer_of_another_assessment_is_404(login, bob, acme, assessment):
    other = make_assessment(acme, bob)
    foreign = answers(other)["T-004"]
    response = login(bob).post(url("answer", assessment, answer=foreign.pk), {"status": "aligned"})
    assert response.status_code == 404
    assert Answer.objects.get(pk=foreign.pk).status == "unknown"


def test_bad_status_is_400(login, bob, assessment):
    target = answers(assessment)["T-004"]
    response = login(bob).post(url("answer", assessment, answer=target.pk), {"status": "great"})
    assert response.status_code == 400
    assert Answer.objects.get(pk=target.pk).status == "unknown"


def test_attach_link_and_file(login, tess, assessment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = answers(assessment)["T-001"]
    http = login(tess)
    add = url("evidence_add", assessment, answer=target.pk)
    assert (
        http.post(add, {"url": "https://docs.example/policy", "label": "Policy"}).status_code == 302
    )
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert http.post(add, {"file": upload, "label": "Scan"}).status_code == 302
    assert Evidence.objects.filter(answer=target).count() == 2
    text = http.get(url("assessment_detail", assessment)).content.decode()
    assert "Policy" in text and "Scan" in text
    ev = Evidence.objects.exclude(file="").get()
    download = http.get(url("evidence_file", assessment, evidence=ev.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_attach_refuses_big_files_and_empty_posts(login, tess, assessment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = answers(assessment)["T-001"]
    add = url("evidence_add", assessment, answer=target.pk)
    big = SimpleUploadedFile("huge.bin", b"0" * (10 * 1024 * 1024 + 1))
    response = login(tess).post(add, {"file": big})
    assert response.status_code == 400
    assert "huge.bin is 10.0 MB; evidence files are at most 10 MB" in response.content.decode()
    empty = login(tess).post(add, {"label": "nothing"})
    assert empty.status_code == 400
    assert "Give a link or choose a file" in empty.content.decode()
    assert not Evidence.objects.exists()


def test_submit_and_sign_off(login, tess, bob, assessment):
    assert login(tess).post(url("submit", assessment)).status_code == 302
    assert Assessment.objects.get().status == AssessmentStatus.IN_REVIEW
    response = login(tess).post(url("sign_off", assessment), {"summary": "x"})
    assert response.status_code == 403
    assert Assessment.objects.get().status == AssessmentStatus.IN_REVIEW
    page = login(bob).get(url("assessment_detail", assessment)).content.decode()
    assert "Sign off" in page
    ok = login(bob).post(url("sign_off", assessment), {"summary": "Good progress on identify."})
    assert ok.status_code == 302
    signed = Assessment.objects.get()
    assert (signed.status, signed.summary, signed.signed_off_by) == (
        "signed_off", "Good progress on identify.", bob,
    )  # fmt: skip
    again = login(bob).post(url("sign_off", assessment), {"summary": ""})
    assert again.status_code == 400
    assert "already signed off" in again.content.decode()
    # A signed-off assessment refuses answers with the message, 400.
    target = answers(assessment)["T-004"]
    refused = login(bob).post(url("answer", assessment, answer=target.pk), {"status": "aligned"})
    assert refused.status_code == 400
    assert "re-open it to change an answer" in refused.content.decode()
    assert login(bob).post(url("reopen", assessment)).status_code == 302
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT


def test_refresh_evidence_button(login, tess, carol, assessment):
    assert login(tess).post(url("refresh", assessment)).status_code == 302
    assert Assessment.objects.get().evidence_at is not None
    assert login(carol).post(url("refresh", assessment)).status_code == 403


def test_compare_defaults_to_two_latest_signed_off(login, bob, acme):
    first = make_assessment(acme, bob, as_of=datetime.date(2026, 1, 1))
    set_statuses(first, bob, {"T-001": "not_aligned", "T-002": "aligned", "T-003": "unknown"})
    workflow.sign_off(first, bob)
    second = make_assessment(acme, bob, as_of=datetime.date(2026, 6, 1))
    set_statuses(second, bob, {"T-001": "aligned", "T-002": "partly", "T-003": "aligned"})
    workflow.sign_off(second, bob)
    make_assessment(acme, bob, as_of=datetime.date(2026, 9, 1))  # a draft: not compared
    page = login(bob).get(reverse("assessments:compare", args=["acme"]))
    assert page.status_code == 200
    ctx = page.context
    assert (ctx["before"], ctx["after"]) == (first, second)
    assert dict(ctx["counts"]) == {
        "improved": 1, "regressed": 1, "new": 0, "removed": 0, "answered": 1, "unchanged": 1,
    }  # fmt: skip
    text = page.content.decode()
    # Before: ID T-001 0 of 2, T-003 unknown 1 → 0 %; after: 3 / 3 → 100 %.
    # PR before: T-002 aligned 3, T-004 unknown 2 → 60 %; after 1.5 / 5 → 30 %.
    assert ctx["sections"][0][0] == "ID"
    assert [round(s.percent, 1) for s in ctx["sections"][0][1:]] == [0.0, 100.0]
    assert [round(s.percent, 1) for s in ctx["sections"][1][1:]] == [60.0, 30.0]
    assert "T-001" in text and "Regressed (1)" in text


def test_list_query_count_is_constant(login, bob, acme, django_assert_max_num_queries):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        http = login(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert (
                http.get(reverse("assessments:assessment_list", args=["acme"])).status_code == 200
            )
        return len(ctx)

    make_assessment(acme, bob)
    few = count()
    for _ in range(5):
        make_assessment(acme, bob)
    assert count() == few


def test_assessment_page_query_count_same_for_20_and_60_items(login, bob, acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n_items: int) -> int:
        a = make_assessment(acme, bob, n_items=n_items, key=f"fw-{n_items}")
        by_ref = answers(a)
        for ref in list(by_ref)[:5]:
            Evidence.objects.create(answer=by_ref[ref], url="https://x.example/", added_by=bob)
        workflow.answer(by_ref["T-001"], bob, status="aligned", note="n")
        http = login(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url("assessment_detail", a)).status_code == 200
        return len(ctx)

    # The page frame (session, user, memberships, client), the assessment, the scorecard (two),
    # the section titles, the answers and their evidence, the switcher's clients.
    assert count(20) == count(60) <= 12


def test_compare_refuses_another_clients_assessment(login, bob, gina, acme, globex):
    ours = make_assessment(acme, bob)
    theirs = make_assessment(globex, gina)
    page = login(bob).get(
        reverse("assessments:compare", args=["acme"]), {"a": ours.pk, "b": theirs.pk}
    )
    assert page.status_code == 404


def test_signed_off_item_page_has_no_answer_form(login, bob, assessment):
    workflow.sign_off(assessment, bob)
    target = answers(assessment)["T-004"]
    text = login(bob).get(url("answer", assessment, answer=target.pk)).content.decode()
    assert 'id="answer-form"' not in text
    assert "re-open it to change an answer" in text
