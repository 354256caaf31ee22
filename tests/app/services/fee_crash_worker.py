"""Takes cash payments in the open session in a loop and prints each payment right after its
commit (killed by the test with SIGKILL): `<payment id> <amount>` per line."""

from __future__ import annotations

import sys
from pathlib import Path

from app.bootstrap import open_context
from tests.app.services.fee_helpers import CERTIFY_COPY, pay, receive


def main() -> None:
    ctx = open_context(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        code = receive(ctx, CERTIFY_COPY, applicant_name=f"Người nộp số {n}")
        # 1–9 pages: amounts vary, so a lost or doubled payment shows in the totals.
        payment = pay(ctx, code, pages=n % 9 + 1)
        sys.stdout.write(f"{payment.id} {payment.amount}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
