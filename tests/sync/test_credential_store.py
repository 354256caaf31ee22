"""The counter's sync credential lives in the workstation key store, never in the SQLite file:
after enrolment, after the upgrade of a store that still had it in `sync_state`, and what a data
folder copied to another PC says when it tries to sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from app.bootstrap import open_context
from app.cli import main
from app.db.database import DB_FILENAME, alembic_config, create_sqlite_engine
from app.domain.clock import FixedClock
from app.services.keys import KEY_DIR
from app.services.sync_credentials import CREDENTIAL_KEY
from app.services.sync_port import CredentialMissing, sync_settings, sync_status
from sync.engine import enrol, run_sync_once
from tests.sync.conftest import FAST, Central, Station


def data_dir_of(station: Station) -> Path:
    return Path(str(station.ctx.db.engine.url.database)).parent


def store_bytes(folder: Path) -> bytes:
    """Everything SQLite keeps on disk for the store: the file and its write-ahead log."""
    files = [folder / DB_FILENAME, folder / f"{DB_FILENAME}-wal"]
    return b"".join(f.read_bytes() for f in files if f.exists())


def stored_columns(folder: Path) -> tuple[str | None, str]:
    engine = create_sqlite_engine(folder / DB_FILENAME)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT credential, credential_ref FROM sync_state")).one()
            return row[0], row[1]
    finally:
        engine.dispose()


def test_enrolment_keeps_the_credential_out_of_the_database_file_and_sync_still_works(
    sqlite_central: Central, make_station
):
    station = make_station(sqlite_central, "tinh-q01")
    folder = data_dir_of(station)
    credential = sync_settings(station.ctx).credential
    assert len(credential) >= 20
    assert credential.encode() not in store_bytes(folder)
    assert credential.encode().hex().encode() not in store_bytes(folder)
    # Where it is instead: the owner-only key file of this data folder (no keyring here).
    key_file = folder / KEY_DIR / f"{CREDENTIAL_KEY}.key"
    assert bytes.fromhex(key_file.read_text()).decode() == credential
    assert key_file.stat().st_mode & 0o077 == 0
    assert stored_columns(folder) == (None, CREDENTIAL_KEY)

    station.receive(2)
    summary = station.sync()
    assert summary.ok, summary.error
    assert summary.uploaded == 2 and len(sqlite_central.dossiers()) == 2
    assert credential.encode() not in store_bytes(folder)


def test_a_credential_stored_by_an_older_version_moves_to_the_key_store_on_first_read(
    sqlite_central: Central, make_station, clock: FixedClock
):
    enrolled = make_station(sqlite_central, "tinh-q01")
    folder = data_dir_of(enrolled)
    credential = sync_settings(enrolled.ctx).credential
    enrolled.close()
    # Make the store exactly what a version before migration 0006 left: schema 0005, the
    # credential in `sync_state`, nothing in the key store.
    engine = create_sqlite_engine(folder / DB_FILENAME)
    command.downgrade(alembic_config(engine), "0005")
    with engine.begin() as conn:
        conn.execute(text("UPDATE sync_state SET credential = :c"), {"c": credential})
    engine.dispose()
    (folder / KEY_DIR / f"{CREDENTIAL_KEY}.key").unlink()
    assert credential.encode() in store_bytes(folder)

    ctx = open_context(folder, clock)  # migrates to head; the migration cannot move it
    try:
        assert stored_columns(folder) == (credential, "")
        settings = sync_settings(ctx)
        assert settings is not None and settings.credential == credential
        assert stored_columns(folder) == (None, CREDENTIAL_KEY)
        key_file = folder / KEY_DIR / f"{CREDENTIAL_KEY}.key"
        assert bytes.fromhex(key_file.read_text()).decode() == credential
        # Later reads come from the key store alone.
        again = sync_settings(ctx)
        assert again is not None and again.credential == credential

        upgraded = Station("tinh-q01", ctx, sqlite_central.url)
        upgraded.receive(1)
        summary = upgraded.sync()
        assert summary.ok, summary.error
        assert summary.uploaded == 1 and len(sqlite_central.dossiers()) == 1
    finally:
        ctx.db.close()
    # Neither the old table's pages nor the cleared cell keep the secret in the file.
    assert credential.encode() not in store_bytes(folder)


def test_a_data_folder_copied_to_another_pc_cannot_sync_and_says_to_enrol_again(
    sqlite_central: Central, make_station, clock: FixedClock, tmp_path: Path, capsys
):
    original = make_station(sqlite_central, "tinh-q01")
    original.receive(1)
    folder = data_dir_of(original)
    original.close()
    # The other PC has the database, but not this PC's keyring (here: its key files).
    copy = tmp_path / "copied"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(KEY_DIR))

    ctx = open_context(copy, clock)
    try:
        with pytest.raises(CredentialMissing) as caught:
            sync_settings(ctx)
        assert caught.value.code == "sync.credential_missing"
        assert "đăng ký lại quầy này" in caught.value.message
        assert "tinh-q01" in caught.value.message

        summary = run_sync_once(ctx, options=FAST)
        assert not summary.ok
        assert summary.error_code == "sync.credential_missing"
        assert summary.error == caught.value.message
        assert summary.pending == 1 and sqlite_central.dossiers() == {}
        assert sync_status(ctx).last_error == caught.value.message  # the badge shows why

        code = main(["sync", "--data-dir", str(copy), "--json"])
        out, _ = capsys.readouterr()
        assert code == 3
        assert json.loads(out)["error_code"] == "sync.credential_missing"

        # What the message asks for heals it: a new token, enrolment again on this PC.
        result = enrol(ctx, sqlite_central.url, sqlite_central.token("tinh-q01"), options=FAST)
        assert result.sync.ok, result.sync.error
        assert result.sync.uploaded == 1 and len(sqlite_central.dossiers()) == 1
    finally:
        ctx.db.close()
