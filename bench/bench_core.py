"""Core benchmark: receive and look-up with N dossiers (default 1,000,000) in the local store.

    ./dev bench core [--rows N] [--samples K] [--data-dir DIR]

Seeds N dossiers with bulk SQL (same columns, triggers and indexes as real receptions), then times
through the real services: receive_dossier (no printing), look-up by code, by CCCD and by a
diacritic-free name fragment, and compares the name look-up with a plain LIKE '%…%' scan of the
same data. Prints medians and p95 in milliseconds, the ratio, and the database file size.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from app.bootstrap import init_demo_data, open_context
from app.db.database import DB_FILENAME
from app.domain.clock import VN_TZ, FixedClock
from app.domain.text import fold
from app.services.catalogue import list_procedures
from app.services.dossiers import ReceiveDossier, receive_dossier
from app.services.queries import lookup

HO = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Lò Cầm Quàng".split()
DEM = "Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Xuân Thu Kim Bảo".split()
TEN = (
    "An Bình Châu Dũng Đức Giang Hà Hải Hạnh Hòa Hùng Hương Khánh Lan Linh Long Mai Minh Nam "
    "Ngân Nhung Phúc Phương Quang Quỳnh Sơn Tâm Thảo Thắng Trang Trung Tuấn Vân Việt Yến"
).split()
PER_DAY = 900


def _name(rng: random.Random) -> str:
    return f"{rng.choice(HO)} {rng.choice(DEM)} {rng.choice(DEM)} {rng.choice(TEN)}"


def _id_number(i: int) -> str:
    return f"014{i % 4}{90 + i % 10:02d}{i:06d}"[:12].rjust(12, "0")


def seed(path: Path, rows: int, rng: random.Random) -> float:
    """Copy the one real dossier row N times with varied people, days and codes."""
    started = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    template = con.execute("SELECT * FROM dossiers LIMIT 1").fetchone()
    columns = [d[0] for d in con.execute("SELECT * FROM dossiers LIMIT 1").description]
    index = {c: i for i, c in enumerate(columns)}
    eid = template[index["receiving_agency_eid"]]
    start_day = datetime(2023, 1, 2, 8, 0, tzinfo=VN_TZ)
    placeholders = ",".join("?" * len(columns))
    sql = f"INSERT INTO dossiers ({','.join(columns)}) VALUES ({placeholders})"
    batch = []
    for i in range(rows):
        day = start_day + timedelta(days=i // PER_DAY)
        at = day + timedelta(seconds=(i % PER_DAY) * 30)
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")
        row = list(template)
        name = _name(rng)
        row[index["id"]] = str(uuid.UUID(int=rng.getrandbits(128)))
        row[index["num"]] = 10 + i
        row[index["code"]] = f"{eid}-{day:%y%m%d}-{(i % PER_DAY) + 2001:04d}"
        row[index["applicant_name"]] = name
        row[index["applicant_name_fold"]] = fold(name)
        row[index["applicant_id_number"]] = _id_number(i)
        for column in ("received_at", "clock_start", "created_at", "updated_at"):
            row[index[column]] = stamp
        row[index["entry_no"]] = 10 + i
        row[index["status"]] = 10
        batch.append(row)
        if len(batch) == 20_000:
            con.executemany(sql, batch)
            con.commit()
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return time.perf_counter() - started


def timed(call, samples: list) -> list[float]:  # type: ignore[no-untyped-def,type-arg]
    times = []
    for sample in samples:
        t0 = time.perf_counter()
        call(sample)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    rng = random.Random(20261123)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ))
    ctx = open_context(data_dir, clock)
    init_demo_data(ctx)
    procedure = list_procedures(ctx)[0].id

    def cmd(i: int) -> ReceiveDossier:
        return ReceiveDossier(
            procedure=procedure, applicant_name=_name(rng), id_number=f"0011900{i:05d}"
        )

    receive_dossier(ctx, cmd(0))
    seed_seconds = seed(data_dir / DB_FILENAME, args.rows, rng)

    receive_times = timed(lambda i: receive_dossier(ctx, cmd(i)), list(range(1, args.samples)))
    codes = [f"{r.code}" for r in lookup(ctx, "nguyen", limit=50) + lookup(ctx, "tran", limit=50)]
    by_code = timed(lambda c: lookup(ctx, c), [rng.choice(codes) for _ in range(args.samples)])
    ids = [_id_number(rng.randrange(args.rows)) for _ in range(args.samples)]
    by_id = timed(lambda n: lookup(ctx, n), ids)
    # What officers type: a middle name and the start of the given name (common), or a whole
    # name (rare: few matches, so a LIKE scan has to read the whole table).
    common = [f"{fold(rng.choice(DEM))} {fold(rng.choice(TEN))[:3]}" for _ in range(args.samples)]
    rare = [fold(_name(rng)) for _ in range(args.samples)]
    by_name = timed(lambda f: lookup(ctx, f), common)
    by_full_name = timed(lambda f: lookup(ctx, f), rare)

    con = sqlite3.connect(data_dir / DB_FILENAME)

    def like_scan(fragment: str) -> None:
        con.execute(
            "SELECT id FROM dossiers WHERE applicant_name_fold LIKE ? ORDER BY num DESC LIMIT 50",
            (f"%{fragment}%",),
        ).fetchall()

    few = max(10, args.samples // 10)
    like_common = timed(like_scan, common[:few])
    like_rare = timed(like_scan, rare[:few])
    con.close()
    result = {
        "rows": args.rows,
        "seed_seconds": round(seed_seconds, 1),
        "receive": summary(receive_times),
        "lookup_code": summary(by_code),
        "lookup_cccd": summary(by_id),
        "lookup_name_fragment_fts": summary(by_name),
        "lookup_full_name_fts": summary(by_full_name),
        "like_scan_fragment": summary(like_common),
        "like_scan_full_name": summary(like_rare),
        "like_over_fts_ratio_fragment": round(
            statistics.median(like_common) / statistics.median(by_name), 1
        ),
        "like_over_fts_ratio_full_name": round(
            statistics.median(like_rare) / statistics.median(by_full_name), 1
        ),
        "db_file_mb": round((data_dir / DB_FILENAME).stat().st_size / 1e6, 1),
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "core.json").write_text(json.dumps(result, indent=2))
    ctx.db.close()


if __name__ == "__main__":
    main()
