"""Desktop benchmark: cold start to the intake screen ready (offscreen), median of N runs.

./dev bench ui [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from app.bootstrap import init_demo_data, open_context


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="motcua-ui-bench-"))
    ctx = open_context(data)
    init_demo_data(ctx)
    ctx.db.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = Path(__file__).with_name("ui_cold_start.py")
    times = [
        float(
            subprocess.run(
                [sys.executable, str(script), str(data)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout
        )
        for _ in range(args.runs)
    ]
    print(
        json.dumps(
            {
                "cold_start_to_intake_ready_s": {
                    "median": round(statistics.median(times), 3),
                    "max": round(max(times), 3),
                    "runs": len(times),
                }
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
