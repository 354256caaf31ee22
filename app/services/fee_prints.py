"""What the audit says of a printed fee paper (receipt, VietQR slip, cash-session and daily
reports): one place, so the desktop and the command line record the same thing
(`documents.record_document_print`, once the paper or its PDF exists)."""

from __future__ import annotations

from app.services.documents import DocumentPrint
from app.services.fee_views import CashSessionReport, DailyFeeReport, PaymentView, ReceiptView


def fee_receipt_print(receipt: ReceiptView) -> DocumentPrint:
    return DocumentPrint(
        "print-fee-receipt",
        "fee_receipt",
        receipt.id,
        receipt.dossier_code,
        {"series": receipt.series, "number": receipt.number_text},
    )


def vietqr_slip_print(payment: PaymentView) -> DocumentPrint:
    return DocumentPrint(
        "print-vietqr-slip",
        "payment",
        payment.id,
        payment.dossier_code,
        {"amount": payment.amount},
    )


def cash_session_report_print(report: CashSessionReport) -> DocumentPrint:
    s = report.session
    return DocumentPrint(
        "print-cash-session-report",
        "cash_session",
        s.id,
        data={"business_date": s.business_date.isoformat(), "officer": s.officer},
    )


def fee_report_print(report: DailyFeeReport) -> DocumentPrint:
    return DocumentPrint("print-fee-report", "fee_report", report.business_date.isoformat())
