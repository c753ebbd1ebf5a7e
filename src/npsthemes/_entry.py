"""The console script and ``python -m npsthemes``: imports the command line inside a Ctrl-C guard, so an
interrupt while the libraries load (several seconds on a busy machine) ends with "Interrupted." and exit code
130 instead of a traceback. This module imports nothing heavy itself."""

from __future__ import annotations

import os
import sys


def run() -> None:
    for stream in (sys.stdout, sys.stderr):  # a cp1252 or ASCII terminal shows what it cannot encode as escapes
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    try:
        from .cli import main

        code = main()
    except KeyboardInterrupt:
        code = 130
        _say("Interrupted.")
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass
    if code == 130:
        # Skip the interpreter's shutdown: library threads interrupted mid-work would print "Exception ignored"
        # noise. Every output is written atomically, so nothing half-written is left behind.
        os._exit(130)
    sys.exit(code)


def _say(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
    except (OSError, ValueError):
        pass
