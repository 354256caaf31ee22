"""The one-stop forms as kinds of document, and how their printing is named in the audit trail.

A form kind is identified by its number in the set in force since 1/7/2025 (NĐ 118/2025): 01
receipt … 07 logbook. Wording, titles and the number actually printed ("Mẫu số …") are versioned
template data (`resources/templates/forms/`); these identifiers only name the kind, so an older
set that numbered the control sheet 05 still maps to kind 06 here.

Every print of a dossier's form is an audited event: `print-form-NN` for the first print of that
document, `reprint-form-NN` for any later one (which the paper also says: "Bản in lại").
"""

from __future__ import annotations

from enum import StrEnum

PRINT_PREFIX = "print-form-"
REPRINT_PREFIX = "reprint-form-"


class FormKind(StrEnum):
    RECEIPT = "01"
    SUPPLEMENT_REQUEST = "02"
    REFUSAL = "03"
    APOLOGY = "04"
    STOP_NOTICE = "05"
    CONTROL_SHEET = "06"
    LOGBOOK = "07"

    @property
    def label(self) -> str:
        return FORM_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> FormKind:
        """«1», «01» or «mau-01» → FormKind; ValueError otherwise."""
        digits = "".join(ch for ch in text if ch.isdigit())
        return cls(digits.zfill(2)) if digits else cls(text)


# Short names for screens and history lists; the printed titles live in the templates.
FORM_LABELS = {
    FormKind.RECEIPT: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    FormKind.SUPPLEMENT_REQUEST: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    FormKind.REFUSAL: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    FormKind.APOLOGY: "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    FormKind.STOP_NOTICE: "Thông báo dừng giải quyết hồ sơ",
    FormKind.CONTROL_SHEET: "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    FormKind.LOGBOOK: "Sổ theo dõi hồ sơ",
}

# Forms printed for one dossier (the logbook covers many).
DOSSIER_FORMS = tuple(k for k in FormKind if k is not FormKind.LOGBOOK)


def print_action(kind: FormKind, *, reprint: bool) -> str:
    return f"{REPRINT_PREFIX if reprint else PRINT_PREFIX}{kind.value}"


def parse_print_action(action: str) -> tuple[FormKind, bool] | None:
    """(kind, is_reprint) of a print event's action, or None for any other action."""
    for prefix, reprint in ((REPRINT_PREFIX, True), (PRINT_PREFIX, False)):
        if action.startswith(prefix):
            try:
                return FormKind(action.removeprefix(prefix)), reprint
            except ValueError:
                return None
    return None


def print_action_label(action: str) -> str | None:
    """«In mẫu 01 – Giấy tiếp nhận…» / «In lại mẫu 01 – …» for history lists; None otherwise."""
    parsed = parse_print_action(action)
    if parsed is None:
        return None
    kind, reprint = parsed
    return f"{'In lại' if reprint else 'In'} mẫu {kind.value} – {kind.label}"
