""".dockerignore: which files of the build context a build never sees.

The rules of Docker's patternmatcher: one pattern per line, `#` comments, patterns
cleaned like paths (`/foo/../bar` is `bar`), `*` and `?` never cross a `/`, `**`
crosses any number of directories, `!pattern` lets matching files back in, the last
matching line wins, and a pattern that matches a directory matches everything in it.
"""
from __future__ import annotations

import posixpath
import re
from collections import namedtuple

Pattern = namedtuple("Pattern", "text regex exclusion")


def read(text: str) -> list[str]:
    """The patterns of a .dockerignore file, cleaned as the docker CLI cleans them."""
    out = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = posixpath.normpath(line)
            if len(line) > 1 and line.startswith("/"):
                line = line.lstrip("/") or "/"
        out.append(("!" if invert else "") + line)
    return out


def _regex(pattern: str) -> re.Pattern:
    out, i, n = ["^"], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1:end]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return re.compile("".join(out))


class Matcher:
    """Answers "is this context path left out?" for paths relative to the context."""

    def __init__(self, patterns: list[str]):
        self.patterns = []
        for p in patterns:
            exclusion = p.startswith("!")
            text = p[1:] if exclusion else p
            self.patterns.append(Pattern(text, _regex(text), exclusion))
        self.has_exclusions = any(p.exclusion for p in self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def ignored(self, rel: str) -> bool:
        matched = False
        parents = rel.split("/")[:-1]
        for p in self.patterns:
            if p.exclusion != matched:
                continue
            hit = bool(p.regex.match(rel))
            if not hit:
                hit = any(p.regex.match("/".join(parents[:i + 1])) for i in range(len(parents)))
            if hit:
                matched = not p.exclusion
        return matched

    def may_include_below(self, rel_dir: str) -> bool:
        """Whether an exclusion pattern could bring back something inside an ignored
        directory (then it must still be walked)."""
        if not self.has_exclusions:
            return False
        prefix = rel_dir + "/"
        for p in self.patterns:
            if p.exclusion and (p.text.startswith(prefix) or "*" in p.text or
                                p.text.startswith("[") or "?" in p.text):
                return True
        return False
