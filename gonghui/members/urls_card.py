"""Console URLs of the e-card and the service ledger (under /console/members/, namespace "members")."""

from django.urls import path

from gonghui.ledger.views import ServiceListView
from gonghui.members import views_card

urlpatterns = [
    path("card/verify/", views_card.CardVerifyView.as_view(), name="card_verify"),
    path("card/verify/<str:token>/", views_card.CardVerifyView.as_view(), name="card_verify_token"),
    path("card/photo/<str:token>/", views_card.CardPhotoView.as_view(), name="card_photo"),
    path("<int:pk>/photo/", views_card.MemberPhotoView.as_view(), name="photo"),
    path("services/", ServiceListView.as_view(), name="services"),
]
