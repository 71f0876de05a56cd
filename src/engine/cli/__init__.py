"""The ``engine`` command line (Vietnamese labels; see README.md for every command).

One module per command group; importing them registers their commands on :data:`app`, in
the order ``engine --help`` lists them (hence the unsorted import).
"""

from engine.cli.base import app

# isort: off
from engine.cli import rules, progress, followup, service, reports, users, plans

# isort: on

__all__ = ["app", "followup", "plans", "progress", "reports", "rules", "service", "users"]
