"""`python -m app [command]`: the CLI; with no command, the desktop application."""

from app.cli import main

raise SystemExit(main())
