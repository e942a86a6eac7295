"""URLs of the core part (under the "hardship" namespace; the app is included at the site root)."""

from django.urls import path

from gonghui.hardship import views_core as views

urlpatterns = [
    # console
    path("console/hardship/files/", views.FileListView.as_view(), name="files"),
    path("console/hardship/files/new/", views.FileCreateView.as_view(), name="file_create"),
    path("console/hardship/files/<int:pk>/", views.FileDetailView.as_view(), name="file_detail"),
    path("console/hardship/files/<int:pk>/edit/", views.FileEditView.as_view(), name="file_edit"),
    path("console/hardship/files/<int:pk>/add/<slug:what>/", views.FileAddView.as_view(), name="file_add"),
    path("console/hardship/files/<int:pk>/members/<int:member_id>/", views.MemberEditView.as_view(),
         name="member_edit"),
    path("console/hardship/files/<int:pk>/remove/<slug:what>/<int:row>/", views.RowRemoveView.as_view(),
         name="row_remove"),
    path("console/hardship/files/<int:pk>/assess/", views.AssessView.as_view(), name="file_assess"),
    path("console/hardship/documents/<int:pk>/", views.document_download, name="document"),
    path("console/hardship/applications/", views.ApplicationListView.as_view(), name="applications"),
    path("console/hardship/from-request/<int:pk>/", views.ApplyFromRequestView.as_view(),
         name="apply_from_request"),
    path("console/hardship/policies/", views.PolicyListView.as_view(), name="policies"),
    path("console/hardship/policies/new/", views.PolicyCreateView.as_view(), name="policy_create"),
    # portal
    path("hardship/apply/", views.portal_apply, name="apply"),
    path("hardship/self-check/", views.portal_self_check, name="self_check"),
    path("hardship/me/", views.portal_me, name="me"),
    path("hardship/notice/", views.portal_notice, name="notice"),
]
