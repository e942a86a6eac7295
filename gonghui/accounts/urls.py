from django.urls import path

from gonghui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="staff_login"),
    path("worker-login/", views.WorkerLoginView.as_view(), name="worker_login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.StaffPasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("grants/", views.GrantListView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", views.revoke_grant_view, name="revoke_grant"),
    path("tokens/<int:pk>/revoke/", views.revoke_token_view, name="revoke_token"),
]
