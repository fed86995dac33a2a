"""How workflow scripts run library calls: a user error is one clear line on the console,
the traceback goes to the rule's log only, and the script exits non-zero. A job serving
several families keeps one log per family: a message tagged with a family goes to its log
only, an untagged one (naming nobody) to every log."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Mapping

from cmmvar.errors import InputError

log = logging.getLogger("cmmvar")


def run_logged(main: Callable[[], None], log_path: str) -> None:
    """Run `main` with logging to `log_path`; turn failures into one line plus the log."""
    run_logged_families(main, {None: log_path})


def run_logged_families(main: Callable[[], None], logs: Mapping[str | None, str]) -> None:
    """`run_logged` for a job of several families, with `logs` {family: log path} (key None:
    one log for everything). Log a family's message with `extra={"family": id}`; an
    InputError tagged with a family (cmmvar.errors.about_family) goes to that family's log."""
    handlers = []
    for family, path in logs.items():
        handler = logging.FileHandler(path, mode="w")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        if family is not None:
            handler.addFilter(lambda record, family=family:
                              getattr(record, "family", None) in (None, family))
        log.addHandler(handler)
        handlers.append(handler)
    log.setLevel(logging.INFO)
    try:
        main()
    except InputError as exc:
        log.error("%s\n%s", exc, traceback.format_exc(), extra={"family": exc.family})
        print(f"cmmvar: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # a bug, not a user error: say where the details are
        log.error("unexpected error\n%s", traceback.format_exc())
        where = next(iter(logs.values())) + (" and the job's other logs" if len(logs) > 1
                                              else "")
        print(f"cmmvar: internal error: {type(exc).__name__}: {exc} (traceback in {where})",
              file=sys.stderr)
        sys.exit(1)
    finally:
        for handler in handlers:
            handler.close()
            log.removeHandler(handler)
