"""How this package's demo town is built: the one set of seed_demo arguments its modules share."""

import datetime as dt
from io import StringIO

from django.core.management import call_command

TODAY = dt.date(2026, 11, 25)


def seed(*args: str, seed: int = 7, today: dt.date = TODAY) -> str:
    """Run seed_demo as the package's town was built (extra arguments such as --reset appended)."""
    out = StringIO()
    call_command("seed_demo", "--members", "200", "--seed", str(seed), "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()
