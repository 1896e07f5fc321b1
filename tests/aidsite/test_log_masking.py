"""SECURITY D4: no ID number or phone reaches a log, whatever part of the record carries it."""

from __future__ import annotations

import io
import logging
import logging.config
import re
import sys

import pytest
from django.conf import settings

from aidsite.logging import MaskingFormatter, MaskPersonalDataFilter

FULL_ID = "11010519491231002X"
PHONE = "13812345678"
LEAK = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}")


@pytest.fixture
def configured_logging():
    """settings.LOGGING applied, every handler writing into its own buffer."""
    logging.config.dictConfig(settings.LOGGING)
    buffers: dict[str, io.StringIO] = {}
    names = ["", *settings.LOGGING.get("loggers", {}), "django.request", "django.security.csrf"]
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                buffers.setdefault(handler.get_name() or repr(handler), io.StringIO())
                handler.setStream(buffers[handler.get_name() or repr(handler)])
    yield buffers
    logging.config.dictConfig(settings.LOGGING)


def _raise_with_personal_data():
    raise ValueError(f"学生 {FULL_ID} 家长 {PHONE} 导入失败")


@pytest.mark.parametrize("logger_name", ["", "aidsite", "django", "django.request", "django.server"])
def test_message_arguments_exception_and_stack_are_masked(configured_logging, logger_name):
    logger = logging.getLogger(logger_name)
    try:
        _raise_with_personal_data()
    except ValueError:
        logger.error(
            "查找 %s 失败，电话 %s", FULL_ID, PHONE, exc_info=True, stack_info=True,
            extra={"server_time": "03/Dec/2026 10:00:00"},
        )

    written = "".join(buffer.getvalue() for buffer in configured_logging.values())
    assert "导入失败" in written and "Traceback" in written and "Stack" in written
    assert "1101**********002X" in written and "138****5678" in written
    assert LEAK.search(written) is None


def test_runserver_request_lines_are_masked(configured_logging):
    # The call django.core.servers.basehttp.WSGIRequestHandler.log_message makes.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /admin/students/student/?q={FULL_ID}&p={PHONE} HTTP/1.1", "200", "512",
        extra={"request": None, "server_time": "03/Dec/2026 10:00:00", "status_code": 200},
    )
    written = "".join(buffer.getvalue() for buffer in configured_logging.values())
    assert "GET /admin/students/student/?q=1101**********002X" in written
    assert LEAK.search(written) is None


def test_every_configured_handler_masks(configured_logging):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_personal_data" in handler.get("filters", []), name
        formatter = settings.LOGGING["formatters"][handler["formatter"]]
        assert formatter["()"] == "aidsite.logging.MaskingFormatter", name


def test_the_formatter_masks_what_another_formatter_already_cached():
    # A record formatted by a plain formatter first caches its traceback unmasked;
    # the masking formatter still writes none of it.
    try:
        _raise_with_personal_data()
    except ValueError:
        record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "x", (), None)
        record.exc_info = sys.exc_info()
    logging.Formatter().format(record)
    assert FULL_ID in record.exc_text
    assert LEAK.search(MaskingFormatter("%(message)s").format(record)) is None


def test_the_filter_masks_a_mobile_written_with_its_country_code():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "电话 +86%s", (PHONE,), None)
    MaskPersonalDataFilter().filter(record)
    assert record.getMessage() == "电话 +86138****5678"


def test_gunicorn_access_and_error_logs_are_masked(capsys):
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from aidsite.logging import gunicorn_logconfig

    cfg = Config()
    cfg.set("logconfig_dict", gunicorn_logconfig())
    try:
        log = Logger(cfg)
        environ = {
            "REQUEST_METHOD": "GET", "RAW_URI": f"/admin/students/student/?q={FULL_ID}",
            "PATH_INFO": "/admin/students/student/", "QUERY_STRING": f"q={FULL_ID}",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
        }
        response = SimpleNamespace(status="200 OK", headers=[], sent=512, response_length=512)
        log.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(seconds=0.1))
        try:
            _raise_with_personal_data()
        except ValueError:
            log.exception("Error handling request /admin/?q=%s", PHONE)
        written = capsys.readouterr()
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert "GET /admin/students/student/?q=1101**********002X" in written.out
    assert "Traceback" in written.err and "138****5678" in written.err
    assert LEAK.search(written.out + written.err) is None
