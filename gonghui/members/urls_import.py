"""Console pages of the roster import, inside the "members" namespace (/console/members/imports/…)."""

from django.urls import path

from gonghui.members import views_import as views

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="imports"),
    path("imports/upload/", views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/columns/", views.ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="import_commit"),
    path("imports/<int:pk>/rejected.xlsx", views.ImportRejectedView.as_view(), name="import_rejected"),
]
