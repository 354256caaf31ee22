"""Fixtures for the scanner inputs: the SANE `test` backend without touching /etc, and a real
eSCL server on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.scanning.escl_server import EsclTestServer


@pytest.fixture(scope="session")
def sane_test_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SANE_CONFIG_DIR whose dll.conf loads only the `test` backend (devices test:0 and
    test:1, ENVIRONMENT trap 8). libsane reads it at sane.init(), so SANE is shut down first in
    case something in this process initialised it with another configuration; the directory
    lives for the whole session because libsane keeps what it read until sane.exit()."""
    from app.scanning import sane_backend

    config_dir = tmp_path_factory.mktemp("sane.d")
    (config_dir / "dll.conf").write_text("test\n", encoding="ascii")
    shutil.copy("/etc/sane.d/test.conf", config_dir / "test.conf")
    with pytest.MonkeyPatch.context() as patch:
        sane_backend.shutdown()
        patch.setenv("SANE_CONFIG_DIR", str(config_dir))
        yield config_dir
        sane_backend.shutdown()


@pytest.fixture
def escl_server() -> Iterator[EsclTestServer]:
    server = EsclTestServer()
    server.start()
    yield server
    server.stop()
