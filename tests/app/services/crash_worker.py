"""Receives dossiers in a loop and prints each code right after its commit (killed by the test)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.bootstrap import open_context
from app.services.catalogue import list_procedures
from app.services.dossiers import receive_dossier
from tests.app.services.helpers import receive_cmd


def main() -> None:
    ctx = open_context(Path(sys.argv[1]))
    procedure = list_procedures(ctx)[0].id
    n = 0
    while True:
        n += 1
        view = receive_dossier(ctx, receive_cmd(procedure, applicant_name=f"Người nộp số {n}"))
        sys.stdout.write(view.dossier.code + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
