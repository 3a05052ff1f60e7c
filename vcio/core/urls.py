from django.urls import path

from vcio.core.views import clients, dashboard, imports, members, people, tokens

app_name = "core"

client = "clients/<slug:client>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("clients/", dashboard.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("switch/", dashboard.switch_client, name="switch_client"),
    path(client, clients.ClientDetailView.as_view(), name="client_detail"),
    path(f"{client}edit/", clients.ClientUpdateView.as_view(), name="client_update"),
    path(f"{client}delete/", clients.ClientDeleteView.as_view(), name="client_delete"),
    path(f"{client}audit/", clients.ClientAuditView.as_view(), name="client_audit"),
    path(f"{client}departments/", people.DepartmentList.as_view(), name="department_list"),
    path(f"{client}departments/new/", people.DepartmentCreate.as_view(), name="department_create"),
    path(
        f"{client}departments/<int:pk>/edit/",
        people.DepartmentUpdate.as_view(),
        name="department_update",
    ),
    path(
        f"{client}departments/<int:pk>/delete/",
        people.DepartmentDelete.as_view(),
        name="department_delete",
    ),
    path(f"{client}contacts/", people.ContactList.as_view(), name="contact_list"),
    path(f"{client}contacts/new/", people.ContactCreate.as_view(), name="contact_create"),
    path(f"{client}contacts/<int:pk>/edit/", people.ContactUpdate.as_view(), name="contact_update"),
    path(
        f"{client}contacts/<int:pk>/delete/",
        people.ContactDelete.as_view(),
        name="contact_delete",
    ),
    path(f"{client}members/", members.MemberList.as_view(), name="member_list"),
    path(f"{client}members/new/", members.MemberCreate.as_view(), name="member_create"),
    path(f"{client}members/<int:pk>/edit/", members.MemberUpdate.as_view(), name="member_update"),
    path(
        f"{client}members/<int:pk>/delete/",
        members.MemberDelete.as_view(),
        name="member_delete",
    ),
    path("tokens/", tokens.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
]

# Imports: history, upload → preview → confirm, and vcio's own templates.
urlpatterns += [
    path(f"{client}imports/", imports.ImportList.as_view(), name="import_list"),
    path(f"{client}imports/<int:pk>/", imports.ImportDetail.as_view(), name="import_detail"),
    path(
        f"{client}imports/<int:pk>/preview/",
        imports.ImportPreview.as_view(),
        name="import_preview",
    ),
    path(
        f"{client}imports/<int:pk>/confirm/",
        imports.ImportConfirm.as_view(),
        name="import_confirm",
    ),
    path(f"{client}import/<slug:target>/", imports.ImportUpload.as_view(), name="import_upload"),
    path(
        f"{client}import/<slug:target>/template.csv",
        imports.ImportTemplate.as_view(),
        name="import_template",
    ),
]
