"""Forms of the availability pages: services, monitors, maintenance windows, alert channels.

Every message names the field or the value typed: a monitor aimed at a
forbidden network says which address and which network, a bad status spec
says what it could not read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import capfirst

from vcio.assets.models import Asset
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
)
from vcio.availability.models.monitors import MAX_INTERVAL_S, MIN_INTERVAL_S, MONITOR_SETTINGS
from vcio.availability.views.common import validate_status_spec, validate_target
from vcio.core.models import Client, Department

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
HTTP_METHODS = [(m, m) for m in ("GET", "HEAD", "POST")]
DNS_TYPES = [(t, t) for t in ("A", "AAAA", "CNAME", "MX", "TXT", "NS")]


class _NamedErrorsForm(forms.ModelForm):
    """Rewords Django's generic messages so each names its field."""

    def add_error(self, field: str | None, error: Any) -> None:
        if field and field in self.fields and isinstance(error, ValidationError):
            label = capfirst(self.fields[field].label or field)
            if not hasattr(error, "error_dict"):
                error = ValidationError(
                    [
                        e if label.lower() in str(e.message).lower() else self._named(label, e)
                        for e in error.error_list
                    ]
                )
        super().add_error(field, error)

    @staticmethod
    def _named(label: str, error: ValidationError) -> ValidationError:
        message = str(error.message)
        if error.params:
            message = message % error.params
        return ValidationError(f"{label}: {message}", code=error.code)


class IdChoices(forms.ModelMultipleChoiceField):
    """Rows by id; an id no database could hold is refused before it reaches the query."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or int(pk) > 2**63 - 1:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ServiceForm(_NamedErrorsForm):
    """A client's business service; its owner department and assets are the client's only."""

    class Meta:
        model = BusinessService
        fields = [
            "name",
            "description",
            "owner_department",
            "criticality",
            "sla_target",
            "sla_hours",
            "business_days",
            "business_start",
            "business_end",
            "assets",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "business_start": TIME,
            "business_end": TIME,
            "assets": forms.SelectMultiple(attrs={"size": 6}),
        }
        field_classes = {"assets": IdChoices}

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance.client = client
        dept = self.fields["owner_department"]
        dept.queryset = Department.objects.filter(client=client)
        dept.error_messages["invalid_choice"] = f"Choose one of {client}'s departments."
        assets = self.fields["assets"]
        assets.queryset = Asset.objects.filter(client=client).order_by("name")
        assets.required = False
        assets.error_messages["invalid_choice"] = f"Choose among {client}'s assets."

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = BusinessService.objects.filter(client=self.client, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(f"{self.client} already has a service named “{name}”.")
        return name

    def validate_unique(self) -> None:
        pass  # the name is checked in clean_name() with a message naming it


class MonitorForm(_NamedErrorsForm):
    """A monitor of one service: its target checked against the network policy before saving."""

    http_method = forms.ChoiceField(label="HTTP method", choices=HTTP_METHODS, initial="GET")
    dns_record_type = forms.ChoiceField(label="DNS record type", choices=DNS_TYPES, initial="A")

    class Meta:
        model = Monitor
        fields = list(MONITOR_SETTINGS)

    def __init__(self, *args, client: Client, service: BusinessService, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance.service = service
        interval = self.fields["interval_s"]
        interval.help_text = f"From {MIN_INTERVAL_S} s to one day ({MAX_INTERVAL_S} s)."
        interval.widget.attrs.update(min=MIN_INTERVAL_S, max=MAX_INTERVAL_S)

    def clean_interval_s(self) -> int:
        value = self.cleaned_data["interval_s"]
        if not MIN_INTERVAL_S <= value <= MAX_INTERVAL_S:
            raise ValidationError(
                f"Interval: {value} s is out of range; monitors run every {MIN_INTERVAL_S} "
                f"seconds at most and once a day ({MAX_INTERVAL_S} seconds) at least."
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, target = data.get("kind"), data.get("target")
        if kind and target:
            try:
                data["target"] = validate_target(kind, target)
            except ValidationError as exc:
                self.add_error("target", ValidationError(f"Target: {' '.join(exc.messages)}"))
        if kind == MonitorKind.HTTP and data.get("expected_status"):
            try:
                validate_status_spec(data["expected_status"])
            except ValidationError as exc:
                self.add_error(
                    "expected_status",
                    ValidationError(f"Expected status: {' '.join(exc.messages)}"),
                )
        return data


class WindowForm(_NamedErrorsForm):
    """A maintenance window of one service (times in the client's time zone)."""

    class Meta:
        model = MaintenanceWindow
        fields = ["title", "starts_at", "ends_at", "recurrence", "until"]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, client: Client, service: BusinessService, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].error_messages["invalid"] = (
                "“%(value)s” is not a date and time: use YYYY-MM-DD HH:MM."
            )


class ChannelForm(_NamedErrorsForm):
    """Where a service's alerts go: email addresses (checked) or a webhook URL (policy-checked)."""

    class Meta:
        model = AlertChannel
        fields = ["kind", "target", "enabled"]

    def __init__(self, *args, client: Client, service: BusinessService, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, target = data.get("kind"), data.get("target")
        if not kind or not target:
            return data
        try:
            data["target"] = clean_channel_target(kind, target)
        except ValidationError as exc:
            self.add_error("target", ValidationError(f"Target: {' '.join(exc.messages)}"))
        return data


def clean_channel_target(kind: str, target: str) -> str:
    """The channel's target normalised; ValidationError naming the bad address or URL."""
    if kind == AlertChannel.Kind.WEBHOOK:
        return validate_target("http", target)
    addresses = [a for a in target.replace(";", ",").replace(" ", ",").split(",") if a]
    if not addresses:
        raise ValidationError("give at least one email address.")
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(f"“{address}” is not an email address.") from None
    return ", ".join(addresses)
