"""Pages of the courses app: the portal's /courses/…, the public /certificates/verify/ and the
console's /console/courses/…"""

from django.urls import path

from gonghui.courses import views

app_name = "courses"
urlpatterns = [
    path("courses/", views.portal_list, name="portal_list"),
    path("courses/<int:pk>/", views.portal_detail, name="portal_detail"),
    path("courses/certificates/", views.my_certificates, name="my_certificates"),
    path("courses/certificates/<int:pk>.pdf", views.my_certificate_pdf, name="my_certificate_pdf"),
    path("courses/uplift/", views.uplift_portal, name="uplift"),
    path("courses/uplift/apply/", views.uplift_apply, name="uplift_apply"),
    path("courses/uplift/<int:pk>/proof/", views.uplift_proof, name="uplift_proof"),
    path("certificates/verify/", views.verify, name="verify"),
    path("console/courses/", views.console_list, name="console_list"),
    path("console/courses/new/", views.console_create, name="console_create"),
    path("console/courses/targets/", views.console_targets, name="console_targets"),
    path("console/courses/uplift/", views.console_uplift, name="console_uplift"),
    path("console/courses/<int:pk>/", views.console_course, name="console_course"),
    path("console/courses/<int:pk>/edit/", views.console_edit, name="console_edit"),
    path("console/courses/<int:pk>/publish/", views.console_publish, name="console_publish"),
    path("console/courses/<int:pk>/sessions/new/", views.console_session_add, name="console_session_add"),
    path("console/courses/<int:pk>/results/", views.console_results, name="console_results"),
    path("console/courses/<int:pk>/results.xlsx", views.console_results_xlsx, name="console_results_xlsx"),
    path("console/courses/<int:pk>/evaluate/", views.console_evaluate, name="console_evaluate"),
    path("console/courses/<int:pk>/subsidies/", views.console_subsidies, name="console_subsidies"),
    path("console/courses/sessions/<int:pk>/edit/", views.console_session_edit, name="console_session_edit"),
    path("console/courses/sessions/<int:pk>/roll-call/", views.console_roll_call, name="console_roll_call"),
    path("console/courses/certificates/<int:pk>.pdf", views.console_certificate_pdf, name="console_certificate_pdf"),
    path("console/courses/certificates/<int:pk>/revoke/", views.console_certificate_revoke,
         name="console_certificate_revoke"),
]
