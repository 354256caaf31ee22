"""Personal data never reaches a log: a whole intake-to-return flow logged at DEBUG (and the
SQL engine at INFO) leaves no name, ID number, phone, e-mail or address in any record, and the
app's redacting filter masks what a careless log line would have leaked."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from app.domain.clock import VN_TZ
from app.domain.errors import AppError
from app.logging_setup import RedactingFilter, configure_logging
from app.services import accounts, dossiers, exports, queries
from app.services.station import DEMO_PASSWORD
from tests.app.services.helpers import digitise_required, procedure_with_unit, receive_cmd

NAME = "Đặng Thị Hoà"
ID_NUMBER = "001190012345"
PHONE_FORMS = ("0912345678", "912345678", "0912 345 678")
ADDRESS_PARTS = ("Số 12", "tổ 3", "Tô Hiệu")
EMAIL = "hoa.dang@example.vn"
SECRETS = (NAME, "dang thi hoa", ID_NUMBER, *PHONE_FORMS, *ADDRESS_PARTS, EMAIL, DEMO_PASSWORD)


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), secret


def test_a_full_intake_to_return_flow_logs_no_personal_data(ctx, clock, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements, parameters hidden
    log_file = configure_logging(tmp_path / "logs", logging.DEBUG)
    try:
        accounts.sign_in(ctx, "canbo", DEMO_PASSWORD)
        p = procedure_with_unit(ctx, "working-days")
        cmd = receive_cmd(
            p.id, phone="0912 345 678", email=EMAIL, submitter_name=NAME, officer="canbo"
        )
        with pytest.raises(AppError):  # a refusal on the way: bad phone
            dossiers.receive_dossier(ctx, receive_cmd(p.id, phone="12345"))
        code = dossiers.receive_dossier(ctx, cmd).dossier.code
        queries.lookup(ctx, "dang thi hoa")
        queries.lookup(ctx, ID_NUMBER)
        queries.show_dossier(ctx, code, reason="Công dân hỏi")
        clock.current = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
        dossiers.request_supplement(ctx, code, "Thiếu giấy tờ")
        dossiers.receive_supplement(ctx, code)
        digitise_required(ctx, code)
        dossiers.transfer(ctx, code)
        dossiers.record_result(ctx, code)
        dossiers.return_result(ctx, code)
        exports.export_logbook_csv(ctx, date(2026, 11, 23), officer="giamsat", reason="Báo cáo")
        logging.getLogger("app.test").debug("flow done for %s", code)
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "baseFilename", None) == str(log_file.resolve()):
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert caplog.records, "the capture must have seen something"
    captured = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_clean(captured)
    _assert_clean(log_file.read_text(encoding="utf-8"))


def test_the_redacting_filter_masks_a_careless_log_line_and_its_traceback(tmp_path):
    log_file = configure_logging(tmp_path / "logs")
    log = logging.getLogger("app.careless")
    try:
        log.warning("applicant %s, CCCD %s, tel %s", NAME, ID_NUMBER, "+84912345678")
        try:
            raise ValueError(f"bad row for {NAME} at Số 12, tổ 3, phường Tô Hiệu")
        except ValueError:
            log.exception("import failed")
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "baseFilename", None) == str(log_file.resolve()):
                root.removeHandler(handler)
                handler.close()
    text = log_file.read_text(encoding="utf-8")
    _assert_clean(text)
    assert "[họ tên]" in text and "[số giấy tờ]" in text and "ValueError" in text


def test_the_filter_keeps_the_record_when_its_arguments_do_not_fit():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items for %s", ("two",), None)
    assert RedactingFilter().filter(record)
    assert record.args is None
