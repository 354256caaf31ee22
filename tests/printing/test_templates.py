"""Form templates are versioned data: the set in force on the document's date is used."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from app.domain.forms import FormKind
from printing.templates import TemplateError, available_sets, default_root, form_set_for


def test_the_shipped_set_covers_every_form_with_the_legal_wording():
    form_set = form_set_for(date(2026, 11, 23))
    assert form_set.effective_from == date(2025, 7, 1)
    assert "118/2025/NĐ-CP" in form_set.legal_basis
    assert set(form_set.forms) == set(FormKind)
    receipt = form_set.form(FormKind.RECEIPT)
    assert receipt.title == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert receipt.text("copy_1") == "Liên 1: Lưu"
    assert receipt.text("copy_2") == "Liên 2: Giao người nộp"
    # Common wording comes from set.json when the form does not override it.
    assert receipt.text("motto_words") == "Độc lập - Tự do - Hạnh phúc"
    for template in form_set.forms.values():
        if template.columns:
            assert abs(sum(c.width for c in template.columns) - 1) < 0.01


def _copy_set(root, effective: str, title: str) -> None:
    folder = root / effective
    shutil.copytree(default_root() / "2025-07-01", folder)
    meta = json.loads((folder / "set.json").read_text(encoding="utf-8"))
    meta["effective_from"] = effective
    (folder / "set.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    receipt = json.loads((folder / "01-receipt.json").read_text(encoding="utf-8"))
    receipt["title"] = title
    (folder / "01-receipt.json").write_text(json.dumps(receipt, ensure_ascii=False), "utf-8")


def test_a_new_circular_is_a_new_folder_picked_by_the_document_date(tmp_path):
    _copy_set(tmp_path, "2025-07-01", "MẪU CŨ")
    _copy_set(tmp_path, "2027-01-01", "MẪU MỚI")
    assert available_sets(tmp_path) == (date(2025, 7, 1), date(2027, 1, 1))
    old = form_set_for(date(2026, 12, 31), tmp_path).form(FormKind.RECEIPT)
    new = form_set_for(date(2027, 1, 1), tmp_path).form(FormKind.RECEIPT)
    assert (old.title, new.title) == ("MẪU CŨ", "MẪU MỚI")


def test_no_set_in_force_before_the_first_effective_date():
    with pytest.raises(TemplateError):
        form_set_for(date(2025, 6, 30))


def test_a_missing_text_or_placeholder_fails_loudly():
    receipt = form_set_for(date(2026, 1, 1)).form(FormKind.RECEIPT)
    with pytest.raises(TemplateError, match="no_such_key"):
        receipt.text("no_such_key")
    with pytest.raises(TemplateError, match="sets"):
        receipt.text("sets")  # needs {sets}
    assert receipt.text("sets", sets=2) == "2. Số lượng hồ sơ: 2 (bộ)"


def test_markup_escapes_the_wording_but_not_the_values():
    receipt = form_set_for(date(2026, 1, 1)).form(FormKind.RECEIPT)
    assert receipt.markup("sets", sets="<b>2</b>") == "2. Số lượng hồ sơ: <b>2</b> (bộ)"
