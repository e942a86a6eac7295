from django.urls import path

from gonghui.workflow import views

app_name = "workflow"
urlpatterns = [
    path("console/cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/do/<slug:name>/", views.take_transition, name="transition"),
    path("cases/<int:pk>/comment/", views.comment, name="comment"),
    path("cases/<int:pk>/attach/", views.attach, name="attach"),
    path("cases/files/<int:pk>/", views.download, name="download"),
    path("my/cases/<int:pk>/", views.portal_case, name="portal_case"),
    path("console/case-types/<slug:name>/", views.diagram, name="diagram"),
    path("console/calendar/", views.holiday_calendar, name="calendar"),
    path("console/calendar/<int:pk>/delete/", views.delete_override, name="delete_override"),
]
