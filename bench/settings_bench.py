"""Settings for benchmark servers: the product settings plus a benchmark-only URLconf.

The minimal baseline view lives in bench/urls_bench.py, never in the product.
"""

from gonghui.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"

if os.environ.get("GONGHUI_BENCH_PLAIN_STATIC") == "1":  # noqa: F405
    # Used by bench/run.py only when collectstatic fails: {% static %} then needs no manifest.
    STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
