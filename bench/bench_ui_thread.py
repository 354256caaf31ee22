"""UI-thread responsiveness: the desktop never freezes (issue 4, quality bar "the UI thread never
blocks for more than 50 ms").

    ./dev bench ui_thread [--iterations N] [--rows R] [--key-ms K] [--json FILE]
                          [--repeat-busy-day] [--gc-freeze]

A 5 ms precise QTimer on the UI thread is the heartbeat: the gap between two ticks is time the
UI thread could not process events (input, paint). The officer's flows are driven through the
real widgets of the real MainWindow (offscreen), with the real threaded OpRunner, over a real
SQLite store (demo catalogue + R dossiers from bench_core's seeder, one seeded day moved to a
recent date as a busy day): type a procedure search without diacritics, pick it, fill the
applicant from a chip-ID QR scan, Ctrl+Enter (receipt rendered in the background;
`RecordingPdfPrinter` stands in for the modal print preview), collect the fee, look up by code
and by a name fragment, open the dossier, the supervisor's logbook (F5, and «Xem» again), the
cash session (F8); at the end the busy day's logbook, its printing, closing the cash session.
Each heartbeat gap is attributed to the step running when it ended.

When a gap passes 50 ms a watchdog thread samples the UI thread's Python stack
(sys._current_frames) and the other threads' (a UI thread inside Qt's C++ or waiting for the GIL
shows only the event loop); gc.callbacks time every cyclic garbage collection, which holds the
GIL whichever thread runs it. Independently of timing, database, PDF-rendering and socket calls
made ON the UI thread are listed: the rule is that they all go through the op-runner.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import random
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDate, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from reportlab.pdfgen import canvas as reportlab_canvas
from sqlalchemy import event

from app.bootstrap import init_demo_data, open_context
from app.db.database import DB_FILENAME
from app.domain.clock import VN_TZ, FixedClock
from app.domain.text import fold
from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.dossiers import ReceiveDossier, receive_dossier
from bench.bench_core import PER_DAY, _name, seed
from tests.ui.conftest import type_text
from ui.main import freeze_start_up_heap
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.print_support import RecordingPdfPrinter

REPO = Path(__file__).resolve().parent.parent
LIMIT_MS = 50.0
HEARTBEAT_MS = 5
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)  # a Monday, as in the UI tests
SEEDED_FIRST_DAY = "2023-01-02"  # bench_core.seed puts PER_DAY dossiers on each day from here
# The first seeded day is moved here: the logbook forms are only in force from 2025-07-01.
BUSY_DAY = date(2026, 11, 20)
# (what the officer types, the procedure code it must find first)
SEARCHES = [
    ("xac nhan tinh trang hon nhan", "1.004873"),  # lệ phí 3.000
    ("dang ky thuong tru", "1.004222"),  # lệ phí 20.000
    ("khai tu", "1.000656"),  # nothing due: no fee step
    ("ly lich tu phap", "3.000333"),  # 200.000
]
STEP_WIDTH = 44
MAX_SHOWN_SAMPLES = 4
OWN_CALLBACKS = {"__call__", "_tick", "check", "checked_canvas", "checked_connect"}
NO_APP_FRAME = "(no app frame: in Qt/C++, or waiting for the GIL)"


# ---- where the UI thread is --------------------------------------------------------------


@functools.cache
def _short(path: str) -> str:
    """Repo-relative path (cached: the thread-rule check runs on the UI thread)."""
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        parts = Path(path).parts
        return "/".join(parts[-2:])


def _is_project(path: str) -> bool:
    short = _short(path)
    return not short.startswith(("bench/", "tests/")) and short.split("/")[0] in {
        "app",
        "ui",
        "printing",
        "sync",
    }


def _stack(frame: FrameType | None, depth: int = 8) -> list[str]:
    if frame is None:
        return []
    frames = traceback.extract_stack(frame)
    # The bench's own callbacks on top (a GC callback, the tick) are where the watchdog got the
    # GIL, not what blocked: a C++ call that holds the GIL only lets go when Python runs.
    while frames and frames[-1].name in OWN_CALLBACKS and frames[-1].filename == __file__:
        frames.pop()
    return [f"{_short(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames[-depth:])]


def _culprit(frame: FrameType | None) -> str:
    """The innermost project frame (app/, ui/, printing/, sync/); else the innermost frame."""
    if frame is None:
        return "?"
    frames = traceback.extract_stack(frame)
    for f in reversed(frames):
        if _is_project(f.filename):
            return f"{_short(f.filename)}:{f.lineno} in {f.name}"
    last = frames[-1]
    return f"{_short(last.filename)}:{last.lineno} in {last.name} {NO_APP_FRAME}"


@dataclass
class Sample:
    stalled_ms: float
    ui_culprit: str
    ui_stack: list[str]
    workers: list[str]  # innermost project frame of every other thread running Python
    in_gc: str  # "" or which thread is in a cyclic garbage collection right now


@dataclass
class LongGap:
    ms: float
    step: str
    began_in: str
    start: float  # perf_counter
    samples: list[Sample]
    gc_ms: float = 0.0  # cyclic GC pauses (any thread: they hold the GIL) inside the gap

    @property
    def culprit(self) -> str:
        """What the UI thread was doing in most samples of this gap (app frames first)."""
        if self.gc_ms >= self.ms / 2:
            return "cyclic garbage collection (a full gen2 collection holds the GIL)"
        if not self.samples:
            return "(not sampled: the watchdog got no GIL during the gap)"
        found = [s.ui_culprit for s in self.samples]
        in_app = [c for c in found if NO_APP_FRAME not in c] or found
        return max(set(in_app), key=in_app.count)


@dataclass
class GcPause:
    start: float
    ms: float
    generation: int
    on_ui: bool
    step: str


class GcWatch:
    """Times every cyclic garbage collection (gc.callbacks) and the thread it ran on. A
    collection holds the GIL, so one on a worker thread also stops the UI thread's Python."""

    def __init__(self, heartbeat: Heartbeat, ui_thread: int) -> None:
        self._hb = heartbeat
        self._ui = ui_thread
        self.running: dict[int, tuple[float, int]] = {}
        self.pauses: list[GcPause] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        thread = threading.get_ident()
        if phase == "start":
            self.running[thread] = (time.perf_counter(), info["generation"])
            return
        began, generation = self.running.pop(thread, (time.perf_counter(), -1))
        pause = GcPause(
            began, (time.perf_counter() - began) * 1000, generation, thread == self._ui, ""
        )
        pause.step = self._hb.step
        self.pauses.append(pause)

    def in_gc(self) -> str:
        return ", ".join(
            f"gen{gen} on {'UI' if t == self._ui else 'worker'}"
            for t, (_s, gen) in list(self.running.items())
        )

    def overlap_ms(self, start: float, end: float) -> float:
        return sum(
            max(0.0, min(end, p.start + p.ms / 1000) - max(start, p.start)) * 1000
            for p in self.pauses
        )


@dataclass
class Heartbeat:
    """Ticks every 5 ms on the UI thread; `step` is set by the driver and read at each tick."""

    started: float = field(default_factory=time.perf_counter)
    step: str = "idle"
    last: float = field(default_factory=time.perf_counter)
    last_step: str = "idle"
    gaps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    long: list[LongGap] = field(default_factory=list)
    # Ticks, per step, where an op ran but the busy indicator was hidden.
    busy_unshown: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[float, list[Sample]] = field(default_factory=dict)
    timer: QTimer | None = None
    window: MainWindow | None = None

    def start(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        with self.lock:
            now = time.perf_counter()
            gap = (now - self.last) * 1000
            samples = self.pending.pop(self.last, [])
            self.gaps[self.step].append(gap)
            if gap > LIMIT_MS:
                self.long.append(LongGap(gap, self.step, self.last_step, self.last, samples))
            self.last, self.last_step = now, self.step
        window = self.window
        if window is None or not window.isVisible():
            return
        if window.runner.busy and not window.busy.isVisible():
            self.busy_unshown[self.step] += 1


class Watchdog(threading.Thread):
    """Samples the UI thread's stack while the heartbeat is late by more than 50 ms."""

    def __init__(self, heartbeat: Heartbeat, ui_thread: int, gc_watch: GcWatch) -> None:
        super().__init__(name="ui-watchdog", daemon=True)
        self._hb = heartbeat
        self._gc = gc_watch
        self._ui = ui_thread
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.wait(0.004):
            hb = self._hb
            with hb.lock:
                stalled = (time.perf_counter() - hb.last) * 1000
                if stalled <= LIMIT_MS:
                    continue
                taken = hb.pending.setdefault(hb.last, [])
                if taken and stalled - taken[-1].stalled_ms < 20:
                    continue  # one sample every 20 ms of a stall is plenty
                frames = sys._current_frames()
                ui = frames.get(self._ui)
                mine = threading.get_ident()
                workers = sorted(
                    {_culprit(f) for t, f in frames.items() if t not in (self._ui, mine)}
                )
                sample = Sample(stalled, _culprit(ui), _stack(ui), workers, self._gc.in_gc())
                taken.append(sample)


# ---- calls that belong in the op-runner ---------------------------------------------------


@dataclass
class ThreadRule:
    """Counts database, PDF-rendering and socket calls made on the UI thread, by call site."""

    heartbeat: Heartbeat
    ui_thread: int
    hits: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    off_ui: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def check(self, kind: str) -> None:
        if threading.get_ident() != self.ui_thread:
            self.off_ui[kind] += 1
            return
        frames = traceback.extract_stack()[:-2]
        # The UI code that made the call: the innermost ui/ frame, else the innermost app frame.
        site = next(
            (f for f in reversed(frames) if _short(f.filename).startswith("ui/")),
            next((f for f in reversed(frames) if _is_project(f.filename)), frames[-1]),
        )
        where = f"{_short(site.filename)}:{site.lineno} in {site.name}"
        self.hits[(kind, where)].append(self.heartbeat.step)

    def install(self, ctx: ServiceContext) -> None:
        event.listen(ctx.db.engine, "before_cursor_execute", lambda *_a: self.check("database"))
        rule = self
        canvas_init = reportlab_canvas.Canvas.__init__

        def checked_canvas(this: Any, *args: Any, **kwargs: Any) -> None:
            rule.check("printing")
            canvas_init(this, *args, **kwargs)

        reportlab_canvas.Canvas.__init__ = checked_canvas
        connect = socket.socket.connect

        def checked_connect(this: socket.socket, address: Any) -> None:
            rule.check("network")
            connect(this, address)

        socket.socket.connect = checked_connect  # type: ignore[method-assign,assignment]


# ---- driving the window like an officer ---------------------------------------------------


class Driver:
    def __init__(self, app: QApplication, hb: Heartbeat, key_ms: int) -> None:
        self.app = app
        self.hb = hb
        self.key_ms = key_ms
        self.window: MainWindow | None = None
        self.ops: dict[str, int] = defaultdict(int)

    @property
    def w(self) -> MainWindow:
        assert self.window is not None
        return self.window

    def step(self, label: str) -> None:
        self.hb.step = label

    def wait_until(self, done: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        """Run the event loop (as the real app does) until `done()`; polled every 2 ms."""
        if done():
            return
        loop = QEventLoop()
        deadline = time.monotonic() + timeout
        timed_out = False

        def poll() -> None:
            nonlocal timed_out
            if done():
                loop.quit()
            elif time.monotonic() > deadline:
                timed_out = True
                loop.quit()

        poller = QTimer()
        poller.setInterval(2)
        poller.timeout.connect(poll)
        poller.start()
        loop.exec()
        poller.stop()
        if timed_out:
            banner = self.window.intake.banner.text() if self.window else ""
            raise RuntimeError(f"timed out waiting for {what} (banner: {banner!r})")

    def pause(self, ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def idle(self, what: str) -> None:
        """Wait for every background op to end and their callbacks to run, then a breath."""
        self.wait_until(lambda: not self.w.runner.busy, what)
        self.pause(30)

    def type_keys(self, widget: QWidget, text: str) -> None:
        """One key event per character, at the officer's pace (Vietnamese-safe: trap 1)."""
        for char in text:
            type_text(widget, char)
            self.pause(self.key_ms)

    def key(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        target = QApplication.focusWidget() or self.w
        QTest.keyClick(target, key, modifiers)

    def count_ops(self, runner: OpRunner) -> None:
        run = runner.run

        def counted(work: Any, on_done: Any, on_error: Any = None) -> None:
            self.ops[self.hb.step] += 1
            run(work, on_done, on_error)

        runner.run = counted  # type: ignore[method-assign]


@dataclass
class Flows:
    d: Driver
    ctx: ServiceContext
    data: Path
    printer: RecordingPdfPrinter
    rng: random.Random
    repeat_busy_day: bool = False
    gc_freeze: bool = True
    received: list[str] = field(default_factory=list)

    def start(self) -> None:
        d = self.d
        d.step("start: build + show main window")
        settings = QSettings(str(self.data / "ui.ini"), QSettings.Format.IniFormat)
        runner = OpRunner()
        d.count_ops(runner)
        window = MainWindow(self.ctx, runner, None, settings, printer=self.printer)
        if self.gc_freeze:
            freeze_start_up_heap()  # as ui.main.run_desktop does
        d.window = window
        d.hb.window = window
        window.intake.dossier_received.connect(lambda view: self.received.append(view.code))
        window.show()
        window.activateWindow()
        d.wait_until(window.isActiveWindow, "the window active")
        d.wait_until(lambda: bool(window.intake.picker.visible_procedures()), "the catalogue")
        d.idle("start-up ops")

    def open_cash_session(self) -> None:
        d, w = self.d, self.d.w
        d.step("F8 cash session: show")
        d.key(Qt.Key.Key_F8)
        d.idle("cash session loaded")
        d.step("F8 cash session: count float, open")
        w.cash.count.spins[100_000].setValue(5)
        w.cash.count.spins[50_000].setValue(2)
        d.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        d.wait_until(lambda: w.cash.session is not None, "the cash session open")
        d.idle("cash session refreshed")

    def intake(self, i: int) -> tuple[str, bool]:
        """One reception; returns the dossier code and whether the procedure has fees."""
        d, w = self.d, self.d.w
        intake = w.intake
        typed, code = SEARCHES[i % len(SEARCHES)]
        d.step("F2 intake: show")
        d.key(Qt.Key.Key_F2)
        d.idle("intake shown")
        d.step("intake: type procedure search (no diacritics)")
        d.type_keys(intake.picker.search_box, typed)
        first = intake.picker.visible_procedures()[0]
        assert first.code == code, (typed, first.code)
        d.step("intake: pick procedure (Enter) + deadline quote")
        d.key(Qt.Key.Key_Return)
        d.wait_until(lambda: intake.appointment.text() not in ("—", "đang tính…"), "the quote")
        d.idle("quote")
        d.step("intake: chip-ID QR scan + phone")
        name, qr = self._chip_qr(i)
        intake.applicant.phone.setFocus()
        type_text(intake.applicant.phone, qr)  # a handheld scanner types it in one burst
        assert intake.applicant.name.text() == name, intake.applicant.name.text()
        d.type_keys(intake.applicant.phone, f"09{i:08d}")
        d.step("intake: Ctrl+Enter receive + receipt (bg)")
        printed = len(self.printer.printed)
        d.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        d.wait_until(lambda: len(self.printer.printed) > printed, "the receipt")
        d.idle("after the receipt")
        doc_type, title, _pdf = self.printer.printed[-1]
        assert doc_type == "receipt", (doc_type, title)
        return self.received[-1], any(f.amount > 0 for f in first.fees)

    def collect_fee(self) -> None:
        d, w = self.d, self.d.w
        panel = w.intake.fee_panel
        d.step("fees: Ctrl+Shift+P fee page")
        d.wait_until(lambda: panel.pay_button.isEnabled(), "the fee quote")
        d.key(Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        d.wait_until(lambda: w.intake.pages.currentWidget() is w.intake.fee_page, "fee page")
        d.step("fees: Ctrl+Enter collect cash + fee receipt (bg)")
        printed = len(self.printer.printed)
        d.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        d.wait_until(lambda: len(self.printer.printed) > printed, "the fee receipt")
        d.idle("after the fee receipt")
        d.step("fees: Esc back to the form")
        d.key(Qt.Key.Key_Escape)
        d.idle("form")

    def lookup_code(self, code: str) -> None:
        d, w = self.d, self.d.w
        d.step("F3 lookup: show")
        d.key(Qt.Key.Key_F3)
        d.idle("lookup shown")
        d.step("lookup: type a dossier code")
        d.type_keys(w.lookup.search_box, code)
        d.step("lookup: Enter by code -> opens dossier (F4)")
        d.key(Qt.Key.Key_Return)
        d.wait_until(
            lambda: w.dossier.view is not None and w.dossier.view.code == code, "the dossier"
        )
        d.idle("dossier shown")

    def lookup_name(self) -> None:
        d, w = self.d, self.d.w
        d.step("F3 lookup: show")
        d.key(Qt.Key.Key_F3)
        d.idle("lookup shown")
        d.step("lookup: type a name fragment")
        fragment = " ".join(fold(_name(self.rng)).split()[1:3])  # middle names, e.g. "van thi"
        d.type_keys(w.lookup.search_box, fragment)
        d.step("lookup: Enter by name fragment")
        d.key(Qt.Key.Key_Return)
        d.wait_until(lambda: w.lookup.status.text() != "Đang tìm…", "the results")
        d.idle("results")
        if not w.lookup.model.rows:
            return
        d.step("dossier: open from the result list (Enter)")
        wanted = w.lookup.model.rows[0].code
        w.lookup.table.setFocus()
        w.lookup.table.setCurrentIndex(w.lookup.model.index(0, 0))
        d.key(Qt.Key.Key_Return)
        d.wait_until(
            lambda: w.dossier.view is not None and w.dossier.view.code == wanted, "the dossier"
        )
        d.idle("dossier shown")

    def supervisor(self) -> None:
        d = self.d
        d.step("F5 supervisor: logbook today + reports")
        d.key(Qt.Key.Key_F5)
        d.idle("supervisor loaded")
        # A supervisor refreshing the same range: the logbook comes back with as many rows.
        d.step("supervisor: Xem again (today, same rows)")
        self.show_logbook(NOW.date())

    def cash_tab(self) -> None:
        d = self.d
        d.step("F8 cash session: show")
        d.key(Qt.Key.Key_F8)
        d.idle("cash session loaded")

    def busy_day(self) -> None:
        d, w = self.d, self.d.w
        sup = w.supervisor
        d.step("F5 supervisor: show")
        d.key(Qt.Key.Key_F5)
        d.idle("supervisor loaded")
        d.step(f"supervisor: logbook of a busy day ({PER_DAY})")
        self.show_logbook(BUSY_DAY)
        assert sup.page is not None and sup.page.total >= PER_DAY, sup.page
        if self.repeat_busy_day:
            d.step(f"supervisor: Xem again (busy day, same {PER_DAY} rows)")
            self.show_logbook(BUSY_DAY)
        d.step(f"supervisor: print logbook ({PER_DAY}, bg)")
        printed = len(self.printer.printed)
        QTest.mouseClick(sup.print_button, Qt.MouseButton.LeftButton)
        d.wait_until(lambda: len(self.printer.printed) > printed, "the logbook PDF", 120)
        d.idle("after the logbook PDF")

    def show_logbook(self, day: date) -> None:
        """Pick `day` in both date boxes and press «Xem»."""
        sup = self.d.w.supervisor
        sup.date_from.setDate(QDate(day.year, day.month, day.day))
        sup.date_to.setDate(QDate(day.year, day.month, day.day))
        shown = sup.page
        QTest.mouseClick(sup.show_button, Qt.MouseButton.LeftButton)
        self.d.wait_until(
            lambda: sup.page is not shown and sup.page is not None and sup.page.day_from == day,
            "the logbook",
            300,
        )
        self.d.idle("logbook shown")

    def close_cash_session(self) -> None:
        d, w = self.d, self.d.w
        d.step("F8 cash session: show")
        d.key(Qt.Key.Key_F8)
        d.idle("cash session loaded")
        d.step("F8 cash session: close + report (bg)")
        w.cash.count.spins[100_000].setValue(5)
        w.cash.reason.setFocus()
        d.type_keys(w.cash.reason, "Kiểm đếm thử")
        printed = len(self.printer.printed)
        d.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        d.wait_until(lambda: len(self.printer.printed) > printed, "the cash session report")
        d.idle("after the report")

    def _chip_qr(self, i: int) -> tuple[str, str]:
        name = _name(self.rng)
        female = i % 2 == 1
        year = 60 + i % 40
        id_number = f"001{int(female)}{year:02d}{800_000 + i:06d}"
        address = f"Số {i + 1} tổ {i % 9 + 1}, phường Tô Hiệu, tỉnh Sơn La"
        qr = f"{id_number}||{name}|050919{year:02d}|{'Nữ' if female else 'Nam'}|{address}|01022021"
        return name, qr


# ---- report -------------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def stats(gaps: list[float]) -> dict[str, float]:
    ordered = sorted(gaps)
    return {
        "ticks": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1),
        "over_50ms": sum(g > LIMIT_MS for g in ordered),
    }


def print_table(hb: Heartbeat, driver: Driver, meta: dict[str, Any]) -> dict[str, Any]:
    rows = {step: stats(g) for step, g in hb.gaps.items() if g}
    overall = stats([g for gaps in hb.gaps.values() for g in gaps])
    print(
        f"\nUI-thread heartbeat ({HEARTBEAT_MS} ms PreciseTimer): {meta['rows']} seeded dossiers "
        f"+ demo data, {meta['iterations']} intakes, real threaded OpRunner, "
        f"{meta['seconds']:.0f} s driven, {meta['printed']} documents printed"
        + (", gc.freeze() after start-up" if meta["gc_freeze"] else "")
    )
    header = (
        f"{'step':<{STEP_WIDTH}} {'ticks':>6} {'ops':>4} "
        f"{'median':>7} {'p99':>7} {'max':>7} {'>50ms':>6}"
    )
    print(header)
    print("-" * len(header))
    for step, st in [*rows.items(), ("OVERALL", overall)]:
        ops = sum(driver.ops.values()) if step == "OVERALL" else driver.ops.get(step, 0)
        if step == "OVERALL":
            print("-" * len(header))
        print(
            f"{step[:STEP_WIDTH]:<{STEP_WIDTH}} {st['ticks']:>6} {ops:>4} {st['median_ms']:>7.1f} "
            f"{st['p99_ms']:>7.1f} {st['max_ms']:>7.1f} {st['over_50ms']:>6}"
        )
    print("(gaps in ms between 5 ms heartbeat ticks; ops: background ops started in the step)")
    print(
        "ticks with an op running but the busy indicator hidden: "
        f"{sum(hb.busy_unshown.values())} {dict(hb.busy_unshown) or ''}"
    )
    return {
        "steps": {step: {**st, "ops": driver.ops.get(step, 0)} for step, st in rows.items()},
        "overall": overall,
        "busy_indicator_hidden_ticks": dict(hb.busy_unshown),
    }


def spread(samples: list[Sample], most: int) -> list[Sample]:
    """At most `most` samples, evenly spread over the gap (first and last included)."""
    if len(samples) <= most:
        return samples
    step = (len(samples) - 1) / (most - 1)
    return [samples[round(i * step)] for i in range(most)]


def print_long_gaps(hb: Heartbeat, gc_watch: GcWatch) -> list[dict[str, Any]]:
    for gap in hb.long:
        gap.gc_ms = gc_watch.overlap_ms(gap.start, gap.start + gap.ms / 1000)
    by_culprit: dict[str, list[LongGap]] = defaultdict(list)
    for gap in hb.long:
        by_culprit[gap.culprit].append(gap)
    print(f"\nGaps over {LIMIT_MS:.0f} ms: {len(hb.long)}")
    for culprit, gaps in sorted(by_culprit.items(), key=lambda kv: -max(g.ms for g in kv[1])):
        worst = max(gaps, key=lambda g: g.ms)
        steps = "; ".join(sorted({g.step for g in gaps}))
        print(f"\n* {culprit}\n  {len(gaps)} gap(s), worst {worst.ms:.0f} ms, in: {steps}")
        if len(worst.samples) > MAX_SHOWN_SAMPLES:
            where: dict[str, int] = defaultdict(int)
            for sample in worst.samples:
                where[sample.ui_culprit] += 1
            print(f"  {len(worst.samples)} samples of the worst gap, UI thread at:")
            for place, count in sorted(where.items(), key=lambda kv: -kv[1]):
                print(f"    {count:>5}x {place}")
        for sample in spread(worst.samples, MAX_SHOWN_SAMPLES):
            gc_note = f"  [in GC: {sample.in_gc}]" if sample.in_gc else ""
            print(f"  UI thread {sample.stalled_ms:.0f} ms into the worst gap:{gc_note}")
            for line in sample.ui_stack[:5]:
                print(f"    {line}")
            if sample.workers:
                print("    other threads: " + " | ".join(sample.workers))
    if hb.long:
        print("\nEvery gap over 50 ms, in order (gc: cyclic GC time inside the gap):")
    for gap in hb.long:
        began = "" if gap.began_in == gap.step else f" (began in: {gap.began_in})"
        print(
            f"  +{gap.start - hb.started:7.2f} s {gap.ms:6.1f} ms gc {gap.gc_ms:5.1f} ms  "
            f"{gap.step}{began}\n      <- {gap.culprit}"
        )
    return [
        {
            "ms": round(g.ms, 1),
            "gc_ms": round(g.gc_ms, 1),
            "step": g.step,
            "culprit": g.culprit,
            "samples": [
                {"at_ms": round(x.stalled_ms), "ui": x.ui_stack, "workers": x.workers}
                for x in spread(g.samples, MAX_SHOWN_SAMPLES)
            ],
        }
        for g in hb.long
    ]


def print_gc(gc_watch: GcWatch) -> dict[str, Any]:
    print("\nCyclic garbage collections (each holds the GIL: the UI thread's Python waits):")
    summary: dict[str, Any] = {}
    for generation in (0, 1, 2):
        for on_ui in (True, False):
            ms = [p.ms for p in gc_watch.pauses if p.generation == generation and p.on_ui == on_ui]
            if not ms:
                continue
            where = "UI thread" if on_ui else "workers"
            key = f"gen{generation} on {where}"
            summary[key] = {"n": len(ms), "total_ms": round(sum(ms)), "max_ms": round(max(ms), 1)}
            print(
                f"  {key:<20} {len(ms):>6}x  total {sum(ms):7.0f} ms  "
                f"median {statistics.median(ms):5.1f}  max {max(ms):6.1f} ms"
            )
    return summary


def print_thread_rule(rule: ThreadRule) -> list[dict[str, Any]]:
    print("\nDatabase / PDF / socket calls made ON the UI thread (the rule: via the op-runner):")
    if not rule.hits:
        print("  none")
    for (kind, where), steps in sorted(rule.hits.items()):
        print(f"  {kind:<9} {len(steps):>4}x  {where}   in: {'; '.join(sorted(set(steps)))}")
    print(f"  (on worker threads, as they should be: {dict(rule.off_ui)})")
    return [
        {"kind": k, "where": w, "count": len(steps), "steps": sorted(set(steps))}
        for (k, w), steps in rule.hits.items()
    ]


# ---- main ---------------------------------------------------------------------------------


def move_first_seeded_day(path: Path) -> None:
    """A busy day (PER_DAY receptions) on a date whose logbook form is in force."""
    con = sqlite3.connect(path)
    columns = ("received_at", "clock_start", "created_at", "updated_at")
    sets = ", ".join(f"{c} = ? || substr({c}, 11)" for c in columns)
    con.execute(
        f"UPDATE dossiers SET {sets} WHERE received_at LIKE ?",
        (*[BUSY_DAY.isoformat()] * len(columns), f"{SEEDED_FIRST_DAY}%"),
    )
    con.commit()
    con.close()


def prepare(rows: int, rng: random.Random) -> tuple[ServiceContext, Path]:
    data = Path(tempfile.mkdtemp(prefix="motcua-ui-thread-bench-"))
    ctx = open_context(data, FixedClock(NOW))
    init_demo_data(ctx)
    procedure = list_procedures(ctx)[0]
    # bench_core.seed copies one real dossier row.
    receive_dossier(
        ctx, ReceiveDossier(procedure=procedure.id, applicant_name="A", id_number="001190000001")
    )
    if rows:
        seconds = seed(data / DB_FILENAME, rows, rng)
        print(f"seeded {rows} dossiers in {seconds:.1f} s", file=sys.stderr)
        move_first_seeded_day(data / DB_FILENAME)
    return ctx, data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30, help="intakes (default 30)")
    parser.add_argument("--rows", type=int, default=20_000, help="seeded dossiers")
    parser.add_argument("--key-ms", type=int, default=40, help="pause between typed keys")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--repeat-busy-day",
        action="store_true",
        help=f"also press «Xem» a second time on the busy day ({PER_DAY} rows; slow: minutes)",
    )
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="compare: skip what the app does at start-up (gc off while the window is built, "
        "then ui.main.freeze_start_up_heap: the start-up heap leaves the cyclic GC's generations)",
    )
    args = parser.parse_args()
    rng = random.Random(20261123)
    app = QApplication([])
    ctx, data = prepare(args.rows, rng)
    printer = RecordingPdfPrinter()

    hb = Heartbeat()
    ui_thread = threading.get_ident()
    rule = ThreadRule(hb, ui_thread)
    rule.install(ctx)
    gc_watch = GcWatch(hb, ui_thread)
    gc.callbacks.append(gc_watch)
    driver = Driver(app, hb, args.key_ms)
    flows = Flows(driver, ctx, data, printer, rng, args.repeat_busy_day, args.gc_freeze)
    watchdog = Watchdog(hb, ui_thread, gc_watch)
    hb.start()
    watchdog.start()
    started = time.perf_counter()
    driver.step("baseline: idle event loop (1 s)")
    driver.pause(1000)
    if args.gc_freeze:
        gc.disable()
    flows.start()
    flows.open_cash_session()
    for i in range(args.iterations):
        code, with_fees = flows.intake(i)
        if with_fees:
            flows.collect_fee()
        flows.lookup_code(code)
        flows.lookup_name()
        flows.supervisor()
        flows.cash_tab()
    flows.busy_day()
    flows.close_cash_session()
    driver.step("end: idle")
    driver.pause(200)
    watchdog.stop()
    assert hb.timer is not None
    hb.timer.stop()
    meta = {
        "rows": args.rows,
        "iterations": args.iterations,
        "seconds": time.perf_counter() - started,
        "printed": len(printer.printed),
        "gc_freeze": args.gc_freeze,
    }
    gc.callbacks.remove(gc_watch)
    result = {
        **meta,
        **print_table(hb, driver, meta),
        "long_gaps": print_long_gaps(hb, gc_watch),
        "gc": print_gc(gc_watch),
        "ui_thread_calls": print_thread_rule(rule),
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    ctx.db.close()
    shutil.rmtree(data, ignore_errors=True)  # 1.3 GB with --rows 1000000


if __name__ == "__main__":
    main()
    # As bench_intake: skip interpreter teardown (PySide6 objects can abort during finalisation).
    os._exit(0)
