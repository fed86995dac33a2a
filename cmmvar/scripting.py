"""How workflow scripts run library calls: a user error is one clear line on the console,
the traceback goes to the rule's log only, and the script exits non-zero."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

from cmmvar.errors import InputError

log = logging.getLogger("cmmvar")


def run_logged(main: Callable[[], None], log_path: str) -> None:
    """Run `main` with logging to `log_path`; turn failures into one line plus the log."""
    handler = logging.FileHandler(log_path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        main()
    except InputError as exc:
        log.error("%s\n%s", exc, traceback.format_exc())
        print(f"cmmvar: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # a bug, not a user error: say where the details are
        log.error("unexpected error\n%s", traceback.format_exc())
        print(f"cmmvar: internal error: {type(exc).__name__}: {exc} (traceback in {log_path})",
              file=sys.stderr)
        sys.exit(1)
    finally:
        handler.close()
        log.removeHandler(handler)
