"""Compose's progress block, as it prints it on standard error."""
from __future__ import annotations


class Progress:
    """Compose's progress block on standard error: `[+] Running 3/3` then one line per
    object. On a terminal it is redrawn in place as each object is done; otherwise it
    is printed once, when the work is done (or has failed)."""

    def __init__(self, env, title: str = "Running"):
        self.env, self.title = env, title
        self.rows: list[list] = []
        self.live = bool(getattr(env, "stderr_tty", False))
        self.drawn = 0          # lines of the block on the terminal now

    def add(self, kind: str, name: str, status: str, ok: bool | None = True) -> None:
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
        done = sum(1 for r in self.rows if r[3] is not False)
        width = max(len(f"{k} {n}".strip()) for k, n, _, _ in self.rows)
        out = [f"[+] {self.title} {done}/{len(self.rows)}"]
        for kind, name, status, ok in self.rows:
            mark = {True: "✔", False: "✘", None: "!"}[ok]
            out.append(f" {mark} {f'{kind} {name}'.strip().ljust(width)}  {status}")
        return out

    def _draw(self) -> None:
        """Up to the block's first line, then every line again (each cleared to its end)."""
        lines = self.lines()
        up = f"\x1b[{self.drawn}A" if self.drawn else ""
        self.env.write_err((up + "".join(f"\r{line}\x1b[K\n" for line in lines)).encode())
        self.drawn = len(lines)

    def print(self) -> None:
        if self.live:
            return          # already on the terminal, as it is now
        for line in self.lines():
            self.env.err(line)
