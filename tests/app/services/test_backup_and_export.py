"""Encrypted backups restore (same PC with the data key, any PC with the passphrase), refuse
tampered or foreign files, never write plaintext; sealed scans; the audited CSV export."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import pytest

from app.bootstrap import open_context
from app.domain.errors import NotFoundError, ValidationError
from app.services import backup, dossiers, exports, queries
from app.services.audit import AuditFilter, list_audit, verify_audit_chain
from app.services.keys import FileKeyStore, data_key, default_key_store
from app.services.scan_store import ScanStore
from tests.app.services.helpers import VALID_CCCD, procedure_with_unit, receive_cmd


@pytest.fixture
def store(tmp_path):
    return FileKeyStore(tmp_path / "keys")


@pytest.fixture
def received(ctx):
    p = procedure_with_unit(ctx, "working-days")
    return dossiers.receive_dossier(ctx, receive_cmd(p.id, phone="0912345678")).dossier


def test_backup_is_sealed_and_restores_into_an_empty_folder_on_this_pc(
    ctx, received, tmp_path, store, clock
):
    out = tmp_path / "sao-luu.mcbk"
    result = backup.backup_database(ctx, out, officer="giamsat", reason="Định kỳ", key_store=store)
    blob = out.read_bytes()
    assert result.sealed_with == "data-key" and result.size == len(blob)
    for secret in (VALID_CCCD.encode(), "Đặng Thị Hoà".encode(), b"SQLite format 3"):
        assert secret not in blob
    assert not list(tmp_path.glob("*.tmp"))
    target = tmp_path / "may-moi"
    restored = backup.restore_database(
        target, out, officer=None, clock=clock, workstation="pc2", key_store=store
    )
    assert restored.chain_ok and restored.head != result.head  # plus the restore entry
    copy = open_context(target, clock)
    try:
        assert queries.show_dossier(copy, received.code).applicant.id_number == VALID_CCCD
        actions = [e.action for e in list_audit(copy, officer="admin")]
        assert actions[:3] == ["view-dossier", "restore", "backup"]
    finally:
        copy.db.close()


def test_a_passphrase_backup_restores_without_the_data_key(ctx, received, tmp_path, store, clock):
    out = tmp_path / "ngoai-tram.mcbk"
    backup.backup_database(
        ctx,
        out,
        officer="admin",
        reason="Gửi lưu trữ",
        passphrase="cụm mật khẩu dài",
        key_store=store,
    )
    other_pc = FileKeyStore(tmp_path / "other-keys")
    with pytest.raises(ValidationError) as caught:
        backup.restore_database(
            tmp_path / "x",
            out,
            officer=None,
            clock=clock,
            workstation="pc",
            key_store=other_pc,
            passphrase="sai mật khẩu rồi",
        )
    assert caught.value.code == "seal.invalid"
    restored = backup.restore_database(
        tmp_path / "x",
        out,
        officer=None,
        clock=clock,
        workstation="pc",
        key_store=other_pc,
        passphrase="cụm mật khẩu dài",
    )
    assert restored.chain_ok


def test_a_tampered_or_foreign_backup_changes_nothing(ctx, received, tmp_path, store, clock):
    out = tmp_path / "b.mcbk"
    backup.backup_database(ctx, out, officer="giamsat", reason="Định kỳ", key_store=store)
    blob = bytearray(out.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (tmp_path / "bad.mcbk").write_bytes(bytes(blob))
    (tmp_path / "plain.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    for name, code in (("bad.mcbk", "seal.invalid"), ("plain.db", "seal.format")):
        with pytest.raises(ValidationError) as caught:
            backup.restore_database(
                tmp_path / "t",
                tmp_path / name,
                officer=None,
                clock=clock,
                workstation="pc",
                key_store=store,
            )
        assert caught.value.code == code
    assert not (tmp_path / "t").exists()


def test_the_key_file_is_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_KEYSTORE", "file")
    store = default_key_store(tmp_path)
    key = data_key(store)
    assert data_key(store) == key and len(key) == 32
    path = tmp_path / "keys" / "data.key"
    assert path.stat().st_mode & 0o077 == 0


def test_sealed_scans_round_trip_and_are_unreadable_on_disk(tmp_path, store):
    scans = ScanStore(tmp_path / "scans", store)
    pdf = b"%PDF-1.7 CCCD 001190012345"
    digest = scans.put(pdf)
    assert digest == hashlib.sha256(pdf).hexdigest()
    assert b"001190012345" not in scans.path_of(digest).read_bytes()
    assert scans.get(digest) == pdf
    assert scans.put(pdf) == digest  # same content: stored once


def test_a_tampered_sealed_scan_is_refused(tmp_path, store):
    scans = ScanStore(tmp_path / "scans", store)
    digest = scans.put(b"%PDF-1.7 original")
    path = scans.path_of(digest)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValidationError):
        scans.get(digest)
    with pytest.raises(NotFoundError) as missing:
        scans.get("0" * 64)
    assert missing.value.code == "scan.file_missing"


def test_logbook_export_is_csv_for_excel_minimal_and_audited(ctx, received):
    with pytest.raises(ValidationError) as caught:
        exports.export_logbook_csv(ctx, date(2026, 11, 23), officer="giamsat", reason=" ")
    assert caught.value.code == "audit.reason_required"
    result = exports.export_logbook_csv(
        ctx, date(2026, 11, 23), officer="giamsat", reason="Báo cáo tuần cho lãnh đạo"
    )
    assert result.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows Vietnamese
    rows = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số thứ tự", "Quyển sổ", "Mã hồ sơ"] and len(rows) == 2
    assert rows[1][2] == received.code and rows[1][5] == "Đặng Thị Hoà"
    assert VALID_CCCD not in result.content.decode("utf-8-sig")  # no ID numbers in exports
    [entry] = list_audit(ctx, AuditFilter(action="export-logbook"), officer="admin")
    assert entry.actor == "giamsat" and entry.reason == "Báo cáo tuần cho lãnh đạo"
    assert verify_audit_chain(ctx).ok


def test_export_neutralises_spreadsheet_formulas(ctx):
    p = procedure_with_unit(ctx, "working-days")
    dossiers.receive_dossier(ctx, receive_cmd(p.id, address='=HYPERLINK("http://x")', phone=""))
    result = exports.export_logbook_csv(ctx, date(2026, 11, 23), officer="admin", reason="Kiểm tra")
    rows = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert rows[1][6].startswith("'=")
