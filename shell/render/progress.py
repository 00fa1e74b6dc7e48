"""Per-layer progress as the docker CLI's jsonmessage shows it: on a terminal one line
per layer, redrawn in place (the cursor moves up to the layer's line, clears it and
comes back); anywhere else one plain line per status, download progress left out."""
from __future__ import annotations


class LayerProgress:
    def __init__(self, env):
        self.env = env
        self.tty = env.stdout_tty
        self.lines: list[str] = []              # layer ids, in the order they appeared

    def __call__(self, short: str, status: str, progress: str = "") -> None:
        if not self.tty:
            if not progress:
                self.env.out(f"{short}: {status}")
            return
        text = f"{short}: {status}" + (f" {progress}" if progress else "")
        if short not in self.lines:
            self.lines.append(short)
            self.env.out(text)
            return
        up = len(self.lines) - self.lines.index(short)
        self.env.out(f"\x1b[{up}A\x1b[2K\r{text}\x1b[{up}B\r", end="")

    def say(self, line: str) -> None:
        """A line of the whole operation (Digest:, Status:): below the layers."""
        self.env.out(line)
