"""Console pages of joining online (namespace "members", under /console/members/)."""

from django.urls import path

from gonghui.members import views_join

urlpatterns = [
    path("join-applications/", views_join.JoinApplicationListView.as_view(), name="join_list"),
    path("join-applications/<int:pk>/id-number/", views_join.JoinRevealIdView.as_view(), name="join_reveal_id"),
    path("join-qr/<int:pk>/", views_join.JoinQrView.as_view(), name="join_qr"),
]
