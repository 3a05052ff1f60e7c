"""Forms of the capacity sources page: scrape targets, Prometheus connectors, ingest tokens.

URLs are checked for their syntax here (http or https, a host); whether the
network policy lets vcio reach them is checked when they are used ("test
now", the scraper, the connector's sync), through ``vcio.core.netguard``.
Connector secrets are write-only: never put back into the form, and left
as they were when the field is left blank.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from vcio.assets.models import Asset
from vcio.capacity.models import IngestToken, PromConnector, ScrapeTarget
from vcio.core.models import Client

SECRETS = ("bearer_token", "password")


def check_http_url(label: str, url: str) -> str:
    """``url`` stripped; ValidationError naming ``label`` unless an http(s) URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"{label}: “{url[:80]}” is not an http:// or https:// URL with a host name."
        )
    return url


class _NamedErrorsForm(forms.ModelForm):
    """Prefixes Django's generic messages with the field's label, so each names its field."""

    def add_error(self, field: str | None, error: Any) -> None:
        plain = isinstance(error, ValidationError) and not hasattr(error, "error_dict")
        if field and field in self.fields and plain:
            label = capfirst(self.fields[field].label or field)
            error = ValidationError([self._named(label, e) for e in error.error_list])
        super().add_error(field, error)

    # Checked by check_http_url() instead: the model's URLField refuses single-label hosts
    # ("http://fs01:9100/metrics"), which are what a client's own network names machines.
    url_fields: tuple[str, ...] = ()

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() | set(self.url_fields)

    @staticmethod
    def _named(label: str, error: ValidationError) -> ValidationError:
        message = str(error.message)
        if error.params:
            message = message % error.params
        if message.lower().startswith(label.lower()):
            return error
        return ValidationError(f"{label}: {message}", code=error.code)


class ScrapeTargetForm(_NamedErrorsForm):
    """An exporter's ``/metrics`` URL of one client; the machine is matched at the first scrape."""

    # A text field: clean_url() says what is wrong, instead of URLField's generic message.
    url = forms.CharField(label="Metrics URL", max_length=500)
    url_fields = ("url",)

    class Meta:
        model = ScrapeTarget
        fields = ["name", "url", "kind", "interval", "asset", "enabled"]
        widgets = {"url": forms.TextInput(attrs={"placeholder": "http://fs01:9100/metrics"})}

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance.client = client
        asset = self.fields["asset"]
        asset.queryset = Asset.objects.filter(client=client).order_by("name")
        asset.required = False
        asset.help_text = "Blank: matched by serial number or host name at the first scrape."
        asset.error_messages["invalid_choice"] = f"Choose one of {client}'s assets."
        self.fields[
            "url"
        ].help_text = (
            "node_exporter listens on port 9100, windows_exporter on 9182; the path is /metrics."
        )

    def clean_url(self) -> str:
        url = check_http_url("Metrics URL", self.cleaned_data["url"])
        clash = ScrapeTarget.objects.filter(client=self.client, url=url)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(f"Metrics URL: {self.client} already scrapes {url}.")
        return url

    def validate_unique(self) -> None:
        pass  # the URL is checked in clean_url() with a message naming it


class ConnectorForm(_NamedErrorsForm):
    """A Prometheus-compatible store; its token and password are write-only."""

    base_url = forms.CharField(label="Base URL", max_length=500, help_text="e.g. http://prom:9090")
    url_fields = ("base_url",)

    class Meta:
        model = PromConnector
        fields = ["name", "base_url", "selector", "bearer_token", "username", "password"]
        fields += ["interval", "enabled"]
        widgets = {
            "bearer_token": forms.PasswordInput(render_value=False),
            "password": forms.PasswordInput(render_value=False),
            "base_url": forms.TextInput(attrs={"placeholder": "http://prometheus:9090"}),
        }

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client
        for name in SECRETS:
            field = self.fields[name]
            if self.instance.pk and getattr(self.instance, name):
                field.help_text = "Set: leave blank to keep it."
            field.required = False
        self.kept = {name: getattr(self.instance, name) for name in SECRETS}

    def clean_base_url(self) -> str:
        return check_http_url("Base URL", self.cleaned_data["base_url"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in SECRETS:
            if not data.get(name):
                data[name] = self.kept[name]  # blank keeps the stored secret
        return data


class TokenForm(forms.Form):
    """The name of a new ingest token: where it will be used."""

    name = forms.CharField(
        max_length=IngestToken._meta.get_field("name").max_length,
        help_text="Where it is used, e.g. “FS01 agent”.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Name: give the token a name.")
        return name
