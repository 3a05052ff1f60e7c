"""The client portal: what a client's executives see of their own client."""

from __future__ import annotations

from django.urls import path

from vcio.reviews.portal import views

app_name = "portal"

CLIENT = "<slug:client>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(CLIENT, views.Overview.as_view(), name="overview"),
    path(f"{CLIENT}roadmap/", views.Roadmap.as_view(), name="roadmap"),
    path(f"{CLIENT}initiatives/<int:pk>/decide/", views.Decide.as_view(), name="decide"),
    path(f"{CLIENT}reviews/", views.ReviewList.as_view(), name="review_list"),
    path(f"{CLIENT}reviews/<int:pk>/", views.ReviewDetail.as_view(), name="review_detail"),
    path(f"{CLIENT}reviews/<int:pk>/report/", views.ReviewReport.as_view(), name="review_report"),
    path(f"{CLIENT}reviews/<int:pk>/report.pdf", views.ReviewPdf.as_view(), name="review_pdf"),
]
