"""Pages of the legal app's intake part."""

from django.urls import path

from gonghui.legal import views_intake as views

urlpatterns = [
    # portal
    path("legal/", views.portal_home, name="portal_home"),
    path("legal/apply/", views.portal_apply, name="apply"),
    path("legal/apply/check/", views.portal_check, name="apply_check"),
    # console
    path("console/legal/cases/", views.CaseListView.as_view(), name="cases"),
    path("console/legal/apply/", views.apply_for, name="apply_for"),
    path("console/legal/consultations/", views.consultations, name="consultations"),
    path("console/legal/consultations/new/", views.consultation_log, name="consultation_log"),
    path("console/legal/consultations/<int:pk>/", views.consultation, name="consultation"),
    path("console/legal/rules/", views.rules, name="rules"),
    path("console/legal/rules/<int:federation_id>/new/", views.rule_add, name="rule_add"),
    path("console/legal/rules/<int:federation_id>/copy-defaults/", views.rules_copy, name="rules_copy"),
    path("console/legal/rule/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("console/legal/centres/", views.CentreListView.as_view(), name="centres"),
    path("console/legal/centres/<int:pk>/", views.centre_edit, name="centre"),
]
