from django.core.management import call_command
from django.test import override_settings

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage(tmp_path):
    """`make run` serves through the manifest storage: a vendored file pointing at a missing
    file (e.g. a source map) would stop it."""
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--no-input", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/htmx/htmx.min.*.js"))
