"""Compose's progress block, as it prints it on standard error."""
from __future__ import annotations

import threading


WORKING = "working"      # a row whose object is being worked on ("Creating", "Starting")


class Progress:
    """Compose's progress block on standard error: `[+] Running 3/3` then one line per
    object. On a terminal it is redrawn in place as each object's work starts and ends;
    otherwise it is printed once, when the work is done (or has failed: then what was
    under way is marked failed)."""

    def __init__(self, env, title: str = "Running"):
        self.env, self.title = env, title
        self.rows: list[list] = []
        self.live = bool(getattr(env, "stderr_tty", False))
        self.drawn = 0          # lines of the block on the terminal now
        self.lock = threading.Lock()    # stops run in parallel (reconcile.stop_all)

    def working(self, kind: str, name: str, status: str) -> None:
        self.add(kind, name, status, WORKING)

    def add(self, kind: str, name: str, status: str, ok: bool | None | str = True) -> None:
        with self.lock:
            self._add(kind, name, status, ok)

    def _add(self, kind: str, name: str, status: str, ok) -> None:
        for row in self.rows:
            if row[0] == kind and row[1] == name:
                row[2], row[3] = status, ok
                break
        else:
            self.rows.append([kind, name, status, ok])
        if self.live:
            self._draw()

    def lines(self) -> list[str]:
        if not self.rows:
            return []
        done = sum(1 for r in self.rows if r[3] in (True, None))
        width = max(len(f"{k} {n}".strip()) for k, n, _, _ in self.rows)
        out = [f"[+] {self.title} {done}/{len(self.rows)}"]
        for kind, name, status, ok in self.rows:
            mark = {True: "✔", False: "✘", None: "!", WORKING: "⠿"}[ok]
            out.append(f" {mark} {f'{kind} {name}'.strip().ljust(width)}  {status}")
        return out

    def _draw(self) -> None:
        """Up to the block's first line, then every line again (each cleared to its end)."""
        lines = self.lines()
        up = f"\x1b[{self.drawn}A" if self.drawn else ""
        self.env.write_err((up + "".join(f"\r{line}\x1b[K\n" for line in lines)).encode())
        self.drawn = len(lines)

    def print(self) -> None:
        stopped = [r for r in self.rows if r[3] == WORKING]
        for row in stopped:     # an error ended the work before these were done
            row[3] = False
        if self.live:
            if stopped:
                self._draw()
            return          # otherwise already on the terminal, as it is now
        for line in self.lines():
            self.env.err(line)
