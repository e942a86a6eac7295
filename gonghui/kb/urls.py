"""Pages of the kb app: the portal's /kb/… and the console's /console/kb/…"""

from gonghui.kb.urls_articles import urlpatterns as article_urls
from gonghui.kb.urls_questions import urlpatterns as question_urls

app_name = "kb"
urlpatterns = article_urls + question_urls
