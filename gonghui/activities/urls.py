from django.urls import path

from gonghui.activities import views as v

app_name = "activities"
urlpatterns = [
    path("activities/", v.portal_list, name="list"),
    path("activities/<int:pk>/", v.portal_detail, name="detail"),
    path("activities/<int:pk>/cover/", v.cover, name="cover"),
    path("activities/photos/<int:pk>/", v.photo, name="photo"),
    path("console/activities/", v.ActivityList.as_view(), name="console_list"),
    path("console/activities/new/", v.activity_new, name="new"),
    path("console/activities/<int:pk>/", v.activity_manage, name="manage"),
    path("console/activities/<int:pk>/edit/", v.activity_edit, name="edit"),
    path("console/activities/<int:pk>/report/", v.activity_report, name="report"),
    path("console/activities/<int:pk>/photos/", v.photo_add, name="photo_add"),
    path("console/activities/photos/<int:pk>/delete/", v.photo_delete, name="photo_delete"),
    path("console/activities/<int:pk>/<slug:action>/", v.activity_action, name="action"),
]
