"""A client's departments and contacts: list, create, edit, delete."""

from __future__ import annotations

from django.db.models import Count

from vcio.core.filters import ContactFilter, DepartmentFilter
from vcio.core.forms import ContactForm, DepartmentForm
from vcio.core.models import Contact, Department
from vcio.core.views.base import (
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedListView,
    ClientScopedUpdateView,
)


class DepartmentList(ClientScopedListView):
    model = Department
    filterset_class = DepartmentFilter
    template_name = "core/department_list.html"

    def base_queryset(self):
        return super().base_queryset().annotate(contact_count=Count("contacts")).order_by("name")


class DepartmentCreate(ClientScopedCreateView):
    model = Department
    form_class = DepartmentForm
    success_view = "core:department_list"


class DepartmentUpdate(ClientScopedUpdateView):
    model = Department
    form_class = DepartmentForm
    success_view = "core:department_list"


class DepartmentDelete(ClientScopedDeleteView):
    model = Department
    success_view = "core:department_list"


class ContactList(ClientScopedListView):
    model = Contact
    filterset_class = ContactFilter
    template_name = "core/contact_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("department")


class ContactCreate(ClientScopedCreateView):
    model = Contact
    form_class = ContactForm
    success_view = "core:contact_list"


class ContactUpdate(ClientScopedUpdateView):
    model = Contact
    form_class = ContactForm
    success_view = "core:contact_list"


class ContactDelete(ClientScopedDeleteView):
    model = Contact
    success_view = "core:contact_list"
