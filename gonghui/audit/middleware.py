from gonghui.audit.services import current_request


class AuditContextMiddleware:
    """Makes the acting request known to audit.record(), so actions need not pass the IP around."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
