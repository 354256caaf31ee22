"""The PyInstaller one-folder bundle builds and its frozen binary passes --self-test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_frozen_bundle_builds_and_passes_self_test(tmp_path):
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    build = subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "build"),
            "build.spec",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    binary = tmp_path / "dist" / "motcua" / "motcua"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    run = subprocess.run(
        [str(binary), "--self-test"], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert report["procedures"] >= 25
    assert report["code"].endswith("-0001")
    assert report["ui"].startswith("MotCua Desk")
    assert report["receipt_pdf_bytes"] > 10_000  # fonts embedded


def test_self_test_in_process_reports_success(capsys):
    from app.cli import main

    assert main(["--self-test"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert "Trung tâm Phục vụ hành chính công" in report["ui"]
