"""Command line: ``python -m metrics --help``."""

from metrics.cli import main

raise SystemExit(main())
