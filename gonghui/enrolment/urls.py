from django.urls import path

from gonghui.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("enrolments/", views.mine, name="mine"),
    path("enrolments/offerings/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("enrolments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrolments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("console/enrolment/offerings/<int:pk>/", views.roster, name="roster"),
    path("console/enrolment/offerings/<int:pk>/add/", views.add, name="add"),
    path("console/enrolment/offerings/<int:pk>/export.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("console/enrolment/offerings/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("console/enrolment/enrolments/<int:pk>/remove/", views.remove, name="remove"),
    path("console/enrolment/check-in/<str:token>/", views.check_in_scan, name="check_in_scan"),
    path("console/enrolment/figures/", views.figures_page, name="figures"),
    path("console/enrolment/figures/export.xlsx", views.figures_xlsx, name="figures_xlsx"),
]
