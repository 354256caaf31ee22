"""Fixtures of the sync tests: the real central server on 127.0.0.1 (SQLite and PostgreSQL) and
counters with their own SQLite stores.

PostgreSQL: a throwaway cluster made with the server binaries Debian's `postgresql` package
installs (`initdb` + `pg_ctl` under /usr/lib/postgresql/<v>/bin), in a temporary directory, on a
free port, with fsync off; as root it runs as the `postgres` user (`runuser`), since the server
refuses to run as root. One migrated, initialised template database; each test gets a copy
(`CREATE DATABASE … TEMPLATE …`). Without the binaries the PostgreSQL variants are skipped with a
reason — in CI `./dev test` installs them.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from sqlalchemy import select

from app.bootstrap import open_context
from app.db.models import Dossier, OutboxEntry
from app.domain.clock import VN_TZ, FixedClock
from app.domain.lifecycle import Action
from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.dossiers import receive_dossier
from app.services.sync_port import sync_settings
from resources import resource_path
from sync.client import SyncClient
from sync.engine import SyncOptions, SyncSummary, enrol, run_sync_once
from sync.server.admin import init_central, record_action
from sync.server.app import create_app
from sync.server.auth import enrol_counter, revoke_counter
from sync.server.db import ServerDatabase
from sync.server.models import Dossier as CentralDossier
from tests.app.services.helpers import receive_cmd

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)  # Monday; 24/11 is a day off
AGENCY = "ttpvhcc-tinh"
FAST = SyncOptions(upload_batch=8, feed_batch=12, scope_batch=10)
_names = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _file_key_store() -> Iterator[None]:
    """Counters keep their sync credential in the workstation key store: here the key files in
    each test's data folder, never the OS keyring of the machine running the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTCUA_KEYSTORE", "file")
        yield


# ---- PostgreSQL -----------------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    port: int
    template: str = ""

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://motcua@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user=motcua dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    base = tempfile.mkdtemp(prefix="motcua-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        # The server refuses to run as root: run the cluster as the package's `postgres` user.
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(base, "data")
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        [
            *as_user,
            initdb,
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            "motcua",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        **quiet,  # type: ignore[arg-type]
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *as_user,
            pg_ctl,
            "-D",
            data,
            "-o",
            options,
            "-l",
            os.path.join(base, "log"),
            "-w",
            "start",
        ],
        **quiet,  # type: ignore[arg-type]
    )
    cluster = PgCluster(port)
    try:
        cluster.template = "central_template"
        cluster.admin("CREATE DATABASE central_template")
        db = ServerDatabase.open(cluster.url(cluster.template))
        init_central(db, resource_path("catalogue", "demo.json"), years=range(2025, 2028))
        db.close()
        yield cluster
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", data, "-m", "immediate", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("central") / "template.sqlite3"
    db = ServerDatabase.open(f"sqlite:///{path}")
    init_central(db, resource_path("catalogue", "demo.json"), years=range(2025, 2028))
    db.close()
    return path


# ---- the server -----------------------------------------------------------------------------


class ServerThread:
    """uvicorn serving the real app on a pre-bound 127.0.0.1 socket, in a thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Central:
    db: ServerDatabase
    clock: FixedClock
    server: ServerThread | None = None
    backend: str = "sqlite"

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def address(self) -> tuple[str, int]:
        assert self.server is not None
        return ("127.0.0.1", self.server.port)

    def token(self, counter: str, *agencies: str) -> str:
        with self.db.write() as session:
            return enrol_counter(session, counter, list(agencies or (AGENCY,)), self.clock.now())

    def revoke(self, counter: str) -> int:
        with self.db.write() as session:
            return revoke_counter(session, counter)

    def action(self, code: str, action: Action) -> None:
        with self.db.write() as session:
            record_action(session, code, action, actor="co-quan-giai-quyet", at=self.clock.now())

    def dossiers(self) -> dict[str, tuple[str, int, int]]:
        """id -> (code, status, row_version)"""
        with self.db.read() as session:
            return {
                d.id: (d.code, d.status, d.row_version)
                for d in session.scalars(select(CentralDossier))
            }


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> ServerDatabase:
    if backend == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        name = f"t{os.getpid()}_{next(_names)}"
        cluster.admin(f"CREATE DATABASE {name} TEMPLATE {cluster.template}")
        return ServerDatabase.open(cluster.url(name), migrate_schema=False, pool_size=12)
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / "central.sqlite3"
    shutil.copy(template, target)
    return ServerDatabase.open(f"sqlite:///{target}", migrate_schema=False)


@pytest.fixture
def central(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Central]:
    clock.current = NOW
    db = _database(backend, request, tmp_path)
    hub = Central(db, clock, backend=backend)
    hub.server = ServerThread(create_app(db, clock=clock))
    yield hub
    hub.server.stop()
    db.close()


@pytest.fixture
def sqlite_central(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Central]:
    clock.current = NOW
    db = _database("sqlite", request, tmp_path)
    hub = Central(db, clock)
    hub.server = ServerThread(create_app(db, clock=clock))
    yield hub
    hub.server.stop()
    db.close()


# ---- counters -------------------------------------------------------------------------------


@dataclass
class Station:
    name: str
    ctx: ServiceContext
    url: str
    options: SyncOptions = FAST
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    _procedure: str = ""

    def client(self, url: str | None = None, **kwargs: Any) -> SyncClient:
        state = sync_settings(self.ctx)
        assert state is not None
        options = {"backoff_base": 0.01, "backoff_cap": 0.05, **self.client_kwargs, **kwargs}
        return SyncClient(url or self.url, state.credential, **options)

    def sync(self, url: str | None = None, **kwargs: Any) -> SyncSummary:
        with self.client(url, **kwargs) as client:
            return run_sync_once(self.ctx, client=client, options=self.options)

    def receive(self, count: int = 1) -> list[str]:
        if not self._procedure:
            # One without must-digitise components: the sync tests transfer dossiers, and
            # digitising is not what they are about (tests/app/services/test_digitisation.py is).
            self._procedure = next(
                p.id
                for p in list_procedures(self.ctx)
                if not any(c.must_digitise for c in p.components)
            )
        return [
            receive_dossier(
                self.ctx, receive_cmd(self._procedure, applicant_name=f"{self.name} {i}")
            ).dossier.code
            for i in range(count)
        ]

    def dossiers(self) -> dict[str, tuple[str, int, int]]:
        with self.ctx.db.read() as session:
            return {
                d.id: (d.code, d.status, d.row_version) for d in session.scalars(select(Dossier))
            }

    def pending(self) -> int:
        with self.ctx.db.read() as session:
            return len(
                list(session.scalars(select(OutboxEntry.id).where(OutboxEntry.state == "pending")))
            )

    def close(self) -> None:
        self.ctx.db.close()


@pytest.fixture
def make_station(tmp_path: Path, clock: FixedClock) -> Iterator[Any]:
    made: list[Station] = []

    def make(central: Central, counter: str, *agencies: str, url: str | None = None) -> Station:
        ctx = open_context(tmp_path / f"station-{counter}-{len(made)}", clock)
        ctx.workstation = counter
        token = central.token(counter, *agencies)
        result = enrol(ctx, url or central.url, token, options=FAST)
        assert result.sync.ok, result.sync.error
        station = Station(counter, ctx, url or central.url)
        made.append(station)
        return station

    yield make
    for station in made:
        station.close()
