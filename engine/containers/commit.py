"""Containers back to images: `docker diff` and `docker commit`.

Both read the container's upper (writable) directory, which holds exactly what the
container changed: new and modified files, overlay's whiteouts for deletions and
opaque markers for replaced directories. Mount points the engine bind-mounts (volumes,
/etc/hosts ...) never land there, so they never enter an image.
"""
from __future__ import annotations

import json
import os
import stat

from ..images import reference
from ..util import timeutil
from ..errors import InvalidParameter, InvalidReference
from ..supervisor.launch import merge_env
from ..store import lock
from ..store.archive import HashingWriter, is_opaque, is_whiteout
from ..store.containers import Container

# Dockerfile instructions `docker commit --change` accepts
CHANGE_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER",
                       "VOLUME", "WORKDIR", "STOPSIGNAL")


def _in_lower(lowers: list[str], rel: str) -> bool:
    return any(os.path.lexists(os.path.join(d, rel)) for d in lowers)


def diff(engine, c: Container) -> list[tuple[str, str]]:
    """[("A"|"C"|"D", "/path")] sorted by path, as `docker diff` prints them."""
    upper = str(engine.paths.container(c.id) / "upper")
    lowers = [str(engine.layers.diff_dir(l)) for l in reversed(c.layers)]
    out: list[tuple[str, str]] = []

    def walk(rel_dir: str, parent_opaque: bool) -> None:
        base = os.path.join(upper, rel_dir)
        for name in sorted(os.listdir(base)):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            path = os.path.join(base, name)
            st = os.lstat(path)
            if is_whiteout(st):
                out.append(("D", "/" + rel))
                continue
            existed = not parent_opaque and _in_lower(lowers, rel)
            out.append(("C" if existed else "A", "/" + rel))
            if stat.S_ISDIR(st.st_mode):
                walk(rel, parent_opaque or is_opaque(path))
    if os.path.isdir(upper):
        walk("", False)
    return sorted(out, key=lambda x: x[1])


# --- commit --------------------------------------------------------------------------

def parse_changes(changes: list[str]) -> dict:
    """`--change 'CMD ["sh"]'` lines -> a partial image config."""
    cfg: dict = {}
    for line in changes:
        word, _, rest = line.strip().partition(" ")
        inst = word.upper()
        rest = rest.strip()
        if inst not in CHANGE_INSTRUCTIONS:
            raise InvalidParameter(f"{word} is not a valid change command")
        if inst in ("CMD", "ENTRYPOINT"):
            cfg["Cmd" if inst == "CMD" else "Entrypoint"] = _exec_or_shell(rest)
        elif inst == "ENV":
            cfg.setdefault("Env", []).extend(_key_values(rest, inst))
        elif inst == "LABEL":
            for kv in _key_values(rest, inst):
                k, _, v = kv.partition("=")
                cfg.setdefault("Labels", {})[k] = v
        elif inst == "EXPOSE":
            for p in rest.split():
                cfg.setdefault("ExposedPorts", {})[p if "/" in p else p + "/tcp"] = {}
        elif inst == "VOLUME":
            vols = _json_list(rest) or rest.split()
            for v in vols:
                cfg.setdefault("Volumes", {})[v] = {}
        elif inst == "WORKDIR":
            cfg["WorkingDir"] = rest
        elif inst == "USER":
            cfg["User"] = rest
        elif inst == "STOPSIGNAL":
            cfg["StopSignal"] = rest
        elif inst == "ONBUILD":
            cfg.setdefault("OnBuild", []).append(rest)
    return cfg


def _json_list(text: str):
    if text.startswith("["):
        try:
            v = json.loads(text)
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                return v
        except ValueError:
            pass
    return None


def _exec_or_shell(text: str) -> list[str]:
    as_list = _json_list(text)
    return as_list if as_list is not None else ["/bin/sh", "-c", text]


def _key_values(text: str, inst: str) -> list[str]:
    import shlex
    words = shlex.split(text)
    if words and "=" not in words[0]:          # legacy form: ENV KEY value with spaces
        if len(words) < 2:
            raise InvalidParameter(f"{inst} requires at least one argument" if not words else
                                   f"{inst} names can not be blank" if not words[0] else
                                   f"{inst} must have two arguments")
        return [f"{words[0]}={text.split(None, 1)[1].strip()}"]
    out = []
    for w in words:
        if "=" not in w:
            raise InvalidParameter(f"Syntax error - can't find = in \"{w}\". Must be of the "
                                   "form: name=value")
        out.append(w)
    return out


def _image_run_config(c: Container, changes: dict) -> dict:
    """The new image's config: the container's (as Docker takes it), then --change."""
    cc = c.config
    cfg = {
        "Env": list(cc.env) or None,
        "Cmd": list(cc.cmd) if cc.cmd else None,
        "Entrypoint": list(cc.entrypoint) if cc.entrypoint else None,
        "WorkingDir": cc.working_dir or None,
        "User": cc.user or None,
        "ExposedPorts": {p: {} for p in cc.exposed_ports} or None,
        "Volumes": {v: {} for v in cc.volumes} or None,
        "Labels": dict(cc.labels) or None,
        "StopSignal": cc.stop_signal,
        "OnBuild": list(cc.on_build) if cc.on_build else None,
    }
    for k, v in changes.items():
        if k == "Env":
            cfg["Env"] = merge_env(cfg["Env"] or [], v)
        elif k in ("Labels", "ExposedPorts", "Volumes"):
            cfg[k] = {**(cfg[k] or {}), **v}
        elif k == "Entrypoint" and "Cmd" not in changes:
            cfg["Entrypoint"] = v
            cfg["Cmd"] = None     # a new entrypoint drops the old default arguments
        else:
            cfg[k] = v
    return {k: v for k, v in cfg.items() if v not in (None, [], {}, "")}


def commit(engine, c: Container, repo_tag: str | None, message: str = "", author: str = "",
           changes: list[str] | None = None, pause: bool = True) -> str:
    """Make an image of the container's current file system; returns its ID."""
    ref = None
    if repo_tag:
        try:
            ref = reference.parse(repo_tag)
        except InvalidReference:
            raise
        if ref.digest:
            raise InvalidReference("refusing to create a tag with a digest reference")
    change_cfg = parse_changes(changes or [])
    base = engine.images.get(c.image_id) if engine.images.exists(c.image_id) else None
    paused_here = False
    if pause and c.state.status == "running":
        paused_here = engine.pause(c.id, owner=os.getpid())
    try:
        layer, blob = layer_from_dir(engine, c.layers[-1] if c.layers else None,
                                     engine.paths.container(c.id) / "upper", _excluded(c))
    finally:
        if paused_here:
            engine.unpause(c.id)
    created = timeutil.now()
    base_cfg = base.config if base else {"architecture": "amd64", "os": "linux"}
    entry = {"created": created, "created_by": _created_by(c)}
    if author:
        entry["author"] = author
    if message:
        entry["comment"] = message
    history = list(base_cfg.get("history") or []) + [entry]
    config = {
        "architecture": base_cfg.get("architecture", "amd64"),
        **({"author": author} if author else {}),
        "config": _image_run_config(c, change_cfg),
        "container": c.id,
        "created": created,
        "history": history,
        "os": base_cfg.get("os", "linux"),
        "rootfs": {"type": "layers",
                   "diff_ids": list((base_cfg.get("rootfs") or {}).get("diff_ids") or []) +
                   [layer.diff_id]},
    }
    layer_blobs = _base_layer_blobs(engine, base) + [blob]
    layers = [engine.layers.get(l) for l in c.layers] + [layer]
    with lock.locked(engine.paths.lock):
        img = engine.images.create(config, layers, layer_blobs, parent=c.image_id if base else None)
        if ref is not None:
            engine.images.set_ref(str(ref), img.id)
    from ..system import events  # as moby's commit: the container's event, the image named
    events.of_container(engine.paths.root, "commit", c, comment=message, imageID=img.id,
                        imageRef=img.id)
    return img.id


def layer_from_dir(engine, parent_chain: str | None, upper, exclude=frozenset()):
    """A new layer on top of `parent_chain` holding what the overlay upper directory
    `upper` holds (a container's changes, or a build step's), and its tar blob.
    Returns (Layer, blob digest); the build uses it for RUN, COPY, ADD and WORKDIR."""
    tmp = engine.images.new_blob_file()
    try:
        with open(tmp, "wb") as f:
            writer = HashingWriter(f)
            layer = engine.layers.add_from_upper(parent_chain, upper, writer,
                                                 exclude=exclude)
        engine.images.adopt_blob_file(tmp, writer.digest)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return layer, writer.digest


def _created_by(c: Container) -> str:
    """Docker records the container's Cmd, joined with spaces."""
    return " ".join(c.config.cmd or ())


def _excluded(c: Container) -> frozenset[str]:
    """Mount points inside the container whose content is not the container's own."""
    return frozenset(m.get("Destination", "").strip("/") for m in c.mounts
                     if m.get("Destination"))


def _base_layer_blobs(engine, base) -> list[str]:
    if base is None:
        return []
    with open(engine.images.blob_path(base.manifest), "rb") as f:
        manifest = json.loads(f.read())
    return [l["digest"] for l in manifest["layers"]]
