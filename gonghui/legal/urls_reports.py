"""Pages of the legal app's reports part."""

from django.urls import path

from gonghui.legal import views_reports as views

urlpatterns = [
    path("console/legal/arrears/", views.ArrearsBoardView.as_view(), name="arrears"),
    path("console/legal/figures/", views.FiguresView.as_view(), name="figures"),
    path("console/legal/figures/export/", views.FiguresExportView.as_view(), name="figures_export"),
    # One address for staff, the assigned lawyer and the applicant (views_reports decides who).
    path("legal/documents/<int:pk>/application.pdf", views.ApplicationPdfView.as_view(), name="application_pdf"),
    path("legal/documents/<int:pk>/assignment-letter.pdf", views.LetterPdfView.as_view(), name="letter_pdf"),
    path("legal/documents/<int:pk>/closing-report.pdf", views.ClosingPdfView.as_view(), name="closing_pdf"),
]
