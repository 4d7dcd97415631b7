"""What the command's logging level means for the libraries under it and for the worker processes.

The peer extractors log their own failures at ERROR, tracebacks and all (readability-lxml on a page it cannot
summarise, trafilatura on a fragment); ``clean`` already turns each such failure into a missing opinion or a named
failed document, so their records are noise on a user's terminal, even with ``-q``. They are shown only with
``-vv``. Pool workers are new processes: they take the command's level from the environment it sets.
"""

from __future__ import annotations

import logging
import os
import sys

#: Loggers of the libraries ``clean`` runs pages through.
PEER_LOGGERS = (
    "trafilatura",
    "readability",
    "readability.readability",
    "htmldate",
    "courlan",
    "justext",
    "charset_normalizer",
)
#: The command's stderr level, for its worker processes.
LEVEL_VARIABLE = "CLEAN_LOG_LEVEL"
FORMAT = "%(levelname)s %(name)s: %(message)s"


def quiet_peers(level: int) -> None:
    """Silence the peer libraries' loggers unless ``level`` is DEBUG (``-vv``)."""
    for name in PEER_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level <= logging.DEBUG else logging.CRITICAL + 1)


def share_level(level: int) -> None:
    """Let worker processes started from now on log at ``level`` (see ``worker_logging``)."""
    os.environ[LEVEL_VARIABLE] = logging.getLevelName(level)


def worker_logging() -> None:
    """In a worker process: log to stderr at the command's level, the peers quiet as in the command."""
    name = os.environ.get(LEVEL_VARIABLE)
    level = logging.getLevelName(name) if name else None
    if not isinstance(level, int):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    quiet_peers(level)
