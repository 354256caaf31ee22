"""A document dated before the first form set came into force is a polite refusal (an AppError
with a Vietnamese message), at the template, the service and the command line; a broken
template stays a defect (TemplateError, not an AppError) for the crash handler."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.cli import main
from app.domain.errors import AppError, NotFoundError
from app.domain.forms import FormKind
from app.services.audit import AuditFilter, list_audit
from app.services.documents import print_logbook
from printing import render_document
from printing.templates import (
    NoTemplateInForceError,
    TemplateError,
    form_set_for,
    form_template,
)

BEFORE = date(2025, 6, 30)  # the shipped set is in force from 01/07/2025
LOGBOOK_REFUSAL = (
    "Không có mẫu sổ theo dõi hồ sơ áp dụng cho ngày 30/06/2025: "
    "các mẫu hiện có áp dụng từ ngày 01/07/2025."
)


def test_a_form_before_the_first_set_is_refused_in_vietnamese_naming_form_and_dates():
    with pytest.raises(NotFoundError) as refused:
        form_template(FormKind.LOGBOOK, BEFORE)
    error = refused.value
    assert isinstance(error, TemplateError)  # still what template code catches
    assert error.code == "template.not_in_force"
    assert error.message == LOGBOOK_REFUSAL
    assert error.params == {"day": "2025-06-30", "first": "2025-07-01", "form": "07"}
    with pytest.raises(NoTemplateInForceError, match="giấy tiếp nhận hồ sơ và hẹn trả kết quả"):
        form_template(FormKind.RECEIPT, BEFORE)
    with pytest.raises(NoTemplateInForceError, match=r"^Không có bộ biểu mẫu áp dụng"):
        form_set_for(BEFORE)


def test_the_first_day_in_force_still_has_its_template():
    assert form_template(FormKind.LOGBOOK, date(2025, 7, 1)).kind is FormKind.LOGBOOK


def test_a_broken_template_folder_stays_a_defect_not_a_refusal(tmp_path):
    with pytest.raises(TemplateError) as broken:
        form_template(FormKind.LOGBOOK, date(2026, 1, 1), root=tmp_path)  # no set at all
    assert not isinstance(broken.value, AppError)


def test_printing_the_logbook_of_a_day_before_the_forms_is_refused_and_not_audited(ctx):
    with pytest.raises(AppError) as refused:
        print_logbook(ctx, BEFORE, BEFORE, render=render_document)
    assert refused.value.message == LOGBOOK_REFUSAL
    audited = list_audit(ctx, AuditFilter(action="print-form-07"), officer="admin")
    assert audited == []


def test_the_command_line_refuses_with_exit_3_and_the_message_and_writes_no_file(tmp_path, capsys):
    data = str(tmp_path / "cli-data")
    assert main(["init-demo", "--data-dir", data]) == 0
    capsys.readouterr()
    out = tmp_path / "so.pdf"
    args = ["logbook", "--date", BEFORE.isoformat(), "--out", str(out), "--data-dir", data]
    assert main([*args, "--json"]) == 3
    printed, err = capsys.readouterr()
    assert err == f"Lỗi: {LOGBOOK_REFUSAL}\n"
    assert json.loads(printed) == {
        "error": {"code": "template.not_in_force", "message": LOGBOOK_REFUSAL}
    }
    assert not out.exists()
    assert not out.with_name("so.pdf.tmp").exists()
