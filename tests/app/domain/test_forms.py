"""Form kinds and how their prints are named in the audit trail."""

from __future__ import annotations

import pytest

from app.domain.forms import (
    DOSSIER_FORMS,
    FormKind,
    parse_print_action,
    print_action,
    print_action_label,
)


def test_print_and_reprint_actions_round_trip_for_every_form():
    for kind in FormKind:
        for reprint in (False, True):
            action = print_action(kind, reprint=reprint)
            assert len(action) <= 40  # events.action is String(40)
            assert parse_print_action(action) == (kind, reprint)
    assert print_action(FormKind.RECEIPT, reprint=False) == "print-form-01"
    assert print_action(FormKind.RECEIPT, reprint=True) == "reprint-form-01"


def test_other_actions_are_not_prints():
    assert parse_print_action("receive") is None
    assert parse_print_action("print-form-99") is None
    assert print_action_label("transfer") is None


def test_print_labels_name_the_form():
    assert print_action_label("print-form-01") == (
        "In mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    )
    assert print_action_label("reprint-form-03").startswith("In lại mẫu 03 – Phiếu từ chối")


@pytest.mark.parametrize(("text", "kind"), [("1", "01"), ("01", "01"), ("mau-06", "06")])
def test_form_numbers_parse_leniently(text, kind):
    assert FormKind.parse(text) is FormKind(kind)


def test_the_logbook_is_not_a_dossier_form():
    assert FormKind.LOGBOOK not in DOSSIER_FORMS
    assert len(DOSSIER_FORMS) == 6
    with pytest.raises(ValueError):
        FormKind.parse("99")
