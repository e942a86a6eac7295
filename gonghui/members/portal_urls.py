"""Worker portal pages (namespace "my_union"): joining, the e-card, "my services", "my data"."""

from gonghui.members.portal_urls_join import urlpatterns as join_urls
from gonghui.members.portal_urls_me import urlpatterns as me_urls
from gonghui.members.portal_urls_transfer import urlpatterns as transfer_urls

app_name = "my_union"
urlpatterns = join_urls + me_urls + transfer_urls
