"""Console pages under /console/members/ (namespace "members"), one list per part of the app."""

from gonghui.members.urls_card import urlpatterns as card_urls
from gonghui.members.urls_import import urlpatterns as import_urls
from gonghui.members.urls_join import urlpatterns as join_urls
from gonghui.members.urls_records import urlpatterns as record_urls

app_name = "members"
urlpatterns = record_urls + import_urls + join_urls + card_urls
