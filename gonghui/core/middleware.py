from django.http import JsonResponse
from django.utils.translation import gettext as _


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong HTTP method with a plain-text 405 and offers no hook for it;
    the API promises JSON {"code", "message"} for every error, so rewrite that one answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            json_response = JsonResponse(
                {"code": "method_not_allowed", "message": _("该接口不支持 %(method)s 请求。") % {"method": request.method}},
                status=405, json_dumps_params={"ensure_ascii": False},
            )
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
