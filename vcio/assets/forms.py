"""Forms for assets, licences and lifecycle policies; messages name the field and value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.utils.text import capfirst

from vcio.assets.models import Asset, AssetKind, Licence, LifecyclePolicy
from vcio.core import audit
from vcio.core.models import Client, Contact, Department

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTES = forms.Textarea(attrs={"rows": 3})


class _ClientOwnedForm(forms.ModelForm):
    """Sets the client on the row and limits department (and contact) choices to it."""

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client
        self.client = client
        # Only this client's departments: another client's id is "not a valid choice".
        if "department" in self.fields:
            field = self.fields["department"]
            field.queryset = Department.objects.filter(client=client)
            field.error_messages["invalid_choice"] = f"Choose one of {client}'s departments."
        if "contact" in self.fields:
            field = self.fields["contact"]
            field.queryset = Contact.objects.filter(client=client)
            field.error_messages["invalid_choice"] = f"Choose one of {client}'s contacts."
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "“%(value)s” is not a date: use YYYY-MM-DD."
                field.widget = DATE
            if isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = "“%(value)s” is not a number, e.g. 1234.50."
            if name.endswith("cost") or name.endswith("_gb"):
                field.widget.attrs.setdefault("min", "0")

    def add_error(self, field: str | None, error: Any) -> None:
        # Reword Django's generic messages so they name the field or the value typed.
        if isinstance(error, forms.ValidationError):
            if hasattr(error, "error_dict"):
                error = forms.ValidationError(
                    {f: [self._reword(f, e) for e in errs] for f, errs in error.error_dict.items()}
                )
            elif field:
                error = forms.ValidationError([self._reword(field, e) for e in error.error_list])
        super().add_error(field, error)

    def _reword(self, field: str, error: forms.ValidationError) -> forms.ValidationError:
        """ "Ensure this value is greater than or equal to 0" → "Purchase cost cannot be
        negative"; "Enter a valid date" → "“2024-02-31” is not a date: use YYYY-MM-DD"."""
        form_field = self.fields.get(field)
        if form_field is None:
            return error
        params = error.params or {}
        if error.code == "min_value" and params.get("limit_value") == 0:
            return forms.ValidationError(
                f"{capfirst(form_field.label)} cannot be negative.", code="min_value"
            )
        if error.code == "invalid" and "%(value)s" in str(error.message):
            typed = self[field].data
            return forms.ValidationError(error.message, code="invalid", params={"value": typed})
        return error


class AssetForm(_ClientOwnedForm):
    class Meta:
        model = Asset
        fields = [
            "name",
            "kind",
            "status",
            "manufacturer",
            "model",
            "serial",
            "asset_tag",
            "os_name",
            "os_version",
            "cpu",
            "ram_gb",
            "disk_gb",
            "purchase_date",
            "purchase_cost",
            "warranty_end",
            "eol_date",
            "department",
            "assigned_to",
            "contact",
            "location",
            "notes",
        ]
        widgets = {"notes": NOTES}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        bought, ends = data.get("purchase_date"), data.get("warranty_end")
        if bought and ends and ends < bought:
            self.add_error(
                "warranty_end",
                f"The warranty cannot end ({ends}) before the purchase date ({bought}).",
            )
        return data


class LicenceForm(_ClientOwnedForm):
    class Meta:
        model = Licence
        fields = [
            "kind",
            "vendor",
            "product",
            "seats_owned",
            "seats_used",
            "unit_cost",
            "billing_period",
            "renewal_date",
            "department",
            "license_key",
            "notes",
        ]
        widgets = {"notes": NOTES}
        help_texts = {
            "seats_used": "More seats used than owned is allowed: it shows a compliance gap.",
        }


class PolicyForm(forms.Form):
    """One asset kind's policy; an empty row keeps vcio's default for that kind."""

    kind = forms.ChoiceField(choices=AssetKind.choices, widget=forms.HiddenInput)
    replace_after_years = forms.DecimalField(
        label="Replace after (years)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("30"),
        error_messages={
            "min_value": "Replace after at least 0.5 years.",
            "max_value": "Replace within 30 years.",
            "invalid": "“%(value)s” is not a number of years, e.g. 4 or 4.5.",
        },
    )
    replacement_cost = forms.DecimalField(
        label="Replacement cost",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "min_value": "A cost cannot be negative.",
            "invalid": "“%(value)s” is not an amount, e.g. 1500.",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        years, cost = data.get("replace_after_years"), data.get("replacement_cost")
        if (years is None) != (cost is None) and not self.errors:
            missing = "replace_after_years" if years is None else "replacement_cost"
            self.add_error(missing, "Give both the age and the cost, or leave both empty.")
        return data


class BasePolicyFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        kinds = [f.cleaned_data.get("kind") for f in self.forms if f.cleaned_data]
        if len(kinds) != len(set(kinds)):
            raise forms.ValidationError("Each asset kind may appear only once.")


PolicyFormSet = forms.formset_factory(
    PolicyForm,
    formset=BasePolicyFormSet,
    extra=0,
    max_num=len(AssetKind.choices),
    validate_max=True,
)


def policy_initial(policies: list) -> list[dict[str, Any]]:
    """The formset's rows: one per asset kind, with the policy in force (saved or default)."""
    return [
        {
            "kind": p.kind,
            "replace_after_years": p.replace_after_years if not p.is_default else None,
            "replacement_cost": p.replacement_cost if not p.is_default else None,
        }
        for p in policies
    ]


def save_policies(client: Client, formset: forms.BaseFormSet, actor: Any) -> int:
    """Create, update or delete the client's saved policies from a valid formset.

    An emptied row deletes the saved policy (the kind falls back to vcio's
    default). Every change is audited, all in one transaction. Returns the
    number of policies changed.
    """
    saved = {p.kind: p for p in LifecyclePolicy.objects.filter(client=client)}
    changed = 0
    with transaction.atomic():
        for form in formset.forms:
            kind = form.cleaned_data.get("kind")
            years = form.cleaned_data.get("replace_after_years")
            cost = form.cleaned_data.get("replacement_cost")
            policy = saved.get(kind)
            if years is None:
                if policy is not None:
                    audit.record_delete(actor, policy)
                    policy.delete()
                    changed += 1
            elif policy is None:
                policy = LifecyclePolicy.objects.create(
                    client=client, kind=kind, replace_after_years=years, replacement_cost=cost
                )
                audit.record_create(actor, policy)
                changed += 1
            elif (policy.replace_after_years, policy.replacement_cost) != (years, cost):
                before = audit.snapshot(policy)
                policy.replace_after_years, policy.replacement_cost = years, cost
                policy.save()
                audit.record_update(actor, policy, before)
                changed += 1
    return changed
