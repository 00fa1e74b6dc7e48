"""A fake engine for lesson tests: the Engine facade's read side over records built in a
temporary folder, with real layer directories so file checks read real files. No root,
no containers: each test states the world it needs."""
from __future__ import annotations

import json
import os
from pathlib import Path

from engine.util import timeutil
from engine.config import ContainerConfig, HostConfig
from engine.errors import NoSuchContainer, NoSuchImage
from engine.paths import Paths
from engine.store.containers import Container, State
from engine.store.images import Image
from engine.store.layers import LayerStore

_counter = [0]


def new_id() -> str:
    _counter[0] += 1
    return f"{_counter[0]:064x}"


def write_tree(root: Path, files: dict) -> None:
    """files: path -> text (bytes too); None makes a whiteout, "->target" a symlink."""
    for path, content in files.items():
        full = root / path.lstrip("/")
        full.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            os.mknod(full, 0o600 | 0o020000, os.makedev(0, 0)) if os.geteuid() == 0 else \
                full.write_text("")            # a whiteout needs root; tests that use it skip
        elif isinstance(content, str) and content.startswith("->"):
            os.symlink(content[2:], full)
        else:
            full.write_bytes(content if isinstance(content, bytes) else content.encode())


class FakeEngine:
    def __init__(self, root: Path):
        self.paths = Paths(Path(root), Path(root) / "run")
        self.paths.ensure()
        self.layers = LayerStore(self.paths)
        self._containers: list[Container] = []
        self._images: list[Image] = []
        self.net_list = None        # set to a list of dicts to give the engine networks
        self.vol_list = None
        self.port_map: dict[str, list] = {}
        self.made: list[str] = []
        self.owner = None           # who new objects are made for (Engine.owner)
        self.owned: dict[tuple[str, str], str] = {}

    # --- the facade, read side ------------------------------------------------------------
    def containers(self, all: bool = True) -> list[Container]:
        out = sorted(self._containers, key=lambda c: c.created, reverse=True)
        return out if all else [c for c in out if c.state.running]

    def container(self, ref: str) -> Container:
        for c in self._containers:
            if ref in (c.id, c.name) or (len(ref) >= 3 and c.id.startswith(ref)):
                return c
        raise NoSuchContainer(ref)

    def list_images(self) -> list[Image]:
        return list(self._images)

    def get_image(self, ref: str) -> Image:
        from engine.images import reference
        for img in self._images:
            if ref in (img.id, img.id[7:]) or img.id[7:].startswith(ref) and len(ref) >= 4:
                return img
            try:
                if reference.parse(ref).familiar() in img.repo_tags:
                    return img
            except Exception:
                pass
        raise NoSuchImage(ref)

    def ensure_image(self, ref: str) -> Image:
        try:
            return self.get_image(ref)
        except NoSuchImage:
            self.made.append(ref)
            return self.add_image([ref])

    def log_path(self, cid: str) -> Path:
        return self.paths.container(cid) / f"{cid}-json.log"

    def ports(self, cid: str, private=None):
        return list(self.port_map.get(cid, []))

    def owners(self) -> dict:
        return dict(self.owned)

    def _note(self, kind: str, oid: str, owner: str | None) -> None:
        owner = owner or self.owner
        if owner:
            self.owned[(kind, oid)] = owner

    def networks(self):
        return self.net_list or []

    def volumes(self):
        return self.vol_list or []

    # --- the facade, write side (what a reset uses) ------------------------------------------
    def remove(self, ref: str, force: bool = False) -> Container:
        c = self.container(ref)
        self._containers.remove(c)
        self.owned.pop(("container", c.id), None)
        return c

    def remove_network(self, ref: str):
        for n in self.net_list or []:
            if ref in (n.get("Id"), n.get("Name")):
                self.net_list.remove(n)
                self.owned.pop(("network", n.get("Id")), None)
                return n
        raise NoSuchContainer(ref)

    def remove_image(self, ref: str, force: bool = False):
        img = self.get_image(ref)
        self._images.remove(img)
        self.owned.pop(("image", img.id), None)
        return [("Deleted", img.id)]

    def remove_volume(self, name: str, force: bool = False):
        for v in self.vol_list or []:
            if v.get("Name") == name:
                self.vol_list.remove(v)
                self.owned.pop(("volume", name), None)
                return
        raise NoSuchContainer(name)

    def add_network(self, name: str, owner: str | None = None) -> dict:
        net = {"Name": name, "Id": new_id(), "Labels": {}, "Driver": "bridge"}
        self.net_list = (self.net_list or []) + [net]
        self._note("network", net["Id"], owner)
        return net

    def add_volume(self, name: str, owner: str | None = None) -> dict:
        vol = {"Name": name, "Labels": {}, "Driver": "local", "Mountpoint": ""}
        self.vol_list = (self.vol_list or []) + [vol]
        self._note("volume", name, owner)
        return vol

    # --- making a world ------------------------------------------------------------------------
    def add_image(self, tags=(), files: dict | None = None, config: dict | None = None,
                  history=None, parent: Image | None = None, container_id: str | None = None,
                  created: str | None = None, owner: str | None = None) -> Image:
        layer = "sha256:" + new_id()
        diff = self.layers.diff_dir(layer)
        diff.mkdir(parents=True)
        write_tree(diff, files or {})
        layers = (list(parent.layers) if parent else []) + [layer]
        cfg = {"config": config or {}, "created": created or timeutil.now(),
               "history": history if history is not None else
               [{"created_by": "/bin/sh -c #(nop) ADD file:x in / "}]}
        if container_id:
            cfg["container"] = container_id
        img = Image("sha256:" + new_id(), cfg, parent.id if parent else None, layers, 100, "",
                    [_familiar(t) for t in tags])
        self._images.append(img)
        self._note("image", img.id, owner)
        return img

    def add_container(self, name: str, image: Image | None = None, status: str = "exited",
                      exit_code: int = 0, cmd=("sh",), files: dict | None = None,
                      logs: str = "", networks: dict | None = None, mounts: list | None = None,
                      created: str | None = None, owner: str | None = None,
                      **settings) -> Container:
        image = image or self.ensure_image("busybox")
        config_fields = set(ContainerConfig._fields)
        config = ContainerConfig(image=(image.repo_tags or [image.id])[0], cmd=tuple(cmd),
                                 **{k: v for k, v in settings.items() if k in config_fields})
        host = HostConfig(**{k: v for k, v in settings.items() if k not in config_fields})
        cid = new_id()
        c = Container(cid, name, created or timeutil.now(), cmd[0], list(cmd[1:]), config, host,
                      image.id, list(image.layers),
                      State(status=status, exit_code=exit_code), networks, mounts)
        d = self.paths.container(cid)
        (d / "upper").mkdir(parents=True)
        write_tree(d / "upper", files or {})
        if logs:
            with open(self.log_path(cid), "w") as f:
                for line in logs.splitlines(keepends=True):
                    f.write(json.dumps({"log": line, "stream": "stdout",
                                        "time": timeutil.now()}) + "\n")
        self._containers.append(c)
        self._note("container", cid, owner)
        return c


def _familiar(tag: str) -> str:
    from engine.images import reference
    return reference.parse(tag).familiar()


__all__ = ["FakeEngine", "write_tree"]


class _Source:
    """Where a check loaded by check() "comes from": every error points at t.yaml:1:1."""
    path = Path("t.yaml")

    def where(self, path, key=False):
        return (1, 1)

    def error(self, path, message, key=False):
        from lessons.source import LessonError
        return LessonError("t.yaml", 1, 1, message)


def check(text: str):
    """A lesson check from its YAML text, as a lesson file would give it."""
    import yaml

    from lessons import format as fmt
    problems = fmt.Problems(_Source())
    c = fmt.CheckKind().load(yaml.safe_load(text), (), problems)
    assert not problems.errors, problems.errors
    return c
