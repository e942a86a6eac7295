from django.urls import path

from gonghui.audit import views

app_name = "audit"
urlpatterns = [path("", views.AuditListView.as_view(), name="list")]
