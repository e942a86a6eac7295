from django.urls import path

from gonghui.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrgListView.as_view(), name="list"),
    path("<int:pk>/", views.OrgDetailView.as_view(), name="detail"),
    path("<int:parent_id>/add/", views.OrgCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.OrgEditView.as_view(), name="edit"),
    path("<int:pk>/import/", views.OrgImportView.as_view(), name="import"),
]
