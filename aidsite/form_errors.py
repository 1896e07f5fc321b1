"""A service's refusal shown on the form that asked for it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def service_error(form: Any, exc: ValidationError) -> None:
    """A service's refusal as the form's error (in Chinese), never a 500: each message under its
    field where the form has that field, otherwise above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
