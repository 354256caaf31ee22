"""The PyInstaller one-folder bundle builds and its frozen binary passes --self-test, including
digitisation (pipeline, PDF/A, signing, validation, OCR when tesseract is installed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli.self_test_scanning import SelfTestFailure, check_digitisation
from app.scanning.ocr import ocr_available

ROOT = Path(__file__).resolve().parents[2]
DIGITISATION_STEPS = [
    "scanner_inputs",
    "pipeline",
    "pdf",
    "signing",
    "signature_validation",
    "ocr",
]


def assert_digitisation_passed(steps: dict[str, Any]) -> None:
    assert list(steps) == DIGITISATION_STEPS
    for name in DIGITISATION_STEPS[:-1]:
        assert steps[name]["status"] == "ok", (name, steps[name])
    assert abs(steps["pipeline"]["skew_deg"] - 2.0) < 0.5
    assert steps["pdf"]["pages"] == 2 and steps["pdf"]["pdfa_validator"] is True
    assert steps["signature_validation"]["tampering_detected"] is True
    # This machine has tesseract with Vietnamese (./dev setup installs it): OCR must run here.
    expected_ocr = "ok" if ocr_available() else "skipped: tesseract not installed"
    assert steps["ocr"]["status"] == expected_ocr, steps["ocr"]


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
    assert_digitisation_passed(report["digitisation"])
    # The scanner inputs this platform offers import in the bundle (python-sane, httpx, pdfium).
    assert report["digitisation"]["scanner_inputs"]["backends"] == ["sane", "escl", "import"]


def test_self_test_in_process_reports_success(capsys):
    from app.cli import main

    assert main(["--self-test"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert "Trung tâm Phục vụ hành chính công" in report["ui"]
    assert_digitisation_passed(report["digitisation"])


def test_ocr_is_skipped_not_failed_without_tesseract(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no tesseract to find
    steps: dict[str, Any] = {}
    check_digitisation(steps, "000.00.20.H12-261123-0001", "1.001193")
    assert steps["ocr"]["status"] == "skipped: tesseract not installed"
    assert steps["signature_validation"]["status"] == "ok"


def test_a_tesseract_that_cannot_start_fails_the_ocr_step(tmp_path, monkeypatch):
    """As in a frozen bundle whose libraries shadow the ones tesseract needs."""
    broken = tmp_path / "tesseract"
    broken.write_text("#!/bin/sh\necho 'libstdc++.so.6: version not found' >&2\nexit 127\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    steps: dict[str, Any] = {}
    with pytest.raises(SelfTestFailure):
        check_digitisation(steps, "000.00.20.H12-261123-0001", "1.001193")
    assert steps["ocr"]["status"].startswith("failed: SelfTestFailure: tesseract does not start")
    assert "libstdc++" in steps["ocr"]["status"]
    assert steps["pdf"]["status"] == "ok"  # the steps before it are still reported


def test_failing_self_test_exits_1_and_names_the_step(tmp_path, monkeypatch, capsys):
    from app.cli import main

    broken = tmp_path / "tesseract"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["--self-test"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["error"].startswith("SelfTestFailure: tesseract does not start")
    assert report["digitisation"]["ocr"]["status"].startswith("failed:")
    assert "ui" not in report  # it stopped at the first failure
