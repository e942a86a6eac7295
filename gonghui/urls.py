from django.urls import include, path
from django.views.i18n import set_language

from gonghui.api import urls as api_urls

urlpatterns = [
    # First: an API call then matches at once instead of after every page pattern (the apps' pages
    # are included at "" and are tried one by one); a page's path fails this prefix in one test.
    path("api/v1/", api_urls()),
    path("", include("gonghui.portal.urls")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("console/", include("gonghui.console.urls")),
    path("console/orgs/", include("gonghui.orgs.urls")),
    path("console/members/", include("gonghui.members.urls")),
    path("", include("gonghui.members.portal_urls")),  # /join/ and /me/… (portal)
    path("console/audit/", include("gonghui.audit.urls")),
    path("console/enterprises/", include("gonghui.enterprise.urls")),
    path("", include("gonghui.notifications.urls")),  # /messages/ (portal) and /console/messages/
    path("", include("gonghui.workflow.urls")),
    path("", include("gonghui.requests.urls")),  # /requests/ (portal) and /console/requests/
    path("", include("gonghui.hardship.urls")),  # /hardship/ (portal) and /console/hardship/
    path("", include("gonghui.kb.urls")),  # /kb/ (portal) and /console/kb/
    path("", include("gonghui.legal.urls")),  # /legal/ (portal) and /console/legal/
    path("", include("gonghui.enrolment.urls")),  # /enrolments/ (portal) and /console/enrolment/
    path("", include("gonghui.activities.urls")),  # /activities/ (portal) and /console/activities/
    path("", include("gonghui.courses.urls")),  # /courses/, /certificates/ (portal) and /console/courses/
    path("i18n/setlang/", set_language, name="set_language"),
]

handler400 = "gonghui.core.views.bad_request"
handler403 = "gonghui.core.views.permission_denied"
handler404 = "gonghui.core.views.page_not_found"
handler500 = "gonghui.core.views.server_error"
