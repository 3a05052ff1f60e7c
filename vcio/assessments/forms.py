"""Forms of the assessments pages: they check input; the workflow and library functions act."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from vcio.assessments.models import AnswerStatus, FrameworkVersion, Item
from vcio.core.registry import evidence_rules

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024  # a screenshot or a PDF report; larger belongs in a DMS

# Keys 1–5 of the work-through page choose these, in this order.
STATUS_KEYS = [
    AnswerStatus.ALIGNED,
    AnswerStatus.PARTLY,
    AnswerStatus.NOT_ALIGNED,
    AnswerStatus.NOT_APPLICABLE,
    AnswerStatus.UNKNOWN,
]


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text="vcio framework JSON, an OSCAL catalog, or CISA's Cross-Sector CPG file.",
    )


class CopyVersionForm(forms.Form):
    new_version = forms.CharField(label="New version", max_length=60, help_text='e.g. "2026.2"')
    key = forms.SlugField(
        label="New framework key",
        max_length=60,
        required=False,
        help_text="Leave empty for a new version of the same framework.",
    )
    name = forms.CharField(label="New framework name", max_length=200, required=False)


class ItemForm(forms.ModelForm):
    """One item of an editable version: its words, costs, weight and evidence rule."""

    class Meta:
        model = Item
        fields = [
            "text",
            "why",
            "verify",
            "remediation",
            "one_time_cost",
            "recurring_cost",
            "effort_days",
            "risk",
            "weight",
            "evidence_rule",
        ]
        widgets = {n: forms.Textarea(attrs={"rows": 3}) for n in ("text", "why", "verify")}

    def clean_evidence_rule(self) -> str:
        key = self.cleaned_data["evidence_rule"].strip()
        if key and key not in evidence_rules:
            known = ", ".join(sorted(r.key for r in evidence_rules)) or "none registered"
            raise forms.ValidationError(f"{key!r} is not an evidence rule (known: {known})")
        return key


class StartForm(forms.Form):
    version = forms.ModelChoiceField(
        label="Framework version",
        queryset=FrameworkVersion.objects.select_related("framework").order_by(
            "framework__name", "-created_at"
        ),
    )
    as_of = forms.DateField(
        label="As of", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    title = forms.CharField(max_length=200, required=False)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in STATUS_KEYS], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Internal note", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label="Override reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when your answer differs from the live evidence.",
    )


class EvidenceForm(forms.Form):
    label = forms.CharField(max_length=200, required=False)
    url = forms.URLField(label="Link", max_length=500, required=False, assume_scheme="https")
    file = forms.FileField(required=False, help_text=f"At most {EVIDENCE_MAX_BYTES // 1048576} MB.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1048576:.1f} MB; "
                f"evidence files are at most {EVIDENCE_MAX_BYTES // 1048576} MB "
                "(attach a link to larger documents)"
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file") and not self.errors:
            raise forms.ValidationError("Give a link or choose a file to attach.")
        return data


class SignOffForm(forms.Form):
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For the client's leaders; shown in the portal.",
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(required=False)
    b = forms.IntegerField(required=False)
