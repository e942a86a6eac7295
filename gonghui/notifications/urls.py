from django.urls import path

from gonghui.notifications import views

app_name = "notifications"
urlpatterns = [
    # Worker portal
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.open_notification, name="open"),
    path("messages/read-all/", views.read_all, name="read_all"),
    path("messages/settings/", views.preferences, name="preferences"),
    # Staff console
    path("console/messages/", views.console_inbox, name="console_inbox"),
    path("console/messages/<int:pk>/", views.console_open, name="console_open"),
    path("console/messages/read-all/", views.console_read_all, name="console_read_all"),
    path("console/messages/settings/", views.console_preferences, name="console_preferences"),
]
