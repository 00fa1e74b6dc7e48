"""registry:2 made offline: from Debian's docker-registry, and a clear word without it."""
from __future__ import annotations

import io
import shutil
import tarfile

import pytest

from engine.errors import Unavailable
from engine.images import offline


def test_without_docker_registry_the_error_names_the_package(monkeypatch):
    monkeypatch.setattr(offline, "REGISTRY_CANDIDATES", ("/nonexistent/docker-registry",))
    with pytest.raises(Unavailable) as info:
        offline.find_registry()
    assert "docker-registry" in str(info.value) and "apt-get install docker-registry" in \
        info.value.hint


def test_the_layer_holds_the_program_its_libraries_and_the_config():
    path = shutil.which("docker-registry")
    if path is None:
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    data, _ = offline._registry_layer(path)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = set(t.getnames())
        config = t.extractfile("etc/docker/registry/config.yml").read().decode()
    assert "bin/registry" in names and "var/lib/registry/" in names | {n + "/" for n in names}
    for lib in offline._libraries(path):
        assert lib.lstrip("/") in names
    assert "addr: :5000" in config and "rootdirectory: /var/lib/registry" in config
    assert offline.known("docker.io/library/registry:2")


def test_which_registries_may_speak_plain_http():
    from engine.distribution.registry import insecure
    for host in ("localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "localhost"):
        assert insecure(host, {}), host
    for host in ("registry.example:5000", "10.0.0.5:5000", "registry-1.docker.io"):
        assert not insecure(host, {}), host
    listed = {"DOCKERLINGS_INSECURE_REGISTRIES": "registry.example:5000, other.example"}
    assert insecure("registry.example:5000", listed) and insecure("other.example:443", listed)
    assert not insecure("registry.example:6000", listed)
