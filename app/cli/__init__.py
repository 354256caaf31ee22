"""The `motcua` command line: stable commands for scripts, support staff and integrations.

Every command takes `--data-dir DIR` and `--json`. Results go to stdout (JSON with `--json`);
errors go to stderr in Vietnamese, with exit code 3 for a refusal (bad input, not allowed now),
2 for a usage error and 1 for an unexpected failure. With no command, the desktop app starts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli import account_commands as account_commands  # user/login/audit/export/backup
from app.cli import day_commands as day_commands  # registers day close/status
from app.cli import fee_commands as fee_commands  # registers fee/pay/vietqr/session commands
from app.cli import scan_commands as scan_commands  # registers scan/import-file
from app.cli import sync_commands as sync_commands  # registers central/enrol/sync commands
from app.cli.commands import COMMANDS, build_parser
from app.cli.output import emit_error
from app.domain.errors import AppError

EXIT_REFUSED = 3
log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--self-test"]:
        from app.cli.self_test import run_self_test

        return run_self_test()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        return _start_desktop(args.data_dir)
    handler = COMMANDS[args.command_key]
    try:
        return handler(args)
    except AppError as error:
        emit_error(error, as_json=args.json)
        return EXIT_REFUSED


def _start_desktop(data_dir: Path | None) -> int:
    # Imported here: the command line must work on a machine without Qt's system libraries.
    from ui.main import run_desktop

    return run_desktop(data_dir)
