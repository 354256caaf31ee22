"""Sync benchmark: a week offline, and many counters uploading at once, on loopback.

    ./dev bench sync [--dossiers 3000] [--days 7] [--counters 10] [--per-counter 300]
                     [--backend postgresql|sqlite] [--workers 1] [--samples 3]

A. Offline week: one counter receives `--dossiers` dossiers over `--days` days through the real
   services and moves each through its lifecycle (transfer, supplement request and receipt for
   half of them, result, return: ~5 outbox entries per dossier), then syncs completely with the
   real server (`motcua central serve` in its own process). Goal: under 30 s.
B. Concurrency: `--counters` enrolled counters each upload `--per-counter` new dossiers in
   batches of 100 at the same time. Goal: at least 500 dossier uploads per second on PostgreSQL.
Both are reported against the raw insert rate of the same rows (dossiers, their events and the
idempotency records) into the same kind of database with plain executemany — the physical ceiling —
as a ratio. PostgreSQL runs as a throwaway cluster (initdb + pg_ctl, as `postgres` when root).
Medians of `--samples` runs; results go to bench/out/sync.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from app.bootstrap import open_context
from app.domain.clock import VN_TZ, FixedClock
from app.services import dossiers
from app.services import sync_port as port
from app.services.catalogue import list_procedures
from app.services.dossiers import ReceiveDossier, receive_dossier
from resources import resource_path
from sync.client import SyncClient
from sync.engine import SyncEngine, SyncOptions, _entry, _Tally, enrol, run_sync_once
from sync.protocol import PROTOCOL_HEADER
from sync.server.admin import init_central
from sync.server.auth import enrol_counter
from sync.server.db import ServerDatabase
from sync.server.models import AppliedEntry, CounterRow, Dossier, DossierEvent

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "ttpvhcc-tinh"
EID = "000.00.70.H52"


# ---- databases ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pg_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields the server URL prefix (append a database name)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    bindir = found[-1].parent
    base = tempfile.mkdtemp(prefix="motcua-bench-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(base, "data"), _free_port()
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "check": True}
    initdb = [str(bindir / "initdb"), "-D", data, "-A", "trust", "-U", "motcua", "-E", "UTF8"]
    subprocess.run([*as_user, *initdb, "--no-locale", "--no-sync"], **quiet)
    # Durable settings as in production (fsync on), sized for a small server.
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
    options += " -c shared_buffers=256MB"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", data]
    subprocess.run([*as_user, *pg_ctl, "-o", options, "-l", f"{base}/log", "-w", "start"], **quiet)
    try:
        yield f"postgresql+psycopg://motcua@127.0.0.1:{port}/"
    finally:
        subprocess.run([*as_user, *pg_ctl, "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


def new_database(backend: str, prefix: str, work: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / (name + '.sqlite3')}"
    import psycopg

    admin = prefix.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return prefix + name


@contextmanager
def serve(url: str, workers: int) -> Iterator[str]:
    port = _free_port()
    command = ["central", "serve", "--db", url, "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# ---- A: a week offline ----------------------------------------------------------------------


def make_offline_week(ctx: Any, server: str, count: int, days: int) -> int:
    """Leases for the week while online, then `count` dossiers with their lifecycles offline."""
    clock: FixedClock = ctx.clock
    start = clock.current.date() - timedelta(days=days - 1)
    per_day = -(-count // days)
    settings = port.sync_settings(ctx)
    assert settings is not None
    with SyncClient(server, settings.credential) as client:
        needs = [
            need
            for i in range(days)
            for need in port.request_extra_leases(
                ctx, start + timedelta(days=i), min(per_day, 1000)
            )
        ]
        SyncEngine(ctx, client).exchange_leases(tuple(needs), (), _Tally())
    # Transfers are part of the week: a procedure whose components need no digitising first.
    procedure = next(
        p
        for p in list_procedures(ctx)
        if p.duration.unit == "working-days" and not any(c.must_digitise for c in p.components)
    )
    made = 0
    for i in range(days):
        clock.current = datetime.combine(start + timedelta(days=i), datetime.min.time(), VN_TZ)
        clock.current += timedelta(hours=8)
        codes = []
        for n in range(min(per_day, count - made)):
            clock.current += timedelta(seconds=20)
            cmd = ReceiveDossier(
                procedure=procedure.id,
                applicant_name=f"Người nộp {i}-{n}",
                id_number="001190012345",
                phone="0912345678",
            )
            codes.append(receive_dossier(ctx, cmd).dossier.code)
        for n, code in enumerate(codes):
            clock.current += timedelta(seconds=5)
            dossiers.transfer(ctx, code)
            if n % 2 == 0:
                dossiers.request_supplement(ctx, code, "Thiếu bản sao giấy tờ")
                dossiers.receive_supplement(ctx, code)
            dossiers.record_result(ctx, code)
            dossiers.return_result(ctx, code)
        made += len(codes)
    return port.pending_count(ctx)


def raw_insert_seconds(url: str, dossier_rows: list[dict[str, Any]], events: int) -> float:
    """Plain executemany of the same rows (dossiers, events, idempotency records)."""
    db = ServerDatabase.open(url)
    now = datetime.now(VN_TZ).isoformat()
    event_rows = [
        {
            "id": str(uuid.uuid4()),
            "dossier_id": dossier_rows[i % len(dossier_rows)]["id"],
            "at": now,
            "actor": "canbo",
            "action": "transfer",
            "from_status": 2,
            "to_status": 4,
            "reason": "",
            "counter_code": "tinh-q01",
        }
        for i in range(events)
    ]
    applied_rows = [
        {
            "counter_code": "tinh-q01",
            "key": str(uuid.uuid4()),
            "entity_id": e["dossier_id"],
            "status": "applied",
            "code": "",
            "message": "",
            "row_version": 1,
            "change_seq": i,
            "applied_at": now,
        }
        for i, e in enumerate(event_rows)
    ]
    started = time.perf_counter()
    with db.write() as session:
        session.execute(insert(Dossier), dossier_rows)
        session.execute(insert(DossierEvent), event_rows)
        session.execute(insert(AppliedEntry), applied_rows)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def copy_database(backend: str, prefix: str, work: Path, source: str, name: str) -> str:
    if backend == "sqlite":
        shutil.copy(work / f"{source}.sqlite3", work / f"{name}.sqlite3")
        return f"sqlite:///{work / (name + '.sqlite3')}"
    import psycopg

    admin = prefix.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
    return prefix + name


def offline_week(args: argparse.Namespace, prefix: str, work: Path) -> list[dict[str, Any]]:
    """Generate the week once (slow: real services), then time `--samples` syncs of copies."""
    url = new_database(args.backend, prefix, work, "week")
    db = ServerDatabase.open(url)
    init_central(db, resource_path("catalogue", "demo.json"))
    with db.write() as session:
        token = enrol_counter(session, "tinh-q01", [AGENCY], datetime.now(VN_TZ))
    db.close()
    with serve(url, args.workers) as server:
        ctx = open_context(work / "station", FixedClock(datetime.now(VN_TZ)))
        enrol(ctx, server, token)
        generated = time.perf_counter()
        entries = make_offline_week(ctx, server, args.dossiers, args.days)
        generated = time.perf_counter() - generated
        ctx.db.close()
    print(f"generated {entries} outbox entries in {generated:.0f} s", file=sys.stderr, flush=True)
    samples = []
    for n in range(args.samples):
        copy = copy_database(args.backend, prefix, work, "week", f"week{n}")
        shutil.copytree(work / "station", work / f"station{n}")
        with serve(copy, args.workers) as server:
            ctx = open_context(work / f"station{n}", FixedClock(datetime.now(VN_TZ)))
            started = time.perf_counter()
            with SyncClient(server, port.sync_settings(ctx).credential) as client:  # type: ignore[union-attr]
                summary = run_sync_once(
                    ctx, client=client, options=SyncOptions(upload_batch=200, feed_batch=500)
                )
            seconds = time.perf_counter() - started
            assert summary.ok and summary.pending == 0, summary
            ctx.db.close()
        db = ServerDatabase.open(copy)
        with db.read() as session:
            rows = [
                {c.key: getattr(d, c.key) for c in Dossier.__table__.columns}
                for d in session.query(Dossier)
            ]
        db.close()
        assert len(rows) == args.dossiers, len(rows)
        for row in rows:
            row["id"], row["code"] = str(uuid.uuid4()), row["code"] + "X"
        raw_url = new_database(args.backend, prefix, work, f"raw{n}")
        raw = raw_insert_seconds(raw_url, rows, entries)
        samples.append(
            {"entries": entries, "sync_s": seconds, "raw_s": raw, "generate_s": generated}
        )
    return samples


# ---- B: many counters at once ---------------------------------------------------------------


def template_entry(work: Path, prefix: str, backend: str) -> dict[str, Any]:
    """One real upload entry (a receive), to clone."""
    url = new_database(backend, prefix, work, "tmpl")
    db = ServerDatabase.open(url)
    init_central(db, resource_path("catalogue", "demo.json"))
    with db.write() as session:
        token = enrol_counter(session, "tinh-q01", [AGENCY], datetime.now(VN_TZ))
    db.close()
    with serve(url, 1) as server:
        ctx = open_context(work / "tmpl-station", FixedClock(datetime.now(VN_TZ)))
        enrol(ctx, server, token)
        procedure = list_procedures(ctx)[0].id
        receive_dossier(
            ctx, ReceiveDossier(procedure=procedure, applicant_name="Mẫu", id_number="001190012345")
        )
        entry = _entry(port.pending_entries(ctx, 1)[0]).model_dump(mode="json")
        ctx.db.close()
    return entry


def bodies_for(
    template: dict[str, Any], counter: str, first_seq: int, count: int, batch: int
) -> list[bytes]:
    received = datetime.fromisoformat(template["dossier"]["received_at"])
    prefix = f"{EID}-{received:%y%m%d}-"
    out = []
    for start in range(0, count, batch):
        entries = []
        for i in range(start, min(count, start + batch)):
            dossier_id = str(uuid.uuid4())
            entry = json.loads(json.dumps(template))
            entry.update(id=str(uuid.uuid4()), seq=i + 1, entity_id=dossier_id)
            entry["dossier"].update(
                id=dossier_id, code=f"{prefix}{first_seq + i:04d}", counter=counter
            )
            entry["event"]["id"] = str(uuid.uuid4())
            entries.append(entry)
        out.append(json.dumps({"entries": entries}).encode())
    return out


def concurrent_upload(
    args: argparse.Namespace, prefix: str, work: Path, template: dict[str, Any], n: int
) -> dict[str, Any]:
    url = new_database(args.backend, prefix, work, f"many{n}")
    db = ServerDatabase.open(url)
    init_central(db, resource_path("catalogue", "demo.json"))
    counters = [f"bench-q{i:02d}" for i in range(args.counters)]
    tokens = []
    with db.write() as session:
        for code in counters:
            session.add(CounterRow(code=code, name=code, receiving_point="rp-tinh"))
        session.flush()
        for code in counters:
            tokens.append(enrol_counter(session, code, [AGENCY], datetime.now(VN_TZ)))
    db.close()
    with serve(url, args.workers) as server:
        headers = {PROTOCOL_HEADER: "1", "Content-Type": "application/json"}
        credentials = [
            httpx.post(
                f"{server}/v1/enrol", json={"token": t, "request_id": t}, headers=headers
            ).json()["credential"]
            for t in tokens
        ]
        work_items = [
            bodies_for(template, code, 1 + i * args.per_counter, args.per_counter, 100)
            for i, code in enumerate(counters)
        ]
        applied = [0] * len(counters)

        def run(i: int) -> None:
            auth = {**headers, "Authorization": f"Bearer {credentials[i]}"}
            with httpx.Client(base_url=server, headers=auth, timeout=120) as http:
                for body in work_items[i]:
                    answer = http.post("/v1/upload", content=body)
                    answer.raise_for_status()
                    applied[i] += sum(r["status"] == "applied" for r in answer.json()["results"])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(counters))]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
    total = args.counters * args.per_counter
    assert sum(applied) == total, applied
    db = ServerDatabase.open(url)
    with db.read() as session:
        rows = [
            {c.key: getattr(d, c.key) for c in Dossier.__table__.columns}
            for d in session.query(Dossier)
        ]
    db.close()
    for row in rows:
        row["id"], row["code"] = str(uuid.uuid4()), row["code"] + "X"
    raw = raw_insert_seconds(new_database(args.backend, prefix, work, f"rawmany{n}"), rows, total)
    return {"uploads": total, "seconds": seconds, "raw_s": raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--per-counter", type=int, default=300)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--skip-week", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-sync-"))
    result: dict[str, Any] = {"backend": args.backend, "workers": args.workers}
    try:
        with pg_cluster() if args.backend == "postgresql" else _no_cluster() as prefix:
            if not args.skip_week:
                week = offline_week(args, prefix, work)
                sync_s = statistics.median(w["sync_s"] for w in week)
                raw_s = statistics.median(w["raw_s"] for w in week)
                result["offline_week"] = {
                    "dossiers": args.dossiers,
                    "outbox_entries": week[0]["entries"],
                    "sync_seconds_median": round(sync_s, 2),
                    "sync_seconds_all": [round(w["sync_s"], 2) for w in week],
                    "raw_insert_seconds_median": round(raw_s, 3),
                    "sync_over_raw": round(sync_s / raw_s, 1),
                    "goal_seconds": 30,
                }
                print(json.dumps(result, indent=2), flush=True)
            template = template_entry(work, prefix, args.backend)
            many = [concurrent_upload(args, prefix, work, template, n) for n in range(args.samples)]
            rate = statistics.median(m["uploads"] / m["seconds"] for m in many)
            raw_rate = statistics.median(m["uploads"] / m["raw_s"] for m in many)
            result["concurrent_upload"] = {
                "counters": args.counters,
                "uploads": many[0]["uploads"],
                "uploads_per_second_median": round(rate),
                "uploads_per_second_all": [round(m["uploads"] / m["seconds"]) for m in many],
                "raw_insert_rows_per_second_median": round(raw_rate),
                "upload_over_raw_rate": round(rate / raw_rate, 3),
                "goal_per_second": 500,
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "sync.json").write_text(json.dumps(result, indent=2) + "\n")


@contextmanager
def _no_cluster() -> Iterator[str]:
    yield ""


if __name__ == "__main__":
    main()
