from django.urls import path

from gonghui.members import views

urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("new/", views.RegisterView.as_view(), name="register"),
    path("transfers/", views.TransferListView.as_view(), name="transfers"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.StatusChangeView.as_view(), name="status"),
    path("<int:pk>/transfer/", views.StartTransferView.as_view(), name="transfer"),
    path("<int:pk>/id-number/", views.RevealIdNumberView.as_view(), name="reveal_id"),
]
