"""Demo assessments: two signed-off assessments a quarter apart per demo client, and risks.

Every demo client is assessed against vcio's SMB baseline about four months
ago and again three weeks ago; Acme is also assessed against NIST CSF 2.0
when NIST's catalog is at hand (``VCIO_FRAMEWORKS_DIR``, default the
shared data folder beside the repository; never copied into it). Items with
an evidence rule take the live answer computed from the demo's own data as
of the assessment's day; the others are answered by the technician with a
fixed pseudo-random pattern, and the second assessment closes some gaps
(MFA, backups tested ...) and lets one slip, so "what changed" has news.
Each client accepts one risk; Acme has one more whose review date has
passed. Idempotent: a client with an assessment is left alone.
"""

from __future__ import annotations

import datetime
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vcio.assessments import live, workflow
from vcio.assessments.frameworks import library
from vcio.assessments.frameworks.document import FrameworkFileError
from vcio.assessments.models import (
    Answer,
    AnswerSource,
    Assessment,
    FrameworkVersion,
    Treatment,
)
from vcio.core.models import Client
from vcio.core.registry import DemoLoader, demo_loaders

CLIENTS = ("acme", "globex", "initech")
CSF_CLIENT = "acme"
FIRST_DAYS_AGO = 120
SECOND_DAYS_AGO = 21
# (engineer, CIO) per client
PEOPLE = {"acme": ("tess", "bob"), "globex": ("tess", "alice"), "initech": ("bob", "bob")}
# How a person's answers fall in a first assessment (status, probability).
FIRST_STATUS = (("aligned", 0.42), ("partly", 0.2), ("not_aligned", 0.26), ("unknown", 0.08),
                ("na", 0.04))  # fmt: skip


def frameworks_dir() -> Path:
    """Where the public frameworks' files are read from (not shipped: the shared data folder)."""
    default = Path(__file__).resolve().parents[3] / "shared" / "data" / "frameworks"
    return Path(os.environ.get("VCIO_FRAMEWORKS_DIR", default))


def load_csf(log: Callable[[str], None]) -> FrameworkVersion | None:
    """NIST CSF 2.0 from NIST's OSCAL catalog if the file is at hand (else None, logged)."""
    found = FrameworkVersion.objects.filter(framework__key="nist-csf", version="2.0").first()
    if found:
        return found
    path = frameworks_dir() / "nist-csf-2.0" / "NIST_CSF_v2.0_catalog.json"
    if not path.exists():
        log(f"NIST CSF 2.0 catalog not found at {path}; set VCIO_FRAMEWORKS_DIR to load it")
        return None
    try:
        doc, published = library.read_file(path)
        return library.load(doc, frozen=published)
    except FrameworkFileError as exc:
        log(f"NIST CSF 2.0 not loaded: {exc}")
        return None


# The other public frameworks of the shared folder, for the library (not assessed in the demo).
LIBRARY_FILES = (
    ("asd-e8-ml1", "acsc-essential-eight/ISM_E8_ML1-baseline-resolved-profile_catalog.json"),
    ("asd-e8-ml2", "acsc-essential-eight/ISM_E8_ML2-baseline-resolved-profile_catalog.json"),
    ("asd-e8-ml3", "acsc-essential-eight/ISM_E8_ML3-baseline-resolved-profile_catalog.json"),
    ("cisa-cpg", "cisa-cpg-headings/cisa-cpgs.json"),
)


def load_library(log: Callable[[str], None]) -> int:
    """ASD's Essential Eight levels and CISA's CPG headings into the library, when at hand."""
    loaded = 0
    for key, name in LIBRARY_FILES:
        path = frameworks_dir() / name
        if not path.exists() or FrameworkVersion.objects.filter(framework__key=key).exists():
            continue
        try:
            doc, published = library.read_file(path)
            library.load(doc, frozen=published)
            loaded += 1
        except FrameworkFileError as exc:
            log(f"{name} not loaded: {exc}")
    return loaded


def first_status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, p in FIRST_STATUS:
        total += p
        if roll < total:
            return status
    return "aligned"


def second_status(before: str, rng: random.Random) -> str:
    """A quarter later: some gaps closed, unknowns answered, now and then one slips."""
    roll = rng.random()
    if before == "not_aligned":
        return "aligned" if roll < 0.3 else "partly" if roll < 0.5 else before
    if before == "partly":
        return "aligned" if roll < 0.45 else before
    if before == "unknown":
        return "aligned" if roll < 0.5 else "partly" if roll < 0.8 else "not_aligned"
    if before == "aligned" and roll < 0.04:
        return "partly"
    return before


def assess(
    client: Client,
    version: FrameworkVersion,
    as_of: datetime.date,
    people: tuple[Any, Any],
    previous: dict[str, str] | None,
) -> tuple[Assessment, dict[str, str]]:
    """One signed-off assessment; returns it and the status given to each item ref."""
    engineer, cio = people
    assessment = workflow.start(client, version, cio, as_of=as_of)
    live.refresh([assessment], at=as_of)
    round_ = "first" if previous is None else "second"
    rng = random.Random(f"{client.slug}-{version.framework.key}-{round_}")
    given: dict[str, str] = {}
    answered_at = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(15)))
    changed = []
    for answer in Answer.objects.filter(assessment=assessment).select_related("item"):
        ref = answer.item.ref
        if answer.source == AnswerSource.LIVE and answer.live_status not in ("", "no_data"):
            given[ref] = answer.status
            continue
        status = first_status(rng) if previous is None else second_status(previous[ref], rng)
        answer.status, answer.answered_by, answer.answered_at = status, engineer, answered_at
        answer.source = AnswerSource.PERSON
        given[ref] = status
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["status", "answered_by", "answered_at", "source"])
    workflow.submit(assessment, engineer)
    workflow.sign_off(
        assessment, cio, summary=summary_for(client, previous is None), recommend=False
    )
    signed = answered_at + datetime.timedelta(days=3)
    Assessment.objects.filter(pk=assessment.pk).update(
        signed_off_at=signed, submitted_at=answered_at, created_at=answered_at
    )
    return assessment, given


def summary_for(client: Client, first: bool) -> str:
    if first:
        return (f"First baseline of {client.name}: the essentials are in place, but backups are "
                "not tested and remote access lacks a second factor.")  # fmt: skip
    return (f"{client.name} closed several gaps this quarter; the remaining ones are on the "
            "roadmap or accepted with a review date.")  # fmt: skip


def demo_risks(client: Client, assessment: Assessment, cio: Any, today: datetime.date) -> int:
    """Risks from the heaviest real gaps: one accepted (Acme: one more, past its review date),
    one mitigated by an initiative made from the gap's recommendation."""
    from vcio.assessments import risks
    from vcio.strategy.models import Recommendation
    from vcio.strategy.recommend import promote

    gaps = list(
        Answer.objects.filter(assessment=assessment, status="not_aligned")
        .select_related("item", "assessment")
        .order_by("-item__weight", "item__order")[:3]
    )
    accepted_on = assessment.as_of
    for n, answer in enumerate(gaps):
        risk, _ = risks.risk_from_item(answer, cio)
        if n == 0:
            risks.treat(risk, cio, Treatment.ACCEPT, today=accepted_on,
                        reason="Cost outweighs the exposure until the office move; revisit then.",
                        review_date=accepted_on + datetime.timedelta(days=120))  # fmt: skip
        elif n == 1:
            key = f"assessments.{assessment.version.framework.key}.{answer.item.ref}"
            rec = Recommendation.objects.filter(client=client, key=key, status="open").first()
            if rec is not None:
                initiative = promote(rec, cio)
                risks.treat(risk, cio, Treatment.MITIGATE, initiative=initiative,
                            residual_likelihood=1, residual_impact=risk.impact)  # fmt: skip
        elif client.slug == "acme":
            # Accepted a quarter ago until last week: back for the CIO to decide again.
            risks.treat(risk, cio, Treatment.ACCEPT, today=today - datetime.timedelta(days=95),
                        reason="The legacy ERP vendor cannot support it before the upgrade.",
                        review_date=today - datetime.timedelta(days=5))  # fmt: skip
    return len(gaps)


def load_client(client: Client, versions: list[FrameworkVersion], users: dict[str, Any]) -> str:
    if Assessment.objects.filter(client=client).exists():
        return "already loaded"
    today = timezone.localdate()
    engineer, cio = (users[name] for name in PEOPLE[client.slug])
    made = []
    for n, version in enumerate(versions):
        # A second framework is assessed a week before the first, so each client's latest
        # assessment (what its figures and reviews read) is of its main framework.
        early = 7 * n
        first, given = assess(client, version, today - datetime.timedelta(FIRST_DAYS_AGO + early),
                              (engineer, cio), None)  # fmt: skip
        second, _ = assess(client, version, today - datetime.timedelta(SECOND_DAYS_AGO + early),
                           (engineer, cio), given)  # fmt: skip
        made.append(second)
    names = ", ".join(str(v) for v in versions)
    return f"{2 * len(versions)} assessments ({names})"


def load_assessments(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    from vcio.strategy.recommend import sync_recommendations

    library.load_shipped()
    baseline = FrameworkVersion.objects.get(framework__key="smb-baseline", version="2026.1")
    csf = load_csf(log)
    log(f"framework library: {load_library(log)} public framework versions added")
    names = {name for pair in PEOPLE.values() for name in pair}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    for client in Client.objects.filter(slug__in=CLIENTS).order_by("name"):
        versions = [baseline] + ([csf] if csf and client.slug == CSF_CLIENT else [])
        with transaction.atomic():
            done = load_client(client, versions, users)
            sync_recommendations([client.pk])
            if done != "already loaded":
                cio = users[PEOPLE[client.slug][1]]
                latest = Assessment.objects.filter(client=client, version=baseline).latest("as_of")
                done += f", {demo_risks(client, latest, cio, timezone.localdate())} risks"
            log(f"{client.name}: {done}")


def register() -> None:
    # After strategy (40: goals and initiatives exist), before reviews (60: snapshots read us).
    demo_loaders.register(DemoLoader("assessments", load_assessments, order=50))
