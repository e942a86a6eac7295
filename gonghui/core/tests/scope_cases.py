EXEMPT = {
    "set_language": "Django's language switch; stores a cookie, reads no rows",
    "api:openapi-json": "the API schema; no rows",
    "api:openapi-view": "the API documentation page; no rows",
    "api:api-root": "ninja's root route (no view of its own)",
    "GET /api/v1/health": "health check; runs SELECT 1 only",
}
