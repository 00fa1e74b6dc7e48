"""Reading docker --help pages in tests: their option rows."""
from __future__ import annotations

import re


def flag_rows(text: str) -> dict[str, tuple[str, str]]:
    """long name -> (left column, description with its wrapping undone), in page order."""
    lines = text.split("\n")
    if "Options:" not in lines:
        return {}
    rows: dict[str, list[str]] = {}
    current = None
    for line in lines[lines.index("Options:") + 1:]:
        if not line.strip():
            break
        m = re.match(r"^(  -\S, --\S+|      --\S+)( \S+)?(?:\s+(.*))?$", line)
        if m and not line.startswith("       "):
            current = re.search(r"--(\S+)", m.group(1)).group(1)
            rows[current] = [(m.group(1) + (m.group(2) or "")).strip(), m.group(3) or ""]
        else:
            rows[current][1] += " " + line.strip()
    return {k: (left, " ".join(desc.split())) for k, (left, desc) in rows.items()}
