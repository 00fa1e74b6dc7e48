"""The loaded Compose project: what `config` prints and `up` makes."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

# The labels Compose puts on what it makes (compose-go's api/labels.go)
PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
NUMBER = "com.docker.compose.container-number"
ONEOFF = "com.docker.compose.oneoff"
CONFIG_HASH = "com.docker.compose.config-hash"
WORKING_DIR = "com.docker.compose.project.working_dir"
CONFIG_FILES = "com.docker.compose.project.config_files"
NETWORK = "com.docker.compose.network"
VOLUME = "com.docker.compose.volume"
VERSION = "com.docker.compose.version"


@dataclass
class Project:
    name: str
    working_dir: str
    files: list[str]
    services: dict[str, dict]              # name -> the service's merged, checked mapping
    networks: dict[str, dict] = field(default_factory=dict)
    volumes: dict[str, dict] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)   # for bare `environment` keys
    where: dict = field(default_factory=dict)    # ("services", name, key) -> "file:line:col"

    def document(self) -> dict:
        """The model as `docker compose config` prints it."""
        doc: dict = {"name": self.name, "services": self.services}
        # with the names the engine knows them by, as Compose prints them
        if self.networks:
            doc["networks"] = {k: {**v, "name": self.network_name(k)}
                               for k, v in self.networks.items()}
        if self.volumes:
            doc["volumes"] = {k: {**v, "name": self.volume_name(k)}
                              for k, v in self.volumes.items()}
        return doc

    def network_name(self, key: str) -> str:
        return _engine_name(self.name, key, self.networks[key])

    def volume_name(self, key: str) -> str:
        return _engine_name(self.name, key, self.volumes[key])

    def order(self, names=None) -> list[str]:
        """Services in start order: each after what it depends on (the file's order
        otherwise). The loader has refused cycles."""
        wanted = list(self.services) if names is None else list(names)
        out: list[str] = []

        def visit(name: str) -> None:
            if name in out:
                return
            for dep in self.services[name].get("depends_on", {}):
                if dep in self.services:     # one left out by profiles (required: false)
                    visit(dep)
            out.append(name)
        for name in wanted:
            visit(name)
        return out


def _engine_name(project: str, key: str, spec: dict) -> str:
    """What the engine calls a network or volume: its `name`, or for an external one
    its key as written, or else the key behind the project's name."""
    return spec.get("name") or (key if spec.get("external") else f"{project}_{key}")


def config_hash(service: dict) -> str:
    """Compose's config-hash: a digest of the service's configuration, so `up` knows
    which containers no longer match their file (scale is left out, as Compose does)."""
    body = {k: v for k, v in service.items() if k != "scale"}
    if isinstance(body.get("deploy"), dict):
        body["deploy"] = {k: v for k, v in body["deploy"].items() if k != "replicas"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
