"""The `motcua` command line, run in-process against a real data dir, and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from app.cli import main
from app.domain.clock import VN_TZ


@pytest.fixture
def run(tmp_path, capsys):
    data = str(tmp_path / "cli-data")

    def invoke(*args: str) -> tuple[int, dict | list | None, str]:
        code = main([*args, "--data-dir", data, "--json"])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    assert invoke("init-demo")[0] == 0
    return invoke


def test_catalogue_list_json_has_the_documented_fields(run):
    code, procedures, _ = run("catalogue", "list")
    assert code == 0
    assert len(procedures) >= 25
    first = procedures[0]
    assert {"id", "code", "name", "duration", "fees", "components"} <= set(first)
    assert {"value", "unit"} <= set(first["duration"])
    assert {p["duration"]["unit"] for p in procedures} >= {"working-days", "working-hours"}


def test_catalogue_search_without_diacritics(run):
    _, procedures, _ = run("catalogue", "list", "--search", "khai sinh")
    assert procedures
    assert all("khai sinh" in p["name"].lower() for p in procedures)


def test_deadline_applies_the_15h_rule_and_the_24_11_day_off(run):
    code, quote, _ = run(
        "deadline",
        "--duration",
        "1",
        "--unit",
        "working-days",
        "--received-at",
        "2026-11-23T15:00:01+07:00",
    )
    assert code == 0
    assert quote["clock_start"] == "2026-11-25T07:30:00+07:00"
    assert quote["appointment"] == "2026-11-25T17:00:00+07:00"
    _, at_cutoff, _ = run(
        "deadline",
        "--duration",
        "1",
        "--unit",
        "working-days",
        "--received-at",
        "2026-11-23T15:00:00+07:00",
    )
    assert at_cutoff["clock_start"] == "2026-11-23T15:00:00+07:00"
    assert at_cutoff["appointment"] == "2026-11-25T15:00:00+07:00"


def test_receive_show_lookup_and_transitions(run):
    _, procedures, _ = run("catalogue", "list")
    proc = next(p for p in procedures if p["duration"]["unit"] == "working-days")
    code, received, err = run(
        "receive",
        "--procedure",
        proc["id"],
        "--applicant-name",
        "Đặng Thị Hoà",
        "--id-number",
        "001190012345",
        "--phone",
        "0912 345 678",
        "--component",
        f"{proc['components'][0]['id']}:1:0",
    )
    assert code == 0, err
    assert {"code", "id", "appointment", "status"} <= set(received)
    assert received["status"] == 2
    _, shown, _ = run("show", received["code"])
    assert shown["applicant"]["name"] == "Đặng Thị Hoà"
    assert shown["applicant"]["id_number"] == "001190012345"
    assert shown["supplement_count"] == 0
    assert shown["events"][0]["action"] == "receive"
    _, found, _ = run("lookup", "dang thi hoa")
    assert [d["code"] for d in found] == [received["code"]]
    assert (
        run("supplement-request", received["code"], "--reason", "Thiếu giấy tờ")[1]["status"] == 5
    )
    assert run("supplement-receive", received["code"])[1]["supplement_count"] == 1
    assert run("transfer", received["code"])[1]["status"] == 4
    assert run("result", received["code"])[1]["status"] == 9
    assert run("return", received["code"])[1]["status"] == 10


def test_refusal_exits_non_zero_with_vietnamese_error_and_saves_nothing(run):
    _, procedures, _ = run("catalogue", "list")
    code, out, err = run(
        "receive",
        "--procedure",
        procedures[0]["id"],
        "--applicant-name",
        "Lê Văn A",
        "--id-number",
        "12345",
    )
    assert code == 3
    assert out["error"]["code"] == "identity.id_format"
    assert "chữ số" in err
    code, out, err = run(
        "receive",
        "--procedure",
        procedures[0]["id"],
        "--applicant-name",
        "Lê Văn A",
        "--id-number",
        "001190012345",
        "--received-at",
        "23/11/2026",
        "--backfill-reason",
        "x",
    )
    assert code == 3
    assert out["error"]["code"] == "input.datetime"
    _, logbook, _ = run("logbook", "--date", "2026-11-23")
    assert logbook["total"] == 0
    assert run("show", "000.00.00.H56-261123-0001")[0] == 3


def test_calendar_add_and_list(run):
    code, _, _ = run(
        "calendar", "add", "--date", "2026-12-31", "--kind", "day-off", "--note", "QĐ số 1/QĐ-UBND"
    )
    assert code == 0
    _, days, _ = run("calendar", "list", "--year", "2026")
    assert {"day": "2026-12-31", "kind": "day-off"}.items() <= next(
        d for d in days if d["day"] == "2026-12-31"
    ).items()
    assert any(d["day"] == "2026-11-24" for d in days)
    _, quote, _ = run(
        "deadline",
        "--duration",
        "1",
        "--unit",
        "working-days",
        "--received-at",
        "2026-12-30T16:00:00+07:00",
    )
    assert quote["clock_start"].startswith("2027-01-04T07:30")  # 31/12 and 1/1 off, then weekend


def test_usage_errors_are_in_vietnamese(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["receive", "--procedure", "x"])
    assert exited.value.code == 2
    assert "thiếu tham số bắt buộc" in capsys.readouterr().err


def test_console_module_runs_as_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "app", "init-demo", "--data-dir", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] is True


def test_receive_with_outcome_ineligible_records_a_refusal(run):
    _, procedures, _ = run("catalogue", "list")
    code, received, err = run(
        "receive",
        "--procedure",
        procedures[0]["id"],
        "--applicant-name",
        "Lò Văn Páo",
        "--id-number",
        "001190012345",
        "--outcome",
        "ineligible",
        "--outcome-reason",
        "Thủ tục không thuộc thẩm quyền của phường",
    )
    assert code == 0, err
    assert received["status"] == 3
    _, shown, _ = run("show", received["code"])
    assert shown["events"][-1]["reason"] == "Thủ tục không thuộc thẩm quyền của phường"


def test_day_close_and_status(run):
    today = datetime.now(VN_TZ).date().isoformat()
    code, status, _ = run("day", "status", "--date", today)
    assert code == 0 and status["closed"] is False
    code, _, err = run("day", "close", "--date", today, "--officer", "canbo")
    assert code == 3 and "quyền" in err
    code, closed, err = run("day", "close", "--date", today, "--officer", "giamsat")
    assert code == 0, err
    assert closed["closed_by"] == "giamsat"
    code, _, err = run("day", "close", "--date", today, "--officer", "giamsat")
    assert code == 3 and "đã được chốt" in err


def test_dates_are_read_as_officers_write_them_or_as_iso(run):
    code, vn, _ = run("day", "status", "--date", "23/11/2026")
    code_iso, iso, _ = run("day", "status", "--date", "2026-11-23")
    assert (code, code_iso) == (0, 0) and vn == iso and vn["day"] == "2026-11-23"
    for wrong in ("31/02/2026", "23-11-2026", "hôm nay"):
        code, _, err = run("day", "status", "--date", wrong)
        assert code == 3 and "ngày/tháng/năm" in err
