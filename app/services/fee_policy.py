"""The unit's fee policy, versioned by effective date: cash allowed or not, the account VietQR
pays into, and the receipt provider with its template symbol and series.

Which version applies: whether cash may be taken is judged by the policy in force on the
dossier's reception date (DOMAIN §4.9: a dossier is evaluated with the parameters in force at
reception); the bank account and the receipt series are those in force on the day of payment,
because money must go to an account that is open today and receipts are numbered per year. A
unit's own rows win over the province-wide rows (`unit_id` None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.fee_models import FeePolicy
from app.domain.errors import ConfigurationError, ValidationError
from app.domain.receipts import LOCAL_PROVIDER
from app.domain.text import clean_text
from app.domain.vietqr import check_account
from app.services.context import ServiceContext
from app.services.fee_journal import record_fee_change
from app.services.fee_views import FeePolicyView
from app.services.station import active_officer, current_station, current_station_point

PROVIDERS = (LOCAL_PROVIDER,)
_SYMBOL_RE = re.compile(r"^[0-9A-Za-z{}/.\-]{1,32}\Z")


def policy_in_force(session: Session, unit_id: str | None, day: date) -> FeePolicy | None:
    for scope in ([unit_id] if unit_id else []) + [None]:
        unit_filter = FeePolicy.unit_id.is_(None) if scope is None else FeePolicy.unit_id == scope
        row = session.scalars(
            select(FeePolicy)
            .where(unit_filter, FeePolicy.effective_from <= day)
            .order_by(FeePolicy.effective_from.desc())
        ).first()
        if row is not None:
            return row
    return None


def require_policy(session: Session, unit_id: str | None, day: date) -> FeePolicy:
    policy = policy_in_force(session, unit_id, day)
    if policy is None:
        raise ConfigurationError(
            "fee.no_policy",
            f"Đơn vị chưa có quy định thu phí áp dụng ngày {day:%d/%m/%Y} (tiền mặt, tài khoản "
            "nhận, biên lai). Hãy khai báo bằng «motcua fee policy».",
        )
    return policy


def policy_view(row: FeePolicy) -> FeePolicyView:
    return FeePolicyView(
        id=row.id,
        unit_id=row.unit_id,
        effective_from=row.effective_from,
        cash_allowed=row.cash_allowed,
        vietqr_bin=row.vietqr_bin,
        vietqr_account=row.vietqr_account,
        vietqr_account_name=row.vietqr_account_name,
        receipt_provider=row.receipt_provider,
        receipt_template=row.receipt_template,
        receipt_series=row.receipt_series,
        note=row.note,
        illustrative=row.illustrative,
    )


@dataclass(frozen=True)
class SetFeePolicy:
    effective_from: date
    cash_allowed: bool
    vietqr_bin: str = ""
    vietqr_account: str = ""
    vietqr_account_name: str = ""
    receipt_provider: str = LOCAL_PROVIDER
    receipt_template: str = "01BLP-LOCAL"
    receipt_series: str = "LC{yy}"
    province_wide: bool = False  # else: the unit of this workstation's receiving point
    note: str = ""
    officer: str | None = None


def _validated(cmd: SetFeePolicy) -> None:
    if cmd.vietqr_bin or cmd.vietqr_account:
        check_account(cmd.vietqr_bin, cmd.vietqr_account)
    if cmd.receipt_provider not in PROVIDERS:
        raise ValidationError(
            "fee.provider",
            f"Nhà cung cấp biên lai «{cmd.receipt_provider}» chưa được hỗ trợ "
            f"(hiện có: {', '.join(PROVIDERS)}).",
            field="receipt_provider",
        )
    for name, value in (
        ("receipt_template", cmd.receipt_template),
        ("receipt_series", cmd.receipt_series),
    ):
        if not _SYMBOL_RE.match(value):
            raise ValidationError(
                "fee.receipt_symbol",
                "Ký hiệu mẫu và ký hiệu biên lai chỉ gồm chữ, số, «-», «/», «.», tối đa 32 ký tự.",
                field=name,
            )


def set_fee_policy(ctx: ServiceContext, cmd: SetFeePolicy) -> FeePolicyView:
    """Add the policy version starting on `effective_from` (or replace the one that starts that
    day); earlier versions stay for dossiers received under them."""
    _validated(cmd)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = active_officer(session, current_station(session), cmd.officer)
        unit_id = None if cmd.province_wide else current_station_point(session).unit_id
        unit_filter = (
            FeePolicy.unit_id.is_(None) if unit_id is None else FeePolicy.unit_id == unit_id
        )
        row = session.scalars(
            select(FeePolicy).where(unit_filter, FeePolicy.effective_from == cmd.effective_from)
        ).first()
        if row is None:
            row = FeePolicy(unit_id=unit_id, effective_from=cmd.effective_from)
            session.add(row)
        row.cash_allowed = cmd.cash_allowed
        row.vietqr_bin = cmd.vietqr_bin
        row.vietqr_account = cmd.vietqr_account
        row.vietqr_account_name = clean_text(cmd.vietqr_account_name)
        row.receipt_provider = cmd.receipt_provider
        row.receipt_template = cmd.receipt_template
        row.receipt_series = cmd.receipt_series
        row.note = clean_text(cmd.note)
        row.illustrative = False
        row.created_at = now
        row.created_by = user.username
        record_fee_change(session, ctx, row, action="fee-policy-set", actor=user.username, at=now)
        return policy_view(row)


def current_fee_policy(ctx: ServiceContext, day: date | None = None) -> FeePolicyView | None:
    with ctx.db.read() as session:
        point = current_station_point(session)
        row = policy_in_force(session, point.unit_id, day or ctx.clock.now().date())
        return policy_view(row) if row else None


def seed_demo_fee_policy(ctx: ServiceContext) -> bool:
    """Province-wide demo policy (cash allowed, the DOMAIN §7 test account, local receipts), added
    once when no policy exists. Marked illustrative: a province loads its own before go-live."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        if session.scalars(select(FeePolicy)).first() is not None:
            return False
        row = FeePolicy(
            unit_id=None,
            effective_from=date(now.year - 1, 1, 1),
            cash_allowed=True,
            vietqr_bin="970415",
            vietqr_account="113366668888",
            vietqr_account_name="TAI KHOAN THU PHI (MAU)",
            receipt_provider=LOCAL_PROVIDER,
            receipt_template="01BLP-LOCAL",
            receipt_series="LC{yy}",
            note="Dữ liệu mẫu: thay bằng quy định và tài khoản thật của đơn vị",
            illustrative=True,
            created_at=now,
            created_by="system",
        )
        session.add(row)
        record_fee_change(session, ctx, row, action="fee-policy-set", actor="system", at=now)
        return True
