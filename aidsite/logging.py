"""Keep personal data out of logs and error reports (SECURITY D4)."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

_ID_NUMBER = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1**********\2", text)
    return _MOBILE.sub(r"\1****\2", text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = ()
        return True


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
