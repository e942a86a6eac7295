"""The product's URLs plus ``bench/minimal/``: the cheapest page Django can serve through the same
middleware, used as the baseline that product pages are compared with."""

from django.http import HttpResponse
from django.urls import include, path

from gonghui import urls as product_urls


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include(product_urls)),
]

handler400 = product_urls.handler400
handler403 = product_urls.handler403
handler404 = product_urls.handler404
handler500 = product_urls.handler500
