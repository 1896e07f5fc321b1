"""The one settings module. Everything that differs between machines comes
from the environment; nothing exists only in production."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV

from aidsite.export_formats import XLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in var/ (0600) for this machine."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = BASE_DIR / "var" / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "axes",
    "django_htmx",
    "pgtrigger",
    "django_tasks",
    "django_tasks_db",
    "aidsite",
    "students",
    "subsidies",
    "campaigns",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are served by the application itself (no separate web server needed),
    # before sessions and the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aidsite.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aidsite.middleware.SecurityHeadersMiddleware",
    # Axes must come last so that it sees the authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aidsite.urls"
WSGI_APPLICATION = "aidsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Amounts, ratios, tiers and codes are written one way on every page.
            "builtins": ["aidsite.templatetags.display"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A runaway query is cut off rather than holding the database (SECURITY F3).
    timeout_ms = int(os.environ.get("STATEMENT_TIMEOUT_MS", "60000"))
    # JIT compilation costs more than it saves on this app's short queries: the
    # eligibility facts query spent 1.2 s of 1.5 s compiling (bench/compute_aid.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={timeout_ms} -c jit=off"
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute force (SECURITY A6): lock a username+IP pair after 5 failures for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]

# Sessions (SECURITY A7): idle timeout of 8 hours, renewed on each request.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE_PRODUCTION = env_bool("SECURE_PRODUCTION", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_PRODUCTION
CSRF_COOKIE_SECURE = SECURE_PRODUCTION
SECURE_SSL_REDIRECT = SECURE_PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE_PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_PRODUCTION
SECURE_HSTS_PRELOAD = SECURE_PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A refused form (expired page, cookies off) explains itself in Chinese in the area's look.
CSRF_FAILURE_VIEW = "aidsite.errors.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
# `collectstatic` (part of `make setup`) fills it; whitenoise serves it with far-future caching.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names; a file missing from the manifest never turns a page into a 500.
    "staticfiles": {"BACKEND": "aidsite.staticfiles.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"

# Uploads (SECURITY B8): roster files are capped before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files the app stores (photos of home visits) are its account's alone; the app serves them
# itself after a scope check, so nothing else needs to read them (SECURITY D5).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(40 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(400 * 1024 * 1024))
)
# Longest cell or shared string an import reads (Excel's own cell limit), checked before parsing.
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", "32767"))

# django-import-export: nobody imports or exports without an explicit permission (SECURITY A3).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Export and import formats are an allow-list (SECURITY E2): never HTML, never xls/xlsm.
IMPORT_FORMATS = [XLSX]
EXPORT_FORMATS = [XLSX, CSV]

# Personal data stays out of error reports (SECURITY D4).
DEFAULT_EXCEPTION_REPORTER_FILTER = "aidsite.logging.PersonalDataExceptionReporterFilter"

# Every handler masks ID numbers and phones in the message, its arguments, exception
# text and stack (SECURITY D4); the formatter masks its whole output on top. Django's
# own loggers are rerouted here: `django.server` (runserver's request lines, which
# carry query strings) and `django.request` (tracebacks) would otherwise write unmasked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "aidsite.logging.MaskPersonalDataFilter"}},
    "formatters": {
        "masked": {
            "()": "aidsite.logging.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "masked_server": {
            "()": "aidsite.logging.MaskingFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
            "defaults": {"server_time": ""},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal_data"],
            "formatter": "masked",
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal_data"],
            "formatter": "masked_server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Drops Django's default handlers (console only under DEBUG, and mail_admins, whose
        # e-mail would carry the request unmasked): errors propagate to the masked root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Photos of home visits and campaign activities (campaigns.photos): images only, capped.
CAMPAIGN_PHOTO_MAX_BYTES = int(os.environ.get("CAMPAIGN_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))

# Who to call about aid, printed on notices and cards.
AID_OFFICE_NAME = os.environ.get("AID_OFFICE_NAME", "县教育和体育局学生资助管理中心")
AID_OFFICE_PHONE = os.environ.get("AID_OFFICE_PHONE", "0537-6861234")

# Background jobs (SECURITY F2): django-tasks with its database backend, so no extra
# server is needed; `manage.py db_worker` runs them (`make run` starts it). Tests
# switch to the immediate backend in tests/conftest.py.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Finished export files are deleted after this many days (purge_exports, and on listing).
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))

# The registry's models that scope every access (aidsite names no app in code: these do).
AID_TOWNSHIP_MODEL = "students.Township"
AID_SCHOOL_MODEL = "students.School"
# Who may see full ID numbers, phones and bank accounts.
AID_REVEAL_PERMISSION = "students.view_full_personal_data"
