import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The test client speaks plain HTTP; production settings would redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Background jobs run inside the test, synchronously (issue 5: the immediate backend).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _plain_static_urls(settings, tmp_path):
    # Pages link /static/<name> whether or not `collectstatic` has run on this checkout, so
    # the test server (which serves through the finders) and the PDF tests find every file.
    # tests/aidsite/test_serving.py runs the production storage, collected, end to end.
    # An empty STATIC_ROOT: whitenoise would otherwise index the collected files (~0.1 s)
    # for every test client.
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
