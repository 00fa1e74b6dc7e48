"""curlimages/curl made offline from the host's curl: the program, the libraries ldd
names and the loader in one layer, and a clear word naming the package without it."""
from __future__ import annotations

import io
import shutil
import tarfile

import pytest

from engine.errors import Unavailable
from engine.images import offline


def test_without_curl_the_error_names_the_package(monkeypatch):
    monkeypatch.setattr(offline, "CURL_CANDIDATES", ("/nonexistent/curl",))
    with pytest.raises(Unavailable) as info:
        offline.find_curl()
    assert "curlimages/curl" in str(info.value) and "no curl program" in str(info.value)
    assert info.value.hint == "install it with: apt-get install curl"


def test_the_layer_holds_curl_its_libraries_and_the_loader():
    path = shutil.which("curl")
    if path is None:
        pytest.skip("curl is not installed (.ci/setup installs it)")
    data, _ = offline._curl_layer(path)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = set(t.getnames())
        nsswitch = t.extractfile("etc/nsswitch.conf").read().decode()
    assert "usr/bin/curl" in names
    libs = offline._libraries(path)
    assert any("ld-linux" in lib for lib in libs)          # the dynamic loader itself
    for lib in libs:
        assert lib.lstrip("/") in names
    assert "hosts:" in nsswitch
    assert offline.known("docker.io/curlimages/curl:latest")
    assert "curlimages/curl:latest" in offline.available()
