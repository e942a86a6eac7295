"""金秋助学 and 送温暖: the worker's page and the console's pages."""

from django.urls import path

from gonghui.hardship import views_campaigns as views

urlpatterns = [
    path("hardship/golden-autumn/", views.golden_portal, name="golden_portal"),
    path("hardship/golden-autumn/apply/", views.golden_apply, name="golden_apply"),
    path("console/hardship/golden-autumn/", views.golden_index, name="golden_autumn"),
    path("console/hardship/golden-autumn/apply/<int:file_pk>/", views.golden_apply_for, name="golden_apply_for"),
    path("console/hardship/golden-autumn/new/", views.golden_round_create, name="golden_round_create"),
    path("console/hardship/golden-autumn/<int:pk>/", views.golden_round, name="golden_round"),
    path("console/hardship/golden-autumn/<int:pk>/batch/", views.golden_batch, name="golden_batch"),
    path("console/hardship/golden-autumn/<int:pk>/payment-list.xlsx", views.golden_payment_list,
         name="golden_payment_list"),
    path("console/hardship/warmth/", views.warmth_index, name="warmth"),
    path("console/hardship/warmth/new/", views.warmth_create, name="warmth_create"),
    path("console/hardship/warmth/<int:pk>/", views.warmth_campaign, name="warmth_campaign"),
    path("console/hardship/warmth/<int:pk>/generate/", views.warmth_generate, name="warmth_generate"),
    path("console/hardship/warmth/<int:pk>/add/", views.warmth_add_target, name="warmth_add_target"),
    path("console/hardship/warmth/targets/<int:pk>/visit/", views.warmth_visit, name="warmth_visit"),
    path("console/hardship/warmth/visits/<int:pk>/photo/", views.warmth_photo, name="warmth_photo"),
]
