"""The lesson format, described once.

Every field of a lesson, a step, a command and every check type is declared here, with
its kind and a line of documentation. The loader validates lesson files with these
declarations (and gets plain-words errors pointing at the line), `lesson.schema.json`
is generated from them for editors, and the tests hold docs/authoring.md to them.
"""
from __future__ import annotations

import difflib
import re

from .model import FORMAT, Check, Command

INVALID = object()      # a value that failed validation (its error is already recorded)


class Problems:
    """Collects errors while a file is validated, each placed at its line."""

    def __init__(self, source):
        self.source = source
        self.errors = []

    def add(self, path: tuple, message: str, key: bool = False) -> None:
        self.errors.append(self.source.error(path, message, key))


def _label(path: tuple) -> str:
    if not path:
        return "the lesson"
    if isinstance(path[-1], int):
        parent = path[-2] if len(path) > 1 else "list"
        return f"item {path[-1] + 1} of '{parent}'"
    return f"'{path[-1]}'"


def _what(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


def _wrong(problems, path, expected: str, value) -> object:
    problems.add(path, f"{_label(path)} should be {expected}, not {_what(value)}")
    return INVALID


# --- kinds: what a value may be --------------------------------------------------------

class Kind:
    expected = "a value"

    def load(self, value, path: tuple, problems: Problems):
        raise NotImplementedError

    def schema(self) -> dict:
        raise NotImplementedError


class Str(Kind):
    expected = "text"

    def __init__(self, choices: tuple = (), pattern: str | None = None, hint: str = ""):
        self.choices, self.pattern, self.hint = choices, pattern, hint

    def load(self, value, path, problems):
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                problems.add(path, f"{_label(path)} should be text, not a number "
                                   f"(write it in quotes: '{value}')")
                return INVALID
            if isinstance(value, bool):       # YAML reads no, off, yes, on as true/false
                word = _bool_word(value, self.choices)
                problems.add(path, f"{_label(path)} should be text, not true/false"
                                   + (f" (write it in quotes: '{word}')" if word else ""))
                return INVALID
            return _wrong(problems, path, "text", value)
        if self.choices and value not in self.choices:
            close = difflib.get_close_matches(value, self.choices, 1)
            problems.add(path, f"{_label(path)} cannot be '{value}': use one of "
                               f"{', '.join(self.choices)}"
                               + (f" (did you mean '{close[0]}'?)" if close else ""))
            return INVALID
        if self.pattern and not re.fullmatch(self.pattern, value):
            problems.add(path, f"{_label(path)} cannot be '{value}': {self.hint}")
            return INVALID
        return value

    def schema(self):
        s: dict = {"type": "string"}
        if self.choices:
            s["enum"] = list(self.choices)
        if self.pattern:
            s["pattern"] = f"^{self.pattern}$"
        return s


def _bool_word(value: bool, choices: tuple) -> str | None:
    """The word an author most likely wrote for a YAML boolean in a text field."""
    words = ("yes", "on", "true") if value else ("no", "off", "false")
    return next((w for w in words if w in choices), None if choices else words[0])


class Port(Str):
    """A container port: 80, "80" or "80/tcp" (a bare number is a port, not a mistake)."""

    def load(self, value, path, problems):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super().load(value, path, problems)

    def schema(self):
        return {"type": ["string", "integer"]}


class ImageRef(Str):
    """An image name, name:tag or ID: a reference that does not parse can never match."""

    def load(self, value, path, problems):
        value = super().load(value, path, problems)
        if value is INVALID:
            return INVALID
        from engine.images import reference
        from engine.errors import EngineError
        try:
            reference.parse(value)
        except EngineError:
            problems.add(path, reference_problem(value))
            return INVALID
        return value


def reference_problem(text: str) -> str:
    name, colon, tag = text.rpartition(":") if "/" not in text.rpartition(":")[2] else \
        (text, "", "")
    hint = ""
    if name != name.lower() and " " not in text:
        hint = f" (names are lower-case: '{name.lower()}{colon}{tag}')"
    return f"'{text}' is not a valid image reference, so no image can ever match it{hint}"


class Regex(Str):
    """A regular expression (Python's re, searched anywhere in the text)."""

    def load(self, value, path, problems):
        value = super().load(value, path, problems)
        if value is INVALID:
            return INVALID
        try:
            re.compile(value)
        except re.error as e:
            problems.add(path, f"{_label(path)} is not a valid regular expression: {e}")
            return INVALID
        return value


NAME_PATTERN = r"[a-z0-9][a-z0-9_-]*"
NAME_HINT = "use lower-case letters, digits, '-' and '_'"


def Name() -> Str:
    return Str(pattern=NAME_PATTERN, hint=NAME_HINT)


class Int(Kind):
    expected = "a whole number"

    def __init__(self, minimum: int | None = None):
        self.minimum = minimum

    def load(self, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong(problems, path, "a whole number", value)
        if self.minimum is not None and value < self.minimum:
            problems.add(path, f"{_label(path)} should be at least {self.minimum}")
            return INVALID
        return value

    def schema(self):
        s: dict = {"type": "integer"}
        if self.minimum is not None:
            s["minimum"] = self.minimum
        return s


class Number(Kind):
    expected = "a number"

    def load(self, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _wrong(problems, path, "a number", value)
        return value

    def schema(self):
        return {"type": "number"}


class Bool(Kind):
    expected = "true or false"

    def load(self, value, path, problems):
        if not isinstance(value, bool):
            return _wrong(problems, path, "true or false", value)
        return value

    def schema(self):
        return {"type": "boolean"}


SIZE_RE = re.compile(r"(\d+(?:\.\d+)?) ?([kmgtp])?i?b?", re.I)
_UNITS = {None: 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}


def size_bytes(text: str) -> int | None:
    """Docker's RAMInBytes: "64m", "1.5g", "512k", "100" -> bytes (binary units)."""
    m = SIZE_RE.fullmatch(text.strip())
    if not m:
        return None
    unit = m.group(2).lower() if m.group(2) else None
    return int(float(m.group(1)) * _UNITS[unit])


class Size(Kind):
    """A memory size: bytes, or text like 64m as `docker run -m` takes it."""

    expected = "a size"

    def load(self, value, path, problems):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and size_bytes(value) is not None:
            return size_bytes(value)
        problems.add(path, f"{_label(path)} should be a size like 64m or a number of bytes")
        return INVALID

    def schema(self):
        return {"type": ["integer", "string"],
                "pattern": "^\\d+(\\.\\d+)? ?[kKmMgGtTpP]?[iI]?[bB]?$"}


class ListOf(Kind):
    """A list; with `single`, one item written on its own counts as a list of one."""

    def __init__(self, item: Kind, min_items: int = 0, single: bool = False):
        self.item, self.min_items, self.single = item, min_items, single

    def load(self, value, path, problems):
        if not isinstance(value, list):
            if self.single and isinstance(value, dict) and not isinstance(self.item, Obj):
                return _wrong(problems, path, f"{self.item.expected} or a list", value)
            if self.single and value is not None:
                got = self.item.load(value, path, problems)
                return INVALID if got is INVALID else [got]
            return _wrong(problems, path, "a list", value)
        if len(value) < self.min_items:
            problems.add(path, f"{_label(path)} needs at least {self.min_items} "
                               f"item{'s' if self.min_items > 1 else ''}")
            return INVALID
        out = [self.item.load(v, path + (i,), problems) for i, v in enumerate(value)]
        return INVALID if any(v is INVALID for v in out) else out

    def schema(self):
        s: dict = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            s["minItems"] = self.min_items
        if self.single:
            return {"anyOf": [self.item.schema(), s]}
        return s


def OneOrList(item: Kind) -> ListOf:
    return ListOf(item, single=True)


class Cmd(Kind):
    """A command: "sleep 300" or ["sleep", "300"]."""

    expected = "a command"

    def load(self, value, path, problems):
        if isinstance(value, str):
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return list(value)
        return _wrong(problems, path, "a command (text, or a list of words)", value)

    def schema(self):
        return {"anyOf": [{"type": "string"},
                          {"type": "array", "items": {"type": "string"}, "minItems": 1}]}


class KeyValues(Kind):
    """Environment variables or labels: a mapping (KEY: value, or KEY: null for "set to
    anything"), or a list of KEY and KEY=value. Loaded as {KEY: value or None}."""

    def load(self, value, path, problems):
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(v, (dict, list)) or isinstance(v, bool):
                    _wrong(problems, path + (k,), "text, a number or null", v)
                    return INVALID
                out[k] = None if v is None else str(v)
            return out
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out = {}
            for item in value:
                k, sep, v = item.partition("=")
                out[k] = v if sep else None
            return out
        return _wrong(problems, path, "a mapping (KEY: value) or a list of KEY=value", value)

    def schema(self):
        return {"anyOf": [
            {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}},
            {"type": "array", "items": {"type": "string"}}]}


class Field:
    def __init__(self, kind: Kind, doc: str, required: bool = False, example=None):
        self.kind, self.doc, self.required, self.example = kind, doc, required, example


class Obj(Kind):
    """A mapping with known keys. `what` names it in errors ("a step")."""

    def __init__(self, what: str, fields: dict[str, Field], shorthand: Kind | None = None):
        self.what, self.fields, self.shorthand = what, fields, shorthand

    def load(self, value, path, problems):
        if self.shorthand is not None and not isinstance(value, dict):
            return self.shorthand.load(value, path, problems)
        if not isinstance(value, dict):
            return _wrong(problems, path, f"a mapping ({self.what})", value)
        out = {}
        ok = True
        misspelt = set()
        for key, v in value.items():
            field = self.fields.get(key)
            if field is None:
                problems.add(path + (key,), unknown_key(key, self.what, self.fields), key=True)
                misspelt.update(difflib.get_close_matches(str(key), list(self.fields), 1))
                ok = False
                continue
            got = field.kind.load(v, path + (key,), problems)
            ok = ok and got is not INVALID
            out[key] = got
        for key, field in self.fields.items():
            if field.required and key not in value and key not in misspelt:
                problems.add(path, f"{self.what} needs '{key}' ({field.doc})")
                ok = False
        return out if ok else INVALID

    def schema(self):
        s = {"type": "object", "additionalProperties": False,
             "properties": {k: {**f.kind.schema(), "description": f.doc}
                            for k, f in self.fields.items()}}
        required = [k for k, f in self.fields.items() if f.required]
        if required:
            s["required"] = required
        if self.shorthand is not None:
            return {"anyOf": [self.shorthand.schema(), s]}
        return s


def unknown_key(key: str, what: str, known) -> str:
    close = difflib.get_close_matches(str(key), list(known), 1)
    return (f"unknown key '{key}' in {what}"
            + (f" (did you mean '{close[0]}'?)" if close else
               f" (known: {', '.join(known)})"))


# --- check types ------------------------------------------------------------------------

FILE_MATCH = Obj("a file match", {
    "path": Field(Str(), "the file's path (absolute inside a container or image; relative "
                         "to the lesson's work folder for host_file)", required=True),
    "exists": Field(Bool(), "false: the file must not exist (default true)"),
    "contains": Field(OneOrList(Str()), "text the file must contain (each item)"),
    "equals": Field(Str(), "the file's whole content (a trailing newline is ignored)"),
    "matches": Field(Regex(), "a regular expression the content must match (re.search)"),
})


def _choose(doc: str) -> dict[str, Field]:
    """Fields every matching check has: pick by capture, exclude captures, count."""
    return {
        "captured": Field(Name(), f"the {doc} captured under this name by an earlier check"),
        "other_than": Field(OneOrList(Name()), f"not the {doc}(s) captured under these names"),
        "at_least": Field(Int(1), f"at least this many {doc}s must match (default 1)"),
        "count": Field(Int(0), f"exactly this many {doc}s must match"),
    }


STATUSES = ("created", "running", "paused", "restarting", "exited", "dead")

CONTAINER = {
    "name": Field(Str(), "the container's name"),
    **_choose("container"),
    "image": Field(ImageRef(), "made from this image (name, name:tag or ID)"),
    "image_captured": Field(Name(), "made from the image captured under this name"),
    "status": Field(OneOrList(Str(STATUSES)), "its status, or a list of allowed ones"),
    "exit_code": Field(Int(), "the exit code of its main process (exited containers)"),
    "command": Field(Cmd(), "its whole command exactly (entrypoint and arguments)"),
    "command_contains": Field(Str(), "text found in its command line"),
    "env": Field(KeyValues(), "environment variables it was given (KEY: value; null: any "
                              "value)"),
    "labels": Field(KeyValues(), "labels it carries (KEY: value; null: any value)"),
    "memory": Field(Size(), "its memory limit (-m), e.g. 64m"),
    "cpu_shares": Field(Int(0), "its relative CPU weight (--cpu-shares)"),
    "cpu_quota": Field(Int(0), "its CPU quota in microseconds per period (--cpu-quota)"),
    "cpus": Field(Number(), "its CPU limit in CPUs (--cpus)"),
    "restart": Field(Str(("no", "always", "on-failure", "unless-stopped")),
                     "its restart policy"),
    "auto_remove": Field(Bool(), "made with --rm"),
    "tty": Field(Bool(), "has a terminal (-t)"),
    "interactive": Field(Bool(), "keeps its standard input open (-i)"),
    "detached": Field(Bool(), "started in the background (-d): nothing attached"),
    "ports": Field(OneOrList(Str()), "published ports: \"8080:80\", or just the container "
                                     "port \"80\" (any host port)"),
    "networks": Field(OneOrList(Str()), "networks it is connected to"),
    "mounts": Field(OneOrList(Str()), "where something is mounted in it: \"/data\", or "
                                      "\"SOURCE:/data\" (a volume name or host path; a "
                                      "relative path is in the lesson's work folder), "
                                      "\":ro\" or \":rw\" at the end to ask for the mode"),
    "file": Field(OneOrList(FILE_MATCH), "a file in its file system (works stopped too)"),
    "logs_contain": Field(OneOrList(Str()), "text its output (docker logs) contains"),
    "logs_match": Field(OneOrList(Regex()), "regular expressions its output matches "
                                            "(re.search, each item)"),
    "logs_since_step": Field(Bool(), "true: logs_contain and logs_match read only the "
                                     "output written since this step began"),
    "restart_count": Field(Int(0), "how many times its restart policy restarted it"),
    "min_restart_count": Field(Int(0), "at least this many restarts (a restart policy "
                                       "fired)"),
}

IMAGE = {
    "ref": Field(ImageRef(), "the image's name, name:tag or ID"),
    **_choose("image"),
    "made_by": Field(Str(("commit", "build", "pull")),
                     "how it was made: docker commit, docker build, or pulled/made offline"),
    "from_container": Field(Str(), "committed from this container (name or ID)"),
    "from_captured": Field(Name(), "committed from the container captured under this name"),
    "parent": Field(ImageRef(), "made on top of this image (commit or build)"),
    "tags": Field(OneOrList(ImageRef()), "names that must all point at it (name or "
                                         "name:tag)"),
    "untagged": Field(Bool(), "true: it has no name at all (<none> in docker images)"),
    "cmd": Field(Cmd(), "its default command (CMD)"),
    "entrypoint": Field(Cmd(), "its entrypoint (ENTRYPOINT)"),
    "env": Field(KeyValues(), "environment variables in its config"),
    "workdir": Field(Str(), "its working directory (WORKDIR)"),
    "user": Field(Str(), "the user it runs as (USER)"),
    "exposed_ports": Field(OneOrList(Str()), "ports it exposes (\"80\" means 80/tcp)"),
    "labels": Field(KeyValues(), "labels in its config"),
    "file": Field(OneOrList(FILE_MATCH), "a file in its layers"),
    "layers": Field(Int(0), "exactly this many layers"),
    "min_layers": Field(Int(0), "at least this many layers"),
    "history": Field(OneOrList(Str()), "text found in its history (CREATED BY), each item "
                                       "in some entry"),
}

NETWORK = {
    "name": Field(Str(), "the network's name"),
    **_choose("network"),
    "driver": Field(Str(), "its driver (bridge, host, null)"),
    "subnet": Field(Str(), "its subnet, e.g. 172.18.0.0/16"),
    "members": Field(OneOrList(Str()), "containers connected to it (names)"),
}

VOLUME = {
    "name": Field(Str(), "the volume's name"),
    **_choose("volume"),
    "anonymous": Field(Bool(), "true: made without a name (-v /path, a VOLUME of the "
                               "image), named by a long hex ID; false: a named volume"),
    "used_by": Field(OneOrList(Str()), "containers that mount it, running or stopped "
                                       "(names)"),
    "file": Field(OneOrList(FILE_MATCH), "a file stored in it (path inside the volume)"),
}

PORT = {
    "container": Field(Str(), "the container (name or ID) whose port it is"),
    "captured": Field(Name(), "the container captured under this name"),
    "container_port": Field(Port(), "the port inside the container, e.g. 80 or 80/tcp"),
    "host_port": Field(Int(1), "the port on the host (default: the one it is published on)"),
    "send": Field(Str(), "text to send once connected"),
    "answers": Field(OneOrList(Str()), "text the answer must contain"),
    "answers_match": Field(Regex(), "a regular expression the answer must match "
                                    "(re.search)"),
    "http_status": Field(Int(100), "the HTTP status the answer must give (without "
                                   "send, a GET / request is sent)"),
    "timeout": Field(Number(), "seconds to wait for the answer (default 2)"),
}

EXEC = {
    "container": Field(Str(), "the running container (name or ID)"),
    "captured": Field(Name(), "the container captured under this name"),
    "command": Field(Cmd(), "the command to run inside (text is split like a shell "
                            "would; use sh -c for pipes)", required=True),
    "status": Field(Int(), "the exit status it must give (default 0)"),
    "output": Field(OneOrList(Str()), "text its output must contain"),
    "output_equals": Field(Str(), "its whole output (surrounding blanks ignored)"),
}

TYPED = {
    "docker": Field(Str(), "the docker command, as any of its names: \"ps\", \"container "
                           "ls\", \"images\""),
    "flags": Field(OneOrList(Str()), "long names of options it must have been given "
                                     "(\"all\" for -a)"),
    "args": Field(OneOrList(Str()), "arguments it must have been given"),
    "matches": Field(Regex(), "a regular expression the typed line must match"),
    "status": Field(Int(), "the exit status it must have given"),
}


class CheckType:
    def __init__(self, name: str, summary: str, fields: dict[str, Field],
                 capturable: bool = False):
        self.name, self.summary, self.fields = name, summary, fields
        self.capturable = capturable
        self.body = Obj(f"a '{name}' check", fields)


CHECK_TYPES = {t.name: t for t in (
    CheckType("container", "a container exists that matches every field given", CONTAINER,
              capturable=True),
    CheckType("image", "an image exists that matches every field given", IMAGE,
              capturable=True),
    CheckType("network", "a network exists that matches every field given", NETWORK,
              capturable=True),
    CheckType("volume", "a volume exists that matches every field given", VOLUME,
              capturable=True),
    CheckType("port", "a published port answers", PORT),
    CheckType("exec", "a command run inside a running container gives the output or "
                      "status given", EXEC),
    CheckType("host_file", "a file in the lesson's work folder (on the host)",
              FILE_MATCH.fields),
    CheckType("typed", "the learner typed a matching command during this step (a last "
                       "resort: for steps that only look at something)", TYPED),
)}
COMBINATORS = ("all", "any", "not")
CHECK_KEYS = tuple(CHECK_TYPES) + COMBINATORS
COMMON = {
    "message": Field(Str(), "what the learner sees while the check fails: say what is "
                            "missing, not how to do it"),
    "capture": Field(Name(), "remember the matched object under this name for later checks "
                             "(container, image, network, volume)"),
}


class CheckKind(Kind):
    """A check: one check type (or all/any/not) plus message and capture."""

    def load(self, value, path, problems):
        if not isinstance(value, dict):
            return _wrong(problems, path, "a check (a mapping such as container: {...})",
                          value)
        types = [k for k in value if k in CHECK_KEYS]
        others = [k for k in value if k not in CHECK_KEYS and k not in COMMON]
        for k in others:
            problems.add(path + (k,), unknown_key(k, "a check", CHECK_KEYS + tuple(COMMON)),
                         key=True)
        if not types:
            if not others:
                problems.add(path, f"a check needs a type: one of {', '.join(CHECK_KEYS)}")
            return INVALID
        if len(types) > 1:
            problems.add(path + (types[1],), f"a check has one type, this one has "
                         f"'{types[0]}' and '{types[1]}': list them as separate checks "
                         "(or under all:)", key=True)
            return INVALID
        kind = types[0]
        message = COMMON["message"].kind.load(value["message"], path + ("message",),
                                              problems) if "message" in value else None
        capture = None
        if "capture" in value:
            if kind not in CHECK_TYPES or not CHECK_TYPES[kind].capturable:
                problems.add(path + ("capture",), f"'{kind}' checks cannot capture anything "
                             "(container, image, network and volume checks can)", key=True)
                return INVALID
            capture = COMMON["capture"].kind.load(value["capture"], path + ("capture",),
                                                  problems)
        line, col = problems.source.where(path)
        check = Check(kind, message=message, capture=capture,
                      where=(str(problems.source.path), line, col), path=path)
        body = value[kind]
        if kind in ("all", "any"):
            children = ListOf(self, min_items=1).load(body, path + (kind,), problems)
            if children is INVALID:
                return INVALID
            check.children = children
        elif kind == "not":
            child = self.load(body, path + (kind,), problems)
            if child is INVALID:
                return INVALID
            check.children = [child]
        else:
            spec = CHECK_TYPES[kind].body.load({} if body is None else body, path + (kind,),
                                               problems)
            if spec is INVALID:
                return INVALID
            check.spec = spec
        if others or message is INVALID or capture is INVALID:
            return INVALID
        return check

    def schema(self):
        return {"$ref": "#/$defs/check"}


def check_schema() -> dict:
    props = {k: {**f.kind.schema(), "description": f.doc} for k, f in COMMON.items()}
    for name, t in CHECK_TYPES.items():
        props[name] = {"$ref": f"#/$defs/{name}", "description": t.summary}
    props["all"] = {"type": "array", "items": {"$ref": "#/$defs/check"}, "minItems": 1,
                    "description": "every check in the list passes"}
    props["any"] = {"type": "array", "items": {"$ref": "#/$defs/check"}, "minItems": 1,
                    "description": "at least one check in the list passes"}
    props["not"] = {"$ref": "#/$defs/check", "description": "the check fails"}
    return {"type": "object", "additionalProperties": False, "properties": props,
            "oneOf": [{"required": [k]} for k in CHECK_KEYS]}


# --- lessons, steps, commands -------------------------------------------------------------

class CommandKind(Obj):
    """A command to run: a line, or {run, input, status}. Loaded as a model.Command."""

    def __init__(self):
        super().__init__("a command", {
            "run": Field(Str(), "the command line", required=True),
            "input": Field(Str(), "what is typed into it once it runs: a container shell's "
                                  "commands, or \"\\x10\\x11\" for Ctrl-P Ctrl-Q"),
            "status": Field(Int(), "the exit status it must give (default 0)"),
        }, shorthand=Str())

    def load(self, value, path, problems):
        got = super().load(value, path, problems)
        if got is INVALID:
            return INVALID
        if isinstance(got, str):
            return Command(got)
        return Command(got["run"], got.get("input"), got.get("status", 0))


COMMANDS = ListOf(CommandKind())
STEP_ID = Str(pattern=NAME_PATTERN, hint=NAME_HINT)

STEP = Obj("a step", {
    "id": Field(STEP_ID, "the step's id, unique in the lesson", required=True),
    "title": Field(Str(), "a short title, shown in the prompt", required=True),
    "text": Field(Str(), "what to do, in Markdown", required=True),
    "hints": Field(ListOf(Str()), "hints, shown one at a time, gentlest first"),
    "checks": Field(ListOf(CheckKind(), min_items=1),
                    "what must be true for the step to pass (all of them)", required=True),
    "solve": Field(ListOf(CommandKind(), min_items=1),
                   "the commands that solve the step: the solution, and what `lessons "
                   "test` runs", required=True),
    "explain": Field(Str(), "what just happened, shown with the ✓ when the step passes",
                     required=True),
    "setup": Field(COMMANDS, "commands run when the step begins"),
    "cleanup": Field(COMMANDS, "commands run when the step is done"),
    "may_pass_before": Field(Str(), "why the checks may already pass before the solution "
                                    "runs (skips that part of `lessons test`)"),
    "timeout": Field(Number(), "seconds `lessons test` waits for the checks to pass after "
                               "the solution (default 10)"),
})

FILE_ENTRY = Obj("a work-folder file", {
    "from": Field(Str(), "a file next to the lesson to copy", required=True),
}, shorthand=Str())

class FilesKind(Kind):
    """Work-folder files: relative path -> text, or {from: file next to the lesson}."""

    def load(self, value, path, problems):
        if not isinstance(value, dict):
            return _wrong(problems, path, "a mapping (file name: content)", value)
        out = {}
        for name, entry in value.items():
            if name.startswith("/") or ".." in name.split("/"):
                problems.add(path + (name,), f"'{name}' must be a path inside the work "
                                             "folder (relative, without ..)", key=True)
                out[name] = INVALID
                continue
            out[name] = FILE_ENTRY.load(entry, path + (name,), problems)
        return INVALID if any(v is INVALID for v in out.values()) else out

    def schema(self):
        return {"type": "object", "additionalProperties": FILE_ENTRY.schema()}


LESSON = Obj("a lesson", {
    "format": Field(Int(), f"the lesson format version: {FORMAT}", required=True),
    "id": Field(STEP_ID, "the lesson's id, unique in the course (lesson start ID)",
                required=True),
    "title": Field(Str(), "the lesson's title", required=True),
    "chapter": Field(Str(), "the course sections it covers and their title (\"2-5 Exposing "
                     "ports\", \"3-1 to 3-3 Dockerfiles\"): `lessons` lists it under "
                     "their chapters", required=True),
    "summary": Field(Str(), "one or two sentences for the list of lessons", required=True),
    "images": Field(ListOf(Str()), "images it needs, made or checked before it starts"),
    "files": Field(FilesKind(), "files for its work folder"),
    "steps": Field(ListOf(STEP, min_items=1), "the steps, in order", required=True),
    "recap": Field(Str(), "what the lesson taught, in Markdown, shown at the end",
                   required=True),
    "explore": Field(ListOf(Str(), min_items=1), "things to try freely afterwards",
                     required=True),
})


def schema() -> dict:
    """The JSON Schema of the format (content/lesson.schema.json is this, written out)."""
    defs = {"check": check_schema()}
    for name, t in CHECK_TYPES.items():
        defs[name] = t.body.schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dockerlings.dev/lesson.schema.json",
        "title": "dockerlings lesson",
        "description": "One lesson of a dockerlings course (see docs/authoring.md).",
        **LESSON.schema(),
        "$defs": defs,
    }
