"""Runs one sync of a counter's data dir in its own process (the test kills it with SIGKILL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.bootstrap import open_context
from app.services.sync_port import sync_settings
from sync.client import SyncClient
from sync.engine import SyncOptions, run_sync_once


def main() -> None:
    ctx = open_context(Path(sys.argv[1]))
    settings = sync_settings(ctx)
    assert settings is not None
    options = SyncOptions(upload_batch=10, feed_batch=10)
    with SyncClient(sys.argv[2], settings.credential, backoff_base=0.01) as client:
        summary = run_sync_once(ctx, client=client, options=options)
    sys.stdout.write(json.dumps({"ok": summary.ok, "pending": summary.pending}) + "\n")


if __name__ == "__main__":
    main()
