"""Console pages of the aid part: funds, aid requests and approvals, plans, pairings."""

from django.urls import path

from gonghui.hardship import views_aid as views

urlpatterns = [
    path("console/hardship/funds/", views.FundListView.as_view(), name="funds"),
    path("console/hardship/funds/new/", views.FundCreateView.as_view(), name="fund_create"),
    path("console/hardship/funds/<int:pk>/", views.FundDetailView.as_view(), name="fund"),
    path("console/hardship/funds/<int:pk>/edit/", views.FundEditView.as_view(), name="fund_edit"),
    path("console/hardship/aid/", views.AidListView.as_view(), name="aid_list"),
    path("console/hardship/aid/<int:pk>/", views.AidDetailView.as_view(), name="aid"),
    path("console/hardship/aid/<int:pk>/approve/", views.AidApproveView.as_view(), name="aid_approve"),
    path("console/hardship/aid/<int:pk>/reject/", views.AidRejectView.as_view(), name="aid_reject"),
    path("console/hardship/files/<int:pk>/aid/new/", views.AidRequestView.as_view(), name="aid_request"),
    path("console/hardship/files/<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("console/hardship/files/<int:pk>/plan/measures/", views.MeasureAddView.as_view(), name="measure_add"),
    path("console/hardship/measures/<int:pk>/", views.MeasureUpdateView.as_view(), name="measure_update"),
    path("console/hardship/pairings/", views.PairingListView.as_view(), name="pairings"),
    path("console/hardship/files/<int:pk>/pairings/new/", views.PairingCreateView.as_view(), name="pairing_create"),
    path("console/hardship/pairings/<int:pk>/", views.PairingDetailView.as_view(), name="pairing"),
    path("console/hardship/pairings/<int:pk>/contacts/", views.PairingContactView.as_view(), name="pairing_contact"),
    path("console/hardship/pairings/<int:pk>/end/", views.PairingEndView.as_view(), name="pairing_end"),
]
