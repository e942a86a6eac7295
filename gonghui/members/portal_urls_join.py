"""Portal pages of joining online (namespace "my_union", at the site root)."""

from django.urls import path

from gonghui.members import views_join

urlpatterns = [
    path("join/", views_join.join_start, name="join_start"),
    path("join/u/<int:pk>/", views_join.join_apply, name="join_apply"),
    path("join/id-check/", views_join.join_id_check, name="join_id_check"),
    path("join/applications/", views_join.join_mine, name="join_mine"),
    path("join/applications/<int:pk>/", views_join.join_done, name="join_done"),
]
