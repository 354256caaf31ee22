"""The threaded op-runner: work runs off the UI thread, results and errors come back on it."""

from __future__ import annotations

import threading

from ui.ops import OpRunner


def test_work_runs_on_a_worker_thread_and_result_returns_on_the_main_thread(qtbot):
    runner = OpRunner()
    main = threading.get_ident()
    seen: dict[str, int] = {}
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["callback"] = threading.get_ident()
        seen["value"] = value

    runner.run(work, done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 42
    assert seen["worker"] != main
    assert seen["callback"] == main
    assert busy == [True, False]


def test_errors_come_back_to_the_error_callback(qtbot):
    runner = OpRunner()
    errors: list[Exception] = []

    def boom() -> None:
        raise ValueError("x")

    runner.run(boom, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError)
    assert not runner.busy
