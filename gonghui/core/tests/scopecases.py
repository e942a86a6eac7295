"""The shared scope test's registry.

Every app lists its routes in ``gonghui/<app>/tests/scope_cases.py``:

- ``CASES``: a ``ScopeCase`` per route that touches rows of a union node. The shared test
  (core/tests/test_scope_routes.py) makes a row inside district 2 and proves that an admin of
  sibling district 1 can neither list, read, change nor delete it (404, the row unchanged, no
  audit entry written), while district 2's own admin can (so the test can fail).
- ``EXEMPT``: route -> the written reason it touches no union's rows.

A route is a URL name (``"orgs:detail"``) or an API operation (``"GET /api/v1/orgs/{int:org_id}"``).
The meta-test fails on any route that is in neither.
"""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class ScopeCase:
    route: str
    # Creates the row inside district 2's subtree; gets the fixture namespace (tree, staff).
    make: Callable[[Any], Any]
    kind: str = "read"  # "list", "read", "change", "delete", "create"
    kwargs: Callable[[Any], dict] = lambda obj: {"pk": obj.pk}
    data: Callable[[Any], dict] = lambda obj: {}
    json: bool = False
    # An API route that takes a multipart upload rather than a JSON body.
    multipart: bool = False
    # Text that identifies the row in a list response.
    marker: Callable[[Any], str] = lambda obj: str(obj)
    # Whether the owner's successful request is a redirect (e.g. after a POST) rather than 200.
    owner_statuses: tuple = (200, 201, 204, 302)
    # A read that is a POST (e.g. revealing a full ID number, which is audited).
    http_method: str = ""

    @property
    def method(self) -> str:
        if self.http_method:
            return self.http_method
        if self.route.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
            return self.route.split(" ", 1)[0]
        return "GET" if self.kind in {"list", "read"} else "POST"


def _app_modules():
    for config in apps.get_app_configs():
        if config.name.startswith("gonghui."):
            try:
                yield importlib.import_module(f"{config.name}.tests.scope_cases")
            except ModuleNotFoundError as e:
                if e.name != f"{config.name}.tests.scope_cases":
                    raise


def registered_cases() -> list[ScopeCase]:
    return [case for module in _app_modules() for case in getattr(module, "CASES", [])]


def exemptions() -> dict[str, str]:
    result: dict[str, str] = {}
    for module in _app_modules():
        result.update(getattr(module, "EXEMPT", {}))
    return result


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}" if namespace else p.name


def api_operations() -> list[str]:
    from gonghui.api import api

    get_resolver().url_patterns  # noqa: B018  (building the URLs makes ninja flatten nested routers)
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    # A router nested in another (add_router("", part)) has the prefix "app/": one slash.
                    routes.append(f"{method} " + re.sub("/+", "/", f"/api/v1/{prefix}{path}"))
    return routes


def all_routes() -> list[str]:
    """Every URL name from the resolver (API operations listed by method and path instead)."""
    from gonghui.api import api

    url_names = list(_walk(get_resolver().url_patterns))  # built first: ninja then flattens nested routers
    operation_names = {
        op.view_func.__name__
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for op in path_view.operations
    }
    names = [n for n in url_names
             if not (n.startswith("api:") and n.split(":", 1)[1] in operation_names)]
    return sorted(set(names)) + sorted(set(api_operations()))
