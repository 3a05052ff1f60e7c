"""A client's assessments: the list, one assessment, working through its items, comparing two.

Who does what (``vcio.assessments.permissions``): everyone who may view the
client reads the list and the scorecard; answering, attaching evidence and
reading internal notes need a practice person with EDIT (a technician yes,
the client's own editor no); starting, signing off and re-opening are the
CIO's (PLAN). The steps themselves are ``workflow`` functions; a refusal
(``AssessmentError``) re-renders the page as a 400 with its message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.assessments import live, permissions, workflow
from vcio.assessments.forms import (
    STATUS_KEYS,
    AnswerForm,
    EvidenceForm,
    SignOffForm,
    StartForm,
)
from vcio.assessments.models import (
    Answer,
    AnswerStatus,
    Assessment,
    AssessmentStatus,
    Evidence,
    Section,
)
from vcio.assessments.scores import compare, scorecards
from vcio.assessments.workflow import AssessmentError
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin

CLIENT = "clients/<slug:client>/assessments/"
ONE = f"{CLIENT}<int:pk>/"
# One answer: parameters named as the Answer's own fields, so core's walkers can aim the route.
ITEM = f"{CLIENT}<int:assessment_id>/items/<int:pk>/"


def assessments_of(view: ClientMixin):
    return (
        Assessment.objects.for_user(view.request.user)
        .filter(client=view.client)
        .select_related("version__framework")
    )


class AssessmentList(ClientMixin, generic.TemplateView):
    """The client's assessments with their scores; the CIO starts a new one here."""

    template_name = "assessments/assessment_list.html"
    tab = "assessments"
    write_perm = Perm.PLAN

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = list(assessments_of(self))
        cards = scorecards([a.pk for a in rows])
        ctx["rows"] = [(a, cards[a.pk].overall) for a in rows]
        ctx["may_start"] = permissions.may_sign_off(self.request.user, self.client.pk)
        if ctx["may_start"]:
            ctx.setdefault("start_form", StartForm())
        ctx["signed"] = sum(1 for a in rows if a.finished)
        return ctx

    def post(self, request, *args, **kwargs):
        if not permissions.may_sign_off(request.user, self.client.pk):
            raise PermissionDenied("Only the client's CIO starts an assessment.")
        form = StartForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(start_form=form), status=400)
        data = form.cleaned_data
        assessment = workflow.start(
            self.client, data["version"], request.user, data["as_of"], data["title"].strip()
        )
        messages.success(request, f"{assessment} started: {assessment.answers.count()} items.")
        return HttpResponseRedirect(detail_url(assessment))


def detail_url(assessment: Assessment) -> str:
    kwargs = {"client": assessment.client.slug, "pk": assessment.pk}
    return reverse("assessments:assessment_detail", kwargs=kwargs)


def answer_url(answer: Answer) -> str:
    a = answer.assessment
    return reverse(
        "assessments:answer",
        kwargs={"client": a.client.slug, "assessment_id": a.pk, "pk": answer.pk},
    )


class AssessmentMixin(ClientMixin):
    """Resolves ``self.assessment`` (scoped, 404 for another client's) and the user's rights."""

    model = Assessment  # the isolation walker aims the route at another client's row
    tab = "assessments"
    assessment_kwarg = "pk"
    assessment: Assessment

    def load_assessment(self) -> Assessment:
        self.assessment = get_for_user_or_404(
            Assessment.objects.filter(client=self.client).select_related(
                "client", "version__framework", "created_by", "submitted_by", "signed_off_by"
            ),
            self.request.user,
            pk=self.kwargs[self.assessment_kwarg],
        )
        return self.assessment

    def rights(self) -> dict[str, bool]:
        user, cid = self.request.user, self.client.pk
        return {
            "may_answer": permissions.may_answer(user, cid),
            "may_see_notes": permissions.may_see_notes(user, cid),
            "may_sign_off": permissions.may_sign_off(user, cid),
        }

    def require_answer(self) -> None:
        if not permissions.may_answer(self.request.user, self.client.pk):
            raise PermissionDenied("Only the practice's engineers answer assessments.")

    def require_sign_off(self) -> None:
        if not permissions.may_sign_off(self.request.user, self.client.pk):
            raise PermissionDenied("Only the client's CIO signs off an assessment.")


class AssessmentDetail(AssessmentMixin, generic.TemplateView):
    """Scorecard, then every item by section: answer, source, live evidence, notes, files."""

    template_name = "assessments/assessment_detail.html"

    def get(self, request, *args, **kwargs):
        self.load_assessment()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        a = self.assessment
        ctx.update(self.rights())
        ctx["assessment"] = a
        card = scorecards([a.pk])[a.pk]
        titles = dict(
            Section.objects.filter(version_id=a.version_id, parent=None).values_list("ref", "title")
        )
        ctx["card"] = card
        ctx["sections_scores"] = [(ref, titles.get(ref, ""), s) for ref, s in card.sections.items()]
        answers = list(
            Answer.objects.for_user(self.request.user)
            .filter(assessment=a)
            .select_related("item__section", "answered_by")
            .prefetch_related("evidence")
        )
        ctx["groups"] = group_by_section(answers)
        ctx["unknown_count"] = sum(1 for x in answers if x.status == AnswerStatus.UNKNOWN)
        ctx["disagreeing"] = sum(1 for x in answers if x.disagrees)
        ctx["first_unanswered"] = next_unanswered(answers, None) or (
            answers[0] if answers else None
        )
        ctx.setdefault("signoff_form", SignOffForm(initial={"summary": a.summary}))
        return ctx


def group_by_section(answers: list[Answer]) -> list[tuple[Section, list[Answer]]]:
    """Answers under their item's section, sections in the framework's order."""
    groups: dict[int, tuple[Section, list[Answer]]] = {}
    for answer in answers:
        section = answer.item.section
        groups.setdefault(section.pk, (section, []))[1].append(answer)
    return sorted(groups.values(), key=lambda g: (g[0].order, g[0].pk))


def next_unanswered(answers: list[Answer], after: Answer | None) -> Answer | None:
    """The first unknown answer after ``after`` in the framework's order, wrapping round."""
    start = 0
    if after is not None:
        start = next((i + 1 for i, x in enumerate(answers) if x.pk == after.pk), 0)
    ordered = answers[start:] + answers[:start]
    return next(
        (
            x
            for x in ordered
            if x.status == AnswerStatus.UNKNOWN and x.pk != getattr(after, "pk", None)
        ),
        None,
    )


class AssessmentAction(AssessmentDetail):
    """A button on the assessment page; a refusal shows the page again as a 400."""

    http_method_names = ["post"]
    done = ""

    def post(self, request, *args, **kwargs):
        self.load_assessment()
        try:
            self.act()
        except AssessmentError as exc:
            ctx = self.get_context_data(error=str(exc))
            return self.render_to_response(ctx, status=400)
        messages.success(request, self.done)
        return HttpResponseRedirect(detail_url(self.assessment))

    def act(self) -> None:
        raise NotImplementedError


class RefreshEvidence(AssessmentAction):
    write_perm = Perm.EDIT
    done = "Live evidence refreshed."

    def act(self) -> None:
        self.require_answer()
        if self.assessment.finished:
            raise AssessmentError("a signed-off assessment keeps the evidence it was signed with")
        changed = live.refresh([self.assessment])
        self.done = (
            f"Live evidence refreshed: {changed} answer{'s' if changed != 1 else ''} changed."
        )


class Submit(AssessmentAction):
    write_perm = Perm.EDIT
    done = "Submitted for sign-off."

    def act(self) -> None:
        self.require_answer()
        workflow.submit(self.assessment, self.request.user)


class SignOff(AssessmentAction):
    write_perm = Perm.PLAN
    done = "Signed off: the result is final and shown in the client's portal."

    def act(self) -> None:
        self.require_sign_off()
        form = SignOffForm(self.request.POST)
        form.is_valid()
        workflow.sign_off(self.assessment, self.request.user, form.cleaned_data.get("summary"))


class Reopen(AssessmentAction):
    write_perm = Perm.PLAN
    done = "Re-opened: it is being answered again."

    def act(self) -> None:
        self.require_sign_off()
        workflow.reopen(self.assessment, self.request.user)


class AnswerItem(AssessmentMixin, generic.TemplateView):
    """One item at a time: why, how to verify, live evidence; Save & next goes on.

    Works without JavaScript (a plain POST, then a redirect to the next
    unknown item); ``assessments/workthrough.js`` only adds keys 1–5 and Enter.
    """

    model = Answer
    assessment_kwarg = "assessment_id"
    template_name = "assessments/answer.html"
    write_perm = Perm.EDIT

    def load(self) -> Answer:
        self.load_assessment()
        self.answer = get_for_user_or_404(
            Answer.objects.filter(assessment=self.assessment).select_related(
                "item__section", "answered_by"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        self.answer.assessment = self.assessment
        return self.answer

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.rights())
        answer = self.answer
        ctx["assessment"] = self.assessment
        ctx["answer"] = answer
        ctx["item"] = answer.item
        ctx["evidence"] = list(answer.evidence.all())
        ctx["live_label"] = (
            AnswerStatus(answer.live_status).label
            if answer.live_status in AnswerStatus.values
            else ""
        )
        order = list(
            Answer.objects.for_user(self.request.user)
            .filter(assessment=self.assessment)
            .values_list("pk", flat=True)
        )
        at = order.index(answer.pk)
        ctx["position"], ctx["total"] = at + 1, len(order)
        ctx["previous_pk"] = order[at - 1] if at > 0 else None
        ctx["next_pk"] = order[at + 1] if at + 1 < len(order) else None
        ctx["status_keys"] = [(n, s.value, s.label) for n, s in enumerate(STATUS_KEYS, start=1)]
        initial = {"status": answer.status, "reason": answer.override_reason}
        if ctx["may_see_notes"]:
            initial["note"] = answer.note
        ctx.setdefault("form", AnswerForm(initial=initial))
        ctx.setdefault("evidence_form", EvidenceForm())
        return ctx

    def post(self, request, *args, **kwargs):
        self.load()
        self.require_answer()
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            workflow.answer(
                self.answer, request.user, status=data["status"], note=data["note"],
                reason=data["reason"],
            )  # fmt: skip
        except AssessmentError as exc:
            ctx = self.get_context_data(form=form, error=str(exc))
            return self.render_to_response(ctx, status=400)
        return HttpResponseRedirect(self.next_url())

    def next_url(self) -> str:
        answers = list(
            Answer.objects.for_user(self.request.user)
            .filter(assessment=self.assessment)
            .only("pk", "status")
        )
        nxt = next_unanswered(answers, self.answer)
        if nxt is None:
            messages.success(self.request, "Every item has an answer.")
            return detail_url(self.assessment)
        nxt.assessment = self.assessment
        return answer_url(nxt)


class WorkThrough(AssessmentMixin, generic.View):
    """Start working through: the first item still unknown (or the first item)."""

    def get(self, request, *args, **kwargs):
        a = self.load_assessment()
        answers = list(
            Answer.objects.for_user(request.user).filter(assessment=a).only("pk", "status")
        )
        if not answers:
            raise Http404("This assessment has no items.")
        first = next_unanswered(answers, None) or answers[0]
        first.assessment = a
        return HttpResponseRedirect(answer_url(first))


class AddEvidence(AnswerItem):
    """Attach a link or a file (10 MB at most) to one answer."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.load()
        self.require_answer()
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(evidence_form=form), status=400)
        data = form.cleaned_data
        Evidence.objects.create(
            answer=self.answer,
            label=data["label"],
            url=data["url"],
            file=data["file"] or "",
            added_by=request.user,
        )
        messages.success(request, "Evidence attached.")
        return HttpResponseRedirect(answer_url(self.answer))


class EvidenceFile(ClientMixin, generic.View):
    """An attached file, read through the client's scope (never a public media address)."""

    model = Evidence

    def get(self, request, *args, **kwargs):
        ev = get_for_user_or_404(
            Evidence.objects.filter(answer__assessment__client=self.client).exclude(file=""),
            request.user,
            pk=kwargs["pk"],
        )
        name = ev.file.name.rsplit("/", 1)[-1]
        return FileResponse(ev.file.open("rb"), as_attachment=True, filename=name)


class Compare(ClientMixin, generic.TemplateView):
    """Two assessments item by item (default: the client's two latest signed off)."""

    template_name = "assessments/compare.html"
    tab = "assessments"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        before, after = self.chosen()
        ctx["choices"] = list(assessments_of(self))
        ctx["before"], ctx["after"] = before, after
        if before is None or after is None:
            return ctx
        if before.as_of > after.as_of:
            before, after = after, before
            ctx["before"], ctx["after"] = before, after
        by: dict[int, dict[str, tuple[str, str]]] = {before.pk: {}, after.pk: {}}
        for aid, ref, status, text in (
            Answer.objects.for_user(self.request.user)
            .filter(assessment__in=[before, after])
            .values_list("assessment_id", "item__ref", "status", "item__text")
        ):
            by[aid][ref] = (status, text)
        changes = compare(by[before.pk], by[after.pk])
        kinds = ["improved", "regressed", "new", "removed", "answered", "unchanged"]
        ctx["counts"] = [(k, sum(1 for c in changes if c.change == k)) for k in kinds]
        ctx["lists"] = [(k, [c for c in changes if c.change == k]) for k in kinds[:-1]]
        labels = dict(AnswerStatus.choices)
        ctx["labels"] = labels
        cards = scorecards([before.pk, after.pk])
        refs = list(dict.fromkeys([*cards[after.pk].sections, *cards[before.pk].sections]))
        ctx["overall"] = (cards[before.pk].overall, cards[after.pk].overall)
        ctx["sections"] = [
            (ref, cards[before.pk].sections.get(ref), cards[after.pk].sections.get(ref))
            for ref in refs
        ]
        return ctx

    def chosen(self) -> tuple[Assessment | None, Assessment | None]:
        qs = assessments_of(self)
        picked = []
        for name in ("a", "b"):
            raw = self.request.GET.get(name, "")
            if raw:
                if not raw.isdigit():
                    raise Http404(f"{name}={raw!r} is not an assessment")
                picked.append(get_for_user_or_404(qs, self.request.user, pk=int(raw)))
        if len(picked) == 2:
            return picked[0], picked[1]
        latest = list(qs.filter(status=AssessmentStatus.SIGNED_OFF).order_by("-as_of", "-id")[:2])
        if len(latest) < 2:
            return None, None
        return latest[1], latest[0]


urlpatterns = [
    path(CLIENT, AssessmentList.as_view(), name="assessment_list"),
    path(f"{CLIENT}compare/", Compare.as_view(), name="compare"),
    path(ONE, AssessmentDetail.as_view(), name="assessment_detail"),
    path(f"{ONE}work/", WorkThrough.as_view(), name="work"),
    path(f"{ITEM}", AnswerItem.as_view(), name="answer"),
    path(f"{ITEM}evidence/", AddEvidence.as_view(), name="evidence_add"),
    path(f"{CLIENT}evidence/<int:pk>/", EvidenceFile.as_view(), name="evidence_file"),
    path(f"{ONE}refresh/", RefreshEvidence.as_view(), name="refresh"),
    path(f"{ONE}submit/", Submit.as_view(), name="submit"),
    path(f"{ONE}sign-off/", SignOff.as_view(), name="sign_off"),
    path(f"{ONE}reopen/", Reopen.as_view(), name="reopen"),
]
