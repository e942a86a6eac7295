"""Pages of the legal app's cases part."""

from django.urls import path

from gonghui.legal import views_cases as views

urlpatterns = [
    path("console/legal/cases/<int:pk>/", views.case_page, name="case"),
    path("console/legal/cases/<int:pk>/assign/", views.assign, name="assign"),
    path("console/legal/cases/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("console/legal/cases/<int:pk>/stages/", views.stage_add, name="stage_add"),
    path("console/legal/stages/<int:pk>/end/", views.stage_end, name="stage_end"),
    path("console/legal/stages/<int:pk>/hearings/", views.hearing_add, name="hearing_add"),
    path("console/legal/cases/<int:pk>/limitation/", views.limitation, name="limitation"),
    path("console/legal/cases/<int:pk>/progress/", views.progress, name="progress"),
    path("console/legal/cases/<int:pk>/documents/", views.document_add, name="document_add"),
    path("console/legal/documents/<int:pk>/", views.document, name="document"),
    path("console/legal/cases/<int:pk>/recoveries/", views.recovery_add, name="recovery_add"),
    path("console/legal/cases/<int:pk>/report/", views.closing_report, name="closing_report"),
    path("console/legal/cases/<int:pk>/close/", views.close, name="close"),
    path("console/legal/mine/", views.my_cases, name="my_cases"),
    path("console/legal/lawyers/", views.LawyerListView.as_view(), name="lawyers"),
    path("console/legal/lawyers/new/", views.lawyer_edit, name="lawyer_create"),
    path("console/legal/lawyers/<int:pk>/", views.lawyer_edit, name="lawyer"),
    path("console/legal/firms/", views.FirmListView.as_view(), name="firms"),
    path("console/legal/firms/new/", views.firm_edit, name="firm_create"),
    path("console/legal/firms/<int:pk>/", views.firm_edit, name="firm"),
    path("legal/cases/<int:pk>/rate/", views.rate, name="rate"),
]
