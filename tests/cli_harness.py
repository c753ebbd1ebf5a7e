"""The command line run in-process as a user would meet it, for the hostile and fuzz layers.

``run_cli(args)`` returns ``(code, out, err)`` and fails the test on what a user would see as a defect: an
exception escaping ``main`` (a traceback), not returning within ``timeout`` seconds (a hang, via SIGALRM), a
``SystemExit`` escaping, or an exception reported at garbage collection ("Exception ignored in ..."). Python
warnings raised inside are appended to ``err`` the way the interpreter prints them (DeprecationWarnings hidden).
"""

from __future__ import annotations

import contextlib
import gc
import io
import signal
import sys
import traceback
import warnings

import pytest

from npsthemes.cli import main


class _Hang(BaseException):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise _Hang()


def last_line(exc: BaseException) -> str:
    # split on newlines only: a message may hold control characters that str.splitlines() also breaks on
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().split("\n")[-1]


def run_cli(args, timeout: int = 120, full_gc: bool = True) -> tuple[int | None, str, str]:
    """Run ``npsthemes ARGS`` in-process; see the module docstring. ``full_gc=False`` collects only the young
    generations afterwards (a full collection costs ~0.2 s with a model loaded)."""
    args = [str(a) for a in args]
    shown = f"`npsthemes {' '.join(a[:200] for a in args)}`"
    o, e = io.StringIO(), io.StringIO()
    unraisable: list = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    failure = None
    code = None
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(o),
            contextlib.redirect_stderr(e),
        ):
            warnings.simplefilter("default")
            for cat in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", cat)
            try:
                code = main(args)
            except _Hang:
                failure = f"hang: {shown} did not return within {timeout} s"
            except SystemExit as exc:
                failure = f"SystemExit({exc.code}) escaped main for {shown}"
            except BaseException as exc:  # noqa: BLE001 - that is what we are looking for
                failure = f"traceback: {last_line(exc)}\n  from {shown}\n{traceback.format_exc()[-4000:]}"
            # the exception (and the frames it holds) is gone here: collect what the interpreter would report at
            # exit as "Exception ignored in ... Traceback ..."
            gc.collect() if full_gc else gc.collect(1)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        sys.unraisablehook = old_hook
    if failure:
        pytest.fail(failure)
    if unraisable:
        u = unraisable[0]
        pytest.fail(
            f"traceback at garbage collection (stderr shows 'Exception ignored in {u.object!r}' and a "
            f"Traceback): {type(u.exc_value).__name__}: {u.exc_value}\n  from {shown}"
        )
    err = e.getvalue() + "".join(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}\n" for w in caught)
    return code, o.getvalue(), err
