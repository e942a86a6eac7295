from django.urls import path

from gonghui.hardship import views_review as views

urlpatterns = [
    path("console/hardship/reviews/", views.ReviewsView.as_view(), name="reviews"),
    path("console/hardship/files/<int:pk>/review/", views.ReviewFileView.as_view(), name="review_file"),
    path("console/hardship/files/<int:pk>/exit/", views.EndFileView.as_view(), name="exit_file"),
    path("console/hardship/files/<int:pk>/reopen/", views.ReopenFileView.as_view(), name="reopen_file"),
    path("console/hardship/files/<int:pk>/incomes/", views.IncomeView.as_view(), name="monthly_income"),
    path("console/hardship/followups/<int:pk>/", views.FollowUpView.as_view(), name="followup"),
    path("console/hardship/figures/", views.FiguresView.as_view(), name="figures"),
    path("console/hardship/figures/households/", views.HouseholdsView.as_view(), name="figures_households"),
    path("console/hardship/figures/export/", views.ExportView.as_view(), name="figures_export"),
]
