"""The names and host ports a lesson will take, and what already holds them.

A lesson's steps make containers, networks, volumes and images under names of their own
and publish host ports; a container named `web` left by an earlier lesson (or made by
the learner) would make a step fail with "name already in use", a port held by one
would fail its `-p`, and a leftover that looks right could pass a step before the
learner did anything. So before a lesson begins, its steps' commands (setup and solve,
as the docker command line reads them) say what it will take, and whatever holds any
of it now is offered for removal, saying whose it is.
"""
from __future__ import annotations

import shlex
from collections import namedtuple

from engine.errors import EngineError

from .cleanup import lesson_of

Claim = namedtuple("Claim", "kind name")          # container | network | volume | image | port
Holder = namedtuple("Holder", "claim kind oid what whose")   # kind/oid: what to remove, or
                                                             # kind "outside" (cannot)
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "$(", "`"}


def of_lesson(lesson, parse) -> list[Claim]:
    """Everything the lesson's commands will make under a name, and the host ports they
    publish, in order, each once."""
    out: list[Claim] = []
    for step in lesson.steps:
        for cmd in list(step.setup) + list(step.solve):
            for words in _docker_commands(cmd.line):
                for claim in _claims(words, parse):
                    if claim not in out:
                        out.append(claim)
    return out


def _docker_commands(line: str) -> list[list[str]]:
    """The argument words of each `docker …` in a shell line (pipelines, lists)."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()`$")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return []
    commands, current = [], []
    for token in tokens + [";"]:
        if token in SEPARATORS or set(token) <= set(";&|()`$"):
            if current and current[0] == "docker":
                commands.append(current[1:])
            current = []
        else:
            current.append(token)
    return commands


def _claims(words: list[str], parse) -> list[Claim]:
    try:
        inv = parse(words)
    except Exception:               # not a command line the docker parser takes
        return []
    path = tuple(getattr(getattr(inv, "command", None), "path", ()) or ())
    opts, args = getattr(inv, "opts", {}), getattr(inv, "args", [])
    out = []
    if path in (("container", "run"), ("container", "create")):
        if opts.get("name"):
            out.append(Claim("container", opts["name"]))
        for spec in opts.get("volume") or ():
            source = spec.split(":")[0]
            if ":" in spec and source and "/" not in source and not source.startswith("."):
                out.append(Claim("volume", source))
        for spec in opts.get("publish") or ():
            host = spec.rsplit("/", 1)[0].split(":")
            if len(host) >= 2 and host[-2].isdigit():
                out.append(Claim("port", host[-2]))
    elif path == ("container", "rename") and len(args) == 2:
        out.append(Claim("container", args[1]))
    elif path in (("network", "create"), ("volume", "create")) and args:
        out.append(Claim(path[0], args[0]))
    elif path == ("image", "build"):
        out += [Claim("image", t) for t in opts.get("tag") or ()]
    elif path == ("container", "commit") and len(args) == 2:
        out.append(Claim("image", args[1]))
    elif path == ("image", "tag") and len(args) == 2:
        out.append(Claim("image", args[1]))
    return out


# --- what holds them now ---------------------------------------------------------------

def holders(engine, claims: list[Claim], lesson_id: str) -> list[Holder]:
    owners = _owners(engine)

    def whose(kind: str, oid: str) -> str:
        owner = owners.get((kind, oid))
        if owner is None:
            return "your own"
        if lesson_of(owner) == lesson_id:
            return "left by an earlier run of this lesson"
        return f"made in lesson {lesson_of(owner)}"

    out: list[Holder] = []
    containers = engine.containers(all=True)
    for claim in claims:
        found = _holder(engine, claim, containers, whose)
        if found is not None and all((h.kind, h.oid) != (found.kind, found.oid)
                                     for h in out):
            out.append(found)
    return out


def _holder(engine, claim: Claim, containers, whose) -> Holder | None:
    if claim.kind == "container":
        c = next((c for c in containers if c.name == claim.name), None)
        return c and Holder(claim, "container", c.id, f"container {c.name}",
                            whose("container", c.id))
    if claim.kind == "network":
        n = next((n for n in _listing(engine, "networks") if n.get("Name") == claim.name),
                 None)
        return n and Holder(claim, "network", n["Id"], f"network {claim.name}",
                            whose("network", n["Id"]))
    if claim.kind == "volume":
        v = next((v for v in _listing(engine, "volumes") if v.get("Name") == claim.name),
                 None)
        return v and Holder(claim, "volume", claim.name, f"volume {claim.name}",
                            whose("volume", claim.name))
    if claim.kind == "image":
        try:
            img = engine.get_image(claim.name)
        except EngineError:
            return None
        return Holder(claim, "image", claim.name, f"image {claim.name}",
                      whose("image", img.id))
    return _port_holder(engine, claim, containers, whose)


def _port_holder(engine, claim: Claim, containers, whose) -> Holder | None:
    port = int(claim.name)
    for c in containers:
        if not c.state.running:
            continue
        for _, bindings in c.host.port_bindings or ():
            if any(str(b.host_port) == claim.name for b in bindings or ()):
                return Holder(claim, "container", c.id,
                              f"container {c.name} (it publishes port {port})",
                              whose("container", c.id))
    from .holders import port_holder
    outside = port_holder(port)
    return outside and Holder(claim, "outside", "", f"port {port}",
                              f"held by {outside}, outside this engine")


def remove(engine, found: list[Holder]) -> tuple[list[str], list[str]]:
    """Remove what can be removed: containers first, then what they held. Returns (what
    went, what stays and why), in words."""
    order = {"container": 0, "image": 1, "network": 2, "volume": 3}
    gone, left = [], []
    for h in sorted(found, key=lambda h: order.get(h.kind, 9)):
        if h.kind == "outside":
            left.append(f"{h.what} ({h.whose})")
            continue
        try:
            {"container": lambda: engine.remove(h.oid, force=True),
             "image": lambda: engine.remove_image(h.oid),
             "network": lambda: engine.remove_network(h.oid),
             "volume": lambda: engine.remove_volume(h.oid)}[h.kind]()
            gone.append(h.what.split(" (")[0])
        except EngineError as e:
            left.append(f"{h.what} ({e})")
    return gone, left


def _owners(engine) -> dict:
    read = getattr(engine, "owners", None)
    try:
        return read() if callable(read) else {}
    except (EngineError, OSError):
        return {}


def _listing(engine, name: str) -> list[dict]:
    listing = getattr(engine, name, None)
    try:
        return list(listing()) if callable(listing) else []
    except (EngineError, OSError):
        return []
