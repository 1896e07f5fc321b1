"""Keep personal data out of logs and error reports (SECURITY D4).

Every handler of `settings.LOGGING` carries `MaskPersonalDataFilter` (message,
arguments, exception text and stack are masked on the record itself, so any
formatter downstream sees masked text) and formats with `MaskingFormatter`
(which masks its whole output, whatever a format string pulls in, e.g. the
request line runserver logs). gunicorn's access and error logs use the same
two names, so they stay stable: `aidsite.logging.MaskPersonalDataFilter`,
`aidsite.logging.MaskingFormatter`.
"""

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_ID_NUMBER = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
# A mobile may carry the country code written against it (+8613812345678).
_MOBILE = re.compile(r"(?<!\d)((?:\+?86)?1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """ID-shaped and mobile-shaped substrings masked as the pages show them."""
    text = _ID_NUMBER.sub(r"\1**********\2", text)
    return _MOBILE.sub(r"\1****\2", text)


class MaskPersonalDataFilter(logging.Filter):
    """Mask the message with its arguments, the exception text and the stack of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Formatted once here, masked, and cached on the record: every formatter
            # (ours or a library's) reuses exc_text instead of formatting the raw one.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class MaskingFormatter(logging.Formatter):
    """A formatter whose whole output is masked: the depth that holds whatever the format adds.

    Takes the usual `format`, `datefmt` and `style` arguments, so it drops in for
    `logging.Formatter`, Django's `ServerFormatter` or gunicorn's formatters.
    """

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        return mask_text(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return mask_text(super().formatStack(stack_info))


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request):  # type: ignore[no-untyped-def]
        # Every posted value may hold an ID number or phone: hide them all.
        params = super().get_post_parameters(request)
        if request is None or not params:
            return params
        cleansed = params.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed


def gunicorn_logconfig() -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its access and error logs masked like the app's own.

    In the gunicorn config file: `from aidsite.logging import gunicorn_logconfig;
    logconfig_dict = gunicorn_logconfig()`. Access lines carry the query string, which
    may hold a number typed into a URL by hand (the admin's own search never puts one there).
    """
    stream = {
        "class": "logging.StreamHandler",
        "filters": ["mask_personal_data"],
        "formatter": "masked",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_personal_data": {"()": "aidsite.logging.MaskPersonalDataFilter"}},
        "formatters": {
            "masked": {
                "()": "aidsite.logging.MaskingFormatter",
                "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
            },
        },
        "handlers": {
            "error_console": {**stream, "stream": "ext://sys.stderr"},
            "console": {**stream, "stream": "ext://sys.stdout"},
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
