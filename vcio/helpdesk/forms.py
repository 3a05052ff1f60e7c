"""Forms of the help-desk pages, and the one correction rule the page and the API share.

A person correcting a ticket's topic, department or asset is recorded as its
source (``topic_set_by="person"``, ``asset_matched_by="person"``): topic
assignment and asset matching leave a person's choice alone afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction

from vcio.assets.models import Asset
from vcio.core import audit
from vcio.core.models import Client, Department
from vcio.helpdesk.models import (
    AssetMatch,
    HelpdeskPolicy,
    Priority,
    SlaTarget,
    Ticket,
    Topic,
    TopicSetBy,
)

CORRECTABLE = ("topic", "department", "asset")


def apply_correction(ticket: Ticket, user, changes: dict[str, Any]) -> Ticket:
    """Sets the ``changes`` (topic, department, asset: rows of the ticket's client or None).

    Marks a changed topic as set by ``user`` (fully confident, reviewed) and a
    changed asset as matched by a person, saves, and records the audit log in
    one transaction. The caller has checked that the rows are the client's.
    """
    before = audit.snapshot(ticket)
    changed = [name for name in CORRECTABLE if name in changes]
    for name in changed:
        setattr(ticket, name, changes[name])
    if "topic" in changed:
        ticket.topic_set_by = TopicSetBy.PERSON if ticket.topic else TopicSetBy.NONE
        ticket.topic_set_by_user = user if ticket.topic else None
        ticket.topic_confidence = 1.0 if ticket.topic else None
        ticket.topic_needs_review = False
    if "asset" in changed:
        ticket.asset_matched_by = AssetMatch.PERSON if ticket.asset else AssetMatch.NONE
    with transaction.atomic():
        ticket.save()
        audit.record_update(user, ticket, before)
    return ticket


class TicketCorrectionForm(forms.Form):
    """Topic, department and asset of one ticket, chosen among its client's rows."""

    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False)
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "topic": ticket.topic_id,
                "department": ticket.department_id,
                "asset": ticket.asset_id,
            },
        )
        super().__init__(*args, **kwargs)
        client_id = ticket.client_id
        self.fields["topic"].queryset = Topic.objects.filter(
            client_id=client_id, retired=False, merged_into=None
        )
        self.fields["department"].queryset = Department.objects.filter(client_id=client_id)
        self.fields["asset"].queryset = Asset.objects.filter(client_id=client_id).order_by("name")
        for name, noun in (("topic", "topic"), ("department", "department"), ("asset", "asset")):
            self.fields[name].error_messages["invalid_choice"] = (
                f"That {noun} is not one of this client's {noun}s."
            )


class HelpdeskPolicyForm(forms.ModelForm):
    class Meta:
        model = HelpdeskPolicy
        fields = ["business_days", "business_start", "business_end", "holidays",
                  "recurring_count", "recurring_days"]  # fmt: skip
        widgets = {
            "holidays": forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-25, 2026-12-26"}),
            "business_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "business_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client


class SlaTargetForm(forms.Form):
    """The two targets of one priority, in business hours."""

    first_response_hours = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=7, decimal_places=2, label="First response (h)"
    )
    resolve_hours = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=7, decimal_places=2, label="Resolve (h)"
    )

    def __init__(self, *args, priority: str, **kwargs) -> None:
        super().__init__(*args, prefix=f"sla-{priority}", **kwargs)
        self.priority = priority
        self.label = Priority(priority).label
        for field in self.fields.values():
            field.error_messages["min_value"] = "Give a number of hours above 0."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        respond, resolve = data.get("first_response_hours"), data.get("resolve_hours")
        if respond is not None and resolve is not None and resolve < respond:
            self.add_error("resolve_hours", "Resolving cannot take less time than responding.")
        return data


def sla_forms(client: Client, data=None) -> list[SlaTargetForm]:
    """One form per priority, filled with the client's targets (or vcio's defaults)."""
    from vcio.helpdesk.models import DEFAULT_SLA_HOURS

    stored = {t.priority: t for t in SlaTarget.objects.filter(client=client)}
    result = []
    for priority in Priority.values:
        target = stored.get(priority)
        respond, resolve = (
            (target.first_response_hours, target.resolve_hours)
            if target
            else DEFAULT_SLA_HOURS[priority]
        )
        initial = {"first_response_hours": respond, "resolve_hours": resolve}
        result.append(SlaTargetForm(data, priority=priority, initial=initial))
    return result


def save_sla_targets(client: Client, user, valid_forms: list[SlaTargetForm]) -> int:
    """Writes each priority's targets (audited); returns how many rows changed or were added."""
    stored = {t.priority: t for t in SlaTarget.objects.filter(client=client)}
    changed = 0
    for form in valid_forms:
        respond = form.cleaned_data["first_response_hours"]
        resolve = form.cleaned_data["resolve_hours"]
        target = stored.get(form.priority)
        if target is None:
            target = SlaTarget.objects.create(
                client=client, priority=form.priority, first_response_hours=respond,
                resolve_hours=resolve,
            )  # fmt: skip
            audit.record_create(user, target)
            changed += 1
        elif (target.first_response_hours, target.resolve_hours) != (respond, resolve):
            before = audit.snapshot(target)
            target.first_response_hours, target.resolve_hours = respond, resolve
            target.save()
            audit.record_update(user, target, before)
            changed += 1
    return changed
