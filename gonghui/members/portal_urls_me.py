"""Portal URLs of the worker's own data (namespace "my_union"): card, photo, profile, services, data."""

from django.urls import path

from gonghui.members import portal_views

urlpatterns = [
    path("me/card/", portal_views.card, name="card"),
    path("me/card/qr/", portal_views.card_qr, name="card_qr"),
    path("me/photo/", portal_views.photo, name="photo"),
    path("me/photo/upload/", portal_views.photo_upload, name="photo_upload"),
    path("me/profile/", portal_views.profile, name="profile"),
    path("me/profile/edit/", portal_views.profile_edit, name="profile_edit"),
    path("me/services/", portal_views.my_services, name="my_services"),
    path("me/data.json", portal_views.my_data, name="my_data"),
]
