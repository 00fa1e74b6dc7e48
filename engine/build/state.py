"""What a build stage is after each step: an image in the making.

A State is the image config being built (Docker's `config` keys: Env, Cmd,
Entrypoint, WorkingDir, User, ...), its history and layers, and the cache key that
names it. Instructions that only change the config make a new State at no cost; RUN,
COPY, ADD and WORKDIR add a layer. `snapshot` stores a State as a real image for a
moment, so a RUN can create its container from it through the engine's own API.
"""
from __future__ import annotations

import copy
import json

from ..util import timeutil
from ..store import lock
from ..store.images import digest_of

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HISTORY_COMMENT = "buildkit.dockerfile.v0"
# the config keys in Docker's order; what is empty is left out of the image
CONFIG_KEYS = ("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
               "Labels", "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell")
# what a RUN's container must not inherit: a volume would swallow what the step writes
# there, a health check would run beside it
NOT_FOR_RUN = ("Volumes", "Healthcheck")


class State:
    def __init__(self, key: str, config: dict | None = None, history: list | None = None,
                 diff_ids: list | None = None, layers: list | None = None,
                 blobs: list | None = None, arch: str = "amd64", os_name: str = "linux",
                 author: str = "", image_id: str | None = None):
        self.key = key
        self.config = config if config is not None else {}
        self.history = history or []
        self.diff_ids, self.layers, self.blobs = diff_ids or [], layers or [], blobs or []
        self.arch, self.os, self.author = arch, os_name, author
        self.image_id = image_id      # set while the state is exactly this stored image
        self.cmd_set = False          # CMD given in this stage (ENTRYPOINT then keeps it)

    @classmethod
    def scratch(cls, key: str) -> "State":
        # BuildKit's empty image: a PATH, and / as the working directory
        return cls(key, {"Env": [DEFAULT_PATH], "WorkingDir": "/"})

    @classmethod
    def of_image(cls, engine, img, key: str) -> "State":
        cfg = img.config
        return cls(key, copy.deepcopy(img.run_config), copy.deepcopy(img.history),
                   list(img.diff_ids), list(img.layers), _layer_blobs(engine, img),
                   cfg.get("architecture", "amd64"), cfg.get("os", "linux"),
                   cfg.get("author", ""), img.id)

    def child(self, key: str) -> "State":
        s = State(key, copy.deepcopy(self.config), list(self.history), list(self.diff_ids),
                  list(self.layers), list(self.blobs), self.arch, self.os, self.author)
        s.cmd_set = self.cmd_set
        return s

    # --- the config --------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        out = {}
        for kv in self.config.get("Env") or []:
            k, _, v = kv.partition("=")
            out[k] = v
        return out

    def set_env(self, key: str, value: str) -> None:
        env = list(self.config.get("Env") or [])
        for i, kv in enumerate(env):
            if kv.partition("=")[0] == key:
                env[i] = f"{key}={value}"
                break
        else:
            env.append(f"{key}={value}")
        self.config["Env"] = env

    def shell(self) -> list[str]:
        return list(self.config.get("Shell") or ["/bin/sh", "-c"])

    @property
    def workdir(self) -> str:
        return self.config.get("WorkingDir") or "/"

    @property
    def user(self) -> str:
        return self.config.get("User") or ""

    def add_history(self, created_by: str, created: str, empty: bool) -> None:
        entry = {"created": created, "created_by": created_by, "comment": HISTORY_COMMENT}
        if empty:
            entry["empty_layer"] = True
        self.history.append(entry)

    def add_layer(self, layer: dict) -> None:
        self.layers.append(layer["chain"])
        self.diff_ids.append(layer["diff_id"])
        self.blobs.append(layer["blob"])

    # --- as an image ---------------------------------------------------------------------
    def created(self) -> str:
        return self.history[-1]["created"] if self.history else timeutil.now()

    def image_config(self) -> dict:
        cfg = {k: self.config[k] for k in CONFIG_KEYS
               if self.config.get(k) not in (None, [], {}, "")}
        out = {"architecture": self.arch}
        if self.author:
            out["author"] = self.author
        out.update({"config": cfg, "created": self.created(), "history": self.history,
                    "os": self.os, "rootfs": {"type": "layers", "diff_ids": self.diff_ids}})
        return out

    def store(self, engine, config: dict | None = None):
        """Write this state as an image (of `config`, when image_config() was asked
        already); returns (image, whether it was already there)."""
        config = config or self.image_config()
        image_id = digest_of(json.dumps(config, separators=(",", ":")).encode())
        with lock.locked(engine.paths.lock):
            if engine.images.exists(image_id):       # a cached rebuild: nothing to write
                return engine.images.get(image_id), True
            layers = [engine.layers.get(c) for c in self.layers]
            return engine.images.create(config, layers, self.blobs), False


def _layer_blobs(engine, img) -> list[str]:
    """The digests of an image's layer tars, bottom first, from its manifest."""
    with open(engine.images.blob_path(img.manifest), "rb") as f:
        return [l["digest"] for l in json.loads(f.read())["layers"]]


class Snapshot:
    """A State stored as an image for as long as a RUN needs it (a context manager):
    the image the step's container is created from. An image that existed already
    (the base, or one the user built) is used and left alone."""

    def __init__(self, engine, state: State):
        self.engine, self.state = engine, state
        self.image_id = state.image_id
        self.made = False
        if any(state.config.get(k) for k in NOT_FOR_RUN):
            self.state = state.child(state.key)
            for k in NOT_FOR_RUN:
                self.state.config.pop(k, None)
            self.image_id = None

    def __enter__(self) -> str:
        if self.image_id is None:
            from . import owner
            # marked before it exists: a build killed from here on leaves a snapshot
            # that fsck finds (build/owner.py)
            config = self.state.image_config()
            self.mark = owner.snapshot_mark(self.engine, digest_of(
                json.dumps(config, separators=(",", ":")).encode()))
            self.mark.touch()
            try:
                img, existed = self.state.store(self.engine, config)
            except BaseException:
                self.mark.unlink()
                raise
            self.image_id, self.made = img.id, not existed
            if existed:
                self.mark.unlink()
        return self.image_id

    def __exit__(self, *exc) -> None:
        if self.made:
            with lock.locked(self.engine.paths.lock):
                if not self.engine.images.refs_of(self.image_id):
                    self.engine.images.forget(self.image_id)
            self.mark.unlink()
