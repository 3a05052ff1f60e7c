"""The asset app's pages, all under one client: ``/clients/<client>/...``."""

from django.urls import path

from vcio.assets.views import assets, licences, lifecycle

app_name = "assets"

client = "clients/<slug:client>/"

urlpatterns = [
    path(f"{client}assets/", assets.AssetList.as_view(), name="asset_list"),
    path(f"{client}assets/export.csv", assets.AssetExport.as_view(), name="asset_export"),
    path(f"{client}assets/new/", assets.AssetCreate.as_view(), name="asset_create"),
    path(f"{client}assets/<int:pk>/", assets.AssetDetail.as_view(), name="asset_detail"),
    path(f"{client}assets/<int:pk>/edit/", assets.AssetUpdate.as_view(), name="asset_update"),
    path(f"{client}assets/<int:pk>/delete/", assets.AssetDelete.as_view(), name="asset_delete"),
    path(f"{client}licences/", licences.LicenceList.as_view(), name="licence_list"),
    path(f"{client}licences/export.csv", licences.LicenceExport.as_view(), name="licence_export"),
    path(f"{client}licences/new/", licences.LicenceCreate.as_view(), name="licence_create"),
    path(
        f"{client}licences/<int:pk>/edit/",
        licences.LicenceUpdate.as_view(),
        name="licence_update",
    ),
    path(
        f"{client}licences/<int:pk>/delete/",
        licences.LicenceDelete.as_view(),
        name="licence_delete",
    ),
    path(f"{client}lifecycle/", lifecycle.LifecycleView.as_view(), name="lifecycle"),
    path(
        f"{client}lifecycle/policies/",
        lifecycle.PolicyEdit.as_view(),
        name="policy_edit",
    ),
]
