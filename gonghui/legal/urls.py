"""Pages of the legal app: the portal's /legal/… and the console's /console/legal/…"""

from gonghui.legal.urls_cases import urlpatterns as cases_urls
from gonghui.legal.urls_intake import urlpatterns as intake_urls
from gonghui.legal.urls_reports import urlpatterns as reports_urls

app_name = "legal"
urlpatterns = intake_urls + cases_urls + reports_urls
