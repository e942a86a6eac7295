from django.urls import path

from gonghui.members import views

urlpatterns = [
    path("me/transfer/", views.portal_transfer, name="transfer"),
]
