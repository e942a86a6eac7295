"""Pages of the hardship app: the portal's /hardship/… and the console's /console/hardship/…"""

from gonghui.hardship.urls_aid import urlpatterns as aid_urls
from gonghui.hardship.urls_campaigns import urlpatterns as campaign_urls
from gonghui.hardship.urls_core import urlpatterns as core_urls
from gonghui.hardship.urls_review import urlpatterns as review_urls

app_name = "hardship"
urlpatterns = core_urls + aid_urls + campaign_urls + review_urls
