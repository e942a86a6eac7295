from django.urls import path

from gonghui.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("me/", views.me, name="me"),
    path("large-text/", views.toggle_large_text, name="large_text"),
]
