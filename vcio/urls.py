from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from vcio.core.views.auth import PasswordResetView, favicon, healthz

urlpatterns = [
    path("", include("vcio.core.urls")),
    path("", include("vcio.assets.urls")),
    path("", include("vcio.strategy.urls")),
    path("", include("vcio.availability.urls")),
    path("", include("vcio.capacity.urls")),
    path("", include("vcio.helpdesk.urls")),
    path("", include("vcio.assessments.urls")),
    path("", include("vcio.needs.urls")),
    path("", include("vcio.practice.urls")),
    path("", include("vcio.reviews.urls")),
    # Agents (FusionInventory / OCS) post inventories here with an ingest token in the URL.
    path("", include("vcio.capacity.agent_urls")),
    path("portal/", include("vcio.reviews.portal.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api/", include("vcio.assets.api.urls")),
    path("api/", include("vcio.strategy.api.urls")),
    path("api/", include("vcio.availability.api.urls")),
    path("api/", include("vcio.capacity.api.urls")),
    path("api/", include("vcio.helpdesk.api.urls")),
    path("api/", include("vcio.assessments.api.urls")),
    path("api/", include("vcio.needs.api.urls")),
    path("api/", include("vcio.practice.api.urls")),
    path("api/", include("vcio.reviews.api.urls")),
    path("api/", include("vcio.core.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]
