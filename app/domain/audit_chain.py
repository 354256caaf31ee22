"""The hash chain over the audit log (`events`): how an entry is serialised and hashed, and how a
sequence of entries is checked.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON serialisation
of the entry (sorted keys, no spaces, UTF-8, timestamps as Vietnam-local ISO text with
microseconds). Editing any field of an entry changes its hash; deleting or reordering entries
breaks the link to the previous hash or the gap-free sequence numbers. Someone with the file can
still rewrite the whole chain from the point they changed: that is why the head (last sequence
number and hash) is printed by `motcua audit verify`, stored in each backup and sent to the
central system, so a rewritten chain no longer matches a head recorded elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.clock import VN_TZ

GENESIS = "0" * 64
# The event fields the hash covers, in a fixed set (order does not matter: keys are sorted).
FIELDS = (
    "id",
    "seq",
    "at",
    "actor",
    "workstation",
    "action",
    "entity_type",
    "entity_id",
    "dossier_id",
    "from_status",
    "to_status",
    "reason",
    "data",
)


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit entries carry timezone-aware times")
    return value.astimezone(VN_TZ).isoformat(timespec="microseconds")


def canonical_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The event's `data` as JSON gives it back, so the hash at write time and at check time
    see the same value (tuples become lists, keys strings)."""
    loaded: dict[str, Any] = json.loads(json.dumps(data or {}, ensure_ascii=False))
    return loaded


def canonical(entry: Mapping[str, Any]) -> bytes:
    values = {name: entry.get(name) for name in FIELDS}
    at = values["at"]
    if isinstance(at, datetime):
        values["at"] = canonical_time(at)
    values["data"] = canonical_data(values["data"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any], prev_hash: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(entry))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    kind: str  # edited | unlinked | missing | anchor | orphan-outbox
    message: str


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        seq, _, value = text.strip().partition(":")
        if not seq.isdigit() or len(value) != 64:
            raise ValueError(text)
        return cls(int(seq), value.lower())


def check_chain(entries: Iterable[Mapping[str, Any]]) -> tuple[list[ChainProblem], ChainHead]:
    """Walk the entries in stored order (by `seq`) and report every break; returns the problems
    and the head as stored. Each entry needs the FIELDS plus `prev_hash` and `hash`."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev = GENESIS
    head = ChainHead(0, GENESIS)
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            problems.append(
                ChainProblem(
                    seq,
                    "missing",
                    f"Thiếu mục nhật ký số {expected_seq}"
                    + (f" đến {seq - 1}" if seq - 1 > expected_seq else "")
                    + " (đã bị xóa).",
                )
            )
        if entry["prev_hash"] != prev:
            problems.append(
                ChainProblem(
                    seq, "unlinked", f"Mục số {seq} không nối với mục liền trước (bị xóa hoặc đảo)."
                )
            )
        if entry_hash(entry, str(entry["prev_hash"])) != entry["hash"]:
            problems.append(ChainProblem(seq, "edited", f"Nội dung mục số {seq} đã bị sửa."))
        prev = str(entry["hash"])
        expected_seq = seq + 1
        head = ChainHead(seq, prev)
    return problems, head


def check_anchor(
    head: ChainHead, anchor: ChainHead, anchor_hash_at_seq: str | None
) -> list[ChainProblem]:
    """Compare the chain with a head recorded elsewhere (a backup, the central system, paper):
    the entry at the anchor's sequence number must still carry the anchor's hash."""
    if anchor.seq > head.seq:
        return [
            ChainProblem(
                anchor.seq,
                "anchor",
                f"Nhật ký chỉ còn đến mục số {head.seq}, nhưng đã từng có mục số {anchor.seq}: "
                "các mục cuối đã bị xóa.",
            )
        ]
    if anchor_hash_at_seq != anchor.hash:
        return [
            ChainProblem(
                anchor.seq,
                "anchor",
                f"Mục số {anchor.seq} không còn khớp với mốc đã ghi nhận: nhật ký đã bị viết lại.",
            )
        ]
    return []
