"""Forms for core's pages; validation messages name the field and the value."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vcio.core import links
from vcio.core.models import ApiToken, Client, Contact, Department, Membership
from vcio.core.roles import PRACTICE_WIDE_ROLES, Perm, Role

# Roles granted per client from the members page; owners and admins are
# practice-wide and managed in the Django admin.
CLIENT_GRANTABLE_ROLES = [(r.value, r.label) for r in Role if r not in PRACTICE_WIDE_ROLES]


NOT_A_DATE = "“%(value)s” is not a date: use YYYY-MM-DD."
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DayField(forms.DateField):
    """A date field (a date picker) whose "not a date" message quotes what was typed."""

    widget = DATE_INPUT

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code != "invalid":
                raise
            raise ValidationError(
                NOT_A_DATE, code="invalid", params={"value": str(value)[:50]}
            ) from None


# The largest primary key any of our databases stores (a signed 64-bit integer).
MAX_PK = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses ids no database could hold.

    Django hands the typed ids to an ``__in`` lookup, where SQLite raises
    OverflowError on a 20-digit number: that must be the user's error (a
    400 naming the value), not a server error.
    """

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:30]},
                )
        return super()._check_values(value)


class ClientForm(forms.ModelForm):
    # A website typed without a scheme is almost always https today.
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Client
        fields = [
            "name",
            "slug",
            "industry",
            "employee_count",
            "fiscal_year_start_month",
            "currency",
            "time_zone",
            "website",
            "monthly_fee",
            "contract_start",
            "notes",
            "internal_notes",
            "is_active",
        ]
        widgets = {
            "contract_start": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "slug": {"unique": "A client with this slug already exists."},
            "name": {"unique": "A client with this name already exists."},
        }

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "cost_centre", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Department.objects.filter(client=self.instance.client, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"{self.instance.client} already has a department '{name}'."
            )
        return name


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "department",
            "is_primary",
            "is_decision_maker",
        ]

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client
        # Only this client's departments can be chosen.
        self.fields["department"].queryset = Department.objects.filter(client=client)


class MemberForm(forms.Form):
    """Grant a login access to one client; creates the login when new."""

    email = forms.EmailField(help_text="An existing login with this email gets the role.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=CLIENT_GRANTABLE_ROLES)

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean(self) -> dict:
        data = super().clean()
        email = data.get("email")
        if email:
            User = get_user_model()
            user = User.objects.filter(email__iexact=email).first()
            if user and Membership.objects.filter(user=user, client=self.client).exists():
                self.add_error("email", f"{email} is already a member of {self.client}.")
            if user and Membership.objects.filter(user=user, client__isnull=True).exists():
                self.add_error(
                    "email", f"{email} is a practice owner or admin: they reach every client."
                )
            data["user"] = user
        return data

    def save(self, request) -> Membership:
        """Create the membership (and the login, with a set-password email)."""
        User = get_user_model()
        user = self.cleaned_data.get("user")
        if user is None:
            email = self.cleaned_data["email"]
            username = _free_username(email.split("@")[0])
            user = User.objects.create_user(
                username=username,
                email=email,
                first_name=self.cleaned_data["first_name"],
                last_name=self.cleaned_data["last_name"],
            )
            user.set_unusable_password()
            user.save()
            send_invitation(request, user, self.client)
        return Membership.objects.create(
            user=user, client=self.client, role=self.cleaned_data["role"]
        )


def send_invitation(request, user, client: Client) -> None:
    """Email a new login a link to choose a password (Django's reset tokens)."""
    context = {
        "user": user,
        "client": client,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        # The configured address (behind a proxy the request's host may be internal).
        "protocol": base[0] if (base := links.protocol_and_domain()) else request.scheme,
        "domain": base[1] if base else request.get_host(),
        "inviter": request.user.get_full_name() or request.user.get_username(),
    }
    PasswordResetForm().send_mail(
        "registration/invitation_subject.txt",
        "registration/invitation_email.txt",
        context,
        None,
        user.email,
    )


def _free_username(base: str) -> str:
    User = get_user_model()
    base = "".join(ch for ch in base if ch.isalnum() or ch in "._-")[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


class MembershipRoleForm(forms.ModelForm):
    role = forms.ChoiceField(choices=CLIENT_GRANTABLE_ROLES)

    class Meta:
        model = Membership
        fields = ["role"]


class TokenForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, help_text="Empty: never expires."
    )

    class Meta:
        model = ApiToken
        fields = ["name", "client", "read_only"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_user(user, Perm.VIEW)
        self.fields["client"].empty_label = "Every client I can reach"
        self.fields["client"].to_field_name = "slug"
