"""A hard limit on how long a piece of a test may take: a hang becomes a failure that
says so, instead of a test run that never ends (hypothesis' deadline only measures an
example after it has finished)."""
from __future__ import annotations

import contextlib
import signal


class TookTooLong(BaseException):
    """Not an Exception: code under test that stops every Exception (the runner's "run
    with error handling") must not turn the limit into an answer of its own."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str = "this"):
    """Raise TookTooLong in the main thread once `seconds` of wall time have passed."""
    def expire(signum, frame):
        raise TookTooLong(f"{what} took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
