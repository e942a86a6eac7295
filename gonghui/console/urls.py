from django.urls import path

from gonghui.console import views

app_name = "console"
urlpatterns = [path("", views.HomeView.as_view(), name="home")]
