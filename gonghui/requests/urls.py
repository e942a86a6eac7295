from django.urls import path

from gonghui.requests import views

app_name = "requests"
urlpatterns = [
    # The worker portal
    path("requests/", views.portal_list, name="portal_list"),
    path("requests/new/", views.portal_new, name="portal_new"),
    path("requests/new/describe/", views.portal_describe, name="portal_describe"),
    path("requests/<int:pk>/done/", views.portal_done, name="portal_done"),
    # The staff console
    path("console/requests/", views.InboxView.as_view(), name="inbox"),
    path("console/requests/assign/", views.bulk_assign, name="bulk_assign"),
    path("console/requests/export.csv", views.export_inbox, name="export_inbox"),
    path("console/requests/new/", views.log_request, name="log"),
    path("console/request-reports/", views.report_page, name="reports"),
    path("console/request-reports/export.xlsx", views.report_export, name="export"),
    path("console/requests/categories/", views.categories, name="categories"),
    path("console/requests/categories/<int:pk>/", views.categories, name="category_edit"),
]
