"""The dossier code (mã hồ sơ) and allocation of sequence numbers from leased blocks (DOMAIN §3).

Format `<receiving agency e-identifier>-<yymmdd>-<NNNN>`. The sequence is per receiving agency per
reception date. Numbers come from leases — blocks `first..last` that exactly one counter owns — so
two counters working offline on the same day can never issue the same code. Within a lease numbers
are handed out in order with no gaps; a number is consumed only when the dossier that carries it is
committed (the caller does both in one transaction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.errors import CapacityError, ValidationError

DEFAULT_WIDTH = 4
_CODE_RE = re.compile(
    r"^(?P<agency>[0-9A-Z]{2,3}(?:\.[0-9A-Z]{2,3}){3})-(?P<day>\d{6})-(?P<seq>\d{4,7})$"
)


@dataclass(frozen=True, order=True)
class DossierCode:
    agency_eid: str
    day: date
    seq: int
    width: int = DEFAULT_WIDTH

    def __post_init__(self) -> None:
        if not 1 <= self.seq <= max_sequence(self.width):
            raise ValidationError(
                "code.sequence_range",
                f"Số thứ tự {self.seq} vượt quá độ rộng {self.width} chữ số của mã hồ sơ.",
            )

    def __str__(self) -> str:
        return f"{self.agency_eid}-{self.day:%y%m%d}-{self.seq:0{self.width}d}"


def max_sequence(width: int) -> int:
    return int("9" * width)


def parse_code(text: str) -> DossierCode:
    """Parse a printed or scanned code; raises ValidationError with a Vietnamese message."""
    match = _CODE_RE.match(text.strip().upper())
    if not match:
        raise ValidationError(
            "code.format",
            "Mã hồ sơ không đúng định dạng <mã cơ quan>-<yymmdd>-<số thứ tự>.",
            field="code",
        )
    raw_day = match["day"]
    try:
        day = date(2000 + int(raw_day[:2]), int(raw_day[2:4]), int(raw_day[4:]))
    except ValueError:
        raise ValidationError(
            "code.date", "Ngày trong mã hồ sơ không hợp lệ.", field="code"
        ) from None
    return DossierCode(match["agency"], day, int(match["seq"]), len(match["seq"]))


def looks_like_code(text: str) -> bool:
    return bool(_CODE_RE.match(text.strip().upper()))


@dataclass(frozen=True)
class Lease:
    """A block of sequence numbers `first..last` for one agency on one day; `next_seq` is unused."""

    agency_eid: str
    day: date
    first: int
    last: int
    next_seq: int

    @property
    def remaining(self) -> int:
        return max(0, self.last - self.next_seq + 1)


def take_next(leases: list[Lease]) -> tuple[Lease, int]:
    """The lease to draw from and the number it gives: lowest block first, so use is predictable."""
    usable = sorted((lease for lease in leases if lease.remaining > 0), key=lambda x: x.first)
    if not usable:
        raise CapacityError(
            "code.no_lease",
            "Quầy đã dùng hết dải số mã hồ sơ được cấp cho ngày này. "
            "Cần kết nối hệ thống trung tâm để nhận thêm dải số trước khi tiếp nhận.",
        )
    lease = usable[0]
    return lease, lease.next_seq


def next_self_lease_block(
    existing: list[tuple[int, int]], block_size: int, width: int
) -> tuple[int, int]:
    """In standalone mode the counter leases to itself: the block after the highest one issued."""
    top = max((last for _, last in existing), default=0)
    ceiling = max_sequence(width)
    if top >= ceiling:
        raise CapacityError(
            "code.day_exhausted",
            f"Đã dùng hết {ceiling} số mã hồ sơ của cơ quan trong ngày.",
        )
    return top + 1, min(top + block_size, ceiling)
