from django.urls import path

from gonghui.members import views

urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/id-number/", views.RevealIdNumberView.as_view(), name="reveal_id"),
]
