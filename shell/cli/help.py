"""Help pages generated from the command table, laid out as the docker CLI lays them
out (cobra's usage template, pflag's flag table and its line wrapping)."""
from __future__ import annotations

from . import spec

TYPE_WORDS = {spec.BOOL: "", spec.STRING: "string", spec.INT: "int", spec.LIST: "list",
              spec.BYTES: "bytes", spec.DECIMAL: "decimal", spec.FILTER: "filter",
              spec.DURATION: "duration", spec.MAP: "map", spec.UINT16: "uint16",
              spec.UINT: "uint"}


def render(target, columns: int = 80, path: tuple[str, ...] = ()) -> str:
    if target is None:
        return top_level(columns)
    if isinstance(target, spec.Group):
        return group(target)
    return command(target, columns, path)


# --- one command ------------------------------------------------------------------

def _aliases(cmd: spec.Command) -> list[str]:
    names = [cmd.path] + [a for a in cmd.aliases if len(a) == 2] + \
            [a for a in cmd.aliases if len(a) == 1]
    return ["docker " + " ".join(n) for n in names]


def command(cmd: spec.Command, columns: int = 80, path: tuple[str, ...] = ()) -> str:
    shown = path[0] if len(path) == 1 else cmd.name
    parts = [f"Usage:  docker {shown} {cmd.usage}", "", cmd.description or cmd.summary]
    if cmd.aliases:
        parts += ["", "Aliases:", "  " + ", ".join(_aliases(cmd))]
    flags = [f for f in cmd.flags if not f.hidden]
    if cmd.short_flag("h"):
        flags.append(spec.Flag("help", help="Print usage"))
    if flags:
        parts += ["", "Options:", flag_table(sorted(flags, key=lambda f: f.long), columns - 1)]
    if cmd.planned:
        parts += ["", f"Not available in dockerlings yet: {cmd.planned}."]
    return "\n".join(parts).rstrip("\n")


def _default_text(f: spec.Flag) -> str:
    d = f.default
    if f.kind == spec.MAP:
        return " (default map[])"     # pflag prints an empty map's value too
    if f.repeated:                    # some of docker's list types print "[]" too
        return f" (default {d})" if isinstance(d, str) else ""
    if d in (None, False, "", 0):
        return ""
    if f.kind == spec.STRING:
        return f' (default "{d}")'
    if d is True:
        return " (default true)"
    return f" (default {d})"


def flag_table(flags: list[spec.Flag], width: int) -> str:
    """pflag's FlagUsagesWrapped: every description starts in one column and wraps."""
    lefts, usages = [], []
    for f in flags:
        left = f"  -{f.short}, --{f.long}" if f.short else f"      --{f.long}"
        word = f.metavar if f.metavar is not None else TYPE_WORDS[f.kind]
        if word:
            left += " " + word
        lefts.append(left)
        text = f.help + _default_text(f)
        if f.planned:
            text += " (not in dockerlings yet)"
        usages.append(text)
    maxlen = max(len(l) for l in lefts) + 1
    lines = []
    for left, usage in zip(lefts, usages):
        spacing = " " * (maxlen - len(left))
        lines.append(f"{left} {spacing} {_wrap(maxlen + 2, width, usage)}")
    return "\n".join(lines)


def _wrap_n(i: int, slop: int, s: str) -> tuple[str, str]:
    if i + slop > len(s):
        return s, ""
    w = max(s.rfind(" ", 0, i), s.rfind("\t", 0, i), s.rfind("\n", 0, i))
    if w <= 0:
        return s, ""
    nl = s.rfind("\n", 0, i)
    if 0 < nl < w:
        return s[:nl], s[nl + 1:]
    return s[:w], s[w + 1:]


def _wrap(i: int, w: int, s: str) -> str:
    """pflag's wrap(): text for a description column at `i` in a `w`-wide line."""
    room = w - i
    out = ""
    if room < 24:
        i, room = 16, w - 16
        out = "\n" + " " * i
    if room < 24:
        return s.replace("\n", out)
    slop = 5
    room -= slop
    line, s = _wrap_n(room, slop, s)
    out += line.replace("\n", "\n" + " " * i)
    while s:
        line, s = _wrap_n(room, slop, s)
        out += "\n" + " " * i + line.replace("\n", "\n" + " " * i)
    return out


# --- groups and the top level ----------------------------------------------------------

def _rows(entries: list[tuple[str, str]]) -> list[str]:
    """cobra's command rows: the name padded to the longest, at least 11 columns
    (minNamePadding), then one space."""
    width = max([11] + [len(n) for n, _ in entries])
    return [f"  {n.ljust(width)} {s}" for n, s in entries]


def group(g: spec.Group) -> str:
    entries = [(name, cmd.summary) for name, cmd in spec.group_commands(g.name)
               if (g.name, name) == cmd.path]
    parts = [f"Usage:  docker {g.name} COMMAND", "", g.summary]
    if g.name == "compose":         # its own options come before its subcommand
        parts[0] = "Usage:  docker compose [OPTIONS] COMMAND"
        parts[2] = "Define and run multi-container applications with Docker"
        parts += ["", "Options:", flag_table(list(spec.COMPOSE.flags), 79)]
    if g.planned:
        parts += ["", f"Not available in dockerlings yet: {g.planned}."]
    if entries:
        parts += ["", "Commands:", *_rows(entries)]
    parts += ["", f"Run 'docker {g.name} COMMAND --help' for more information on a command."]
    return "\n".join(parts)


COMMON_ORDER = ["run", "exec", "ps", "build", "pull", "push", "images", "login", "logout",
                "search", "version", "info"]


def top_level(columns: int = 80) -> str:
    common = [(n, c) for n, c in spec.top_level() if c.group == "Common Commands"]
    common.sort(key=lambda x: COMMON_ORDER.index(x[0]) if x[0] in COMMON_ORDER else 99)
    others = [(n, c) for n, c in spec.top_level() if c.group != "Common Commands"]
    parts = ["Usage:  docker [OPTIONS] COMMAND", "",
             f"{spec.ROOT.summary} (here: dockerlings' own engine)", "",
             "Common Commands:", *_rows([(n, c.summary) for n, c in common]), "",
             "Management Commands:", *_rows([(g.name + "*" * g.plugin, g.summary)
                                                 for g in spec.GROUPS]), "",
             "Commands:", *_rows([(n, c.summary) for n, c in others]), "",
             "Global Options:", flag_table(list(spec.ROOT.flags), columns - 1), "",
             "Run 'docker COMMAND --help' for more information on a command.", "",
             "For more help on how to use Docker, head to https://docs.docker.com/go/guides/"]
    return "\n".join(parts)
