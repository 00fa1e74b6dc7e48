"""Images the engine can make without a registry: busybox, hello-world, registry:2 and
curlimages/curl.

busybox is built from the host's static busybox binary (Debian's busybox-static): one
layer with every applet linked to it and the accounts of the official image. hello-world
is FROM scratch with one tiny program the engine writes itself. Both are made the first
time something asks for them, and look like their Docker Hub namesakes: the same
command, the same history shape, a label saying where they came from.
"""
from __future__ import annotations

import io
import os
import struct
import subprocess
import tarfile

from ..util import timeutil
from ..errors import Unavailable
from ..store.archive import HashingWriter
from . import hello

BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox")
SOURCE_LABEL = "org.dockerlings.source"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HELLO_CREATED = "2026-01-01T00:00:00Z"

# The accounts of the official busybox image.
PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""
GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
"""
SHADOW = "".join(f"{line.split(':')[0]}:*::0:::::\n" for line in PASSWD.splitlines())


REGISTRY_REFS = ("docker.io/library/registry:2", "docker.io/library/registry:latest")
REGISTRY_CANDIDATES = ("/usr/bin/docker-registry", "/usr/local/bin/docker-registry",
                       "/usr/bin/registry")
# The configuration the official registry image ships: port 5000, images in a volume.
REGISTRY_CONFIG = """version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
"""


# curlimages/curl, the client Docker's Engine API documentation teaches with: a
# container given /var/run/docker.sock talks to the engine with `curl --unix-socket`
# (busybox's wget speaks no unix socket). Made from the host's curl and the libraries
# ldd names, the dynamic loader among them; no CA certificates (offline, plain HTTP).
CURL_REF = "docker.io/curlimages/curl:latest"
CURL_CANDIDATES = ("/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl")
NSSWITCH = "hosts: files dns\n"


def known(ref: str) -> bool:
    return ref in ("docker.io/library/busybox:latest",
                   "docker.io/library/hello-world:latest", CURL_REF) + REGISTRY_REFS


def available() -> list[str]:
    return ["busybox:latest", "hello-world:latest", "registry:2", "curlimages/curl:latest"]


def find_busybox() -> str:
    for path in BUSYBOX_CANDIDATES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            if not is_static(path):
                raise Unavailable(
                    f"{path} is linked dynamically, so it cannot run inside a container "
                    "that has no C library",
                    hint="install the static build: apt-get install busybox-static")
            return path
    raise Unavailable(
        "cannot make the busybox image offline: no busybox binary on this machine",
        hint="install it with: apt-get install busybox-static")


def is_static(path: str) -> bool:
    """True when the ELF file at `path` has no program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))


def _version(path: str) -> str:
    try:
        out = subprocess.run([path], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "busybox"
    first = out.splitlines()[0] if out else "BusyBox"
    return first.replace(" multi-call binary.", "")


def _applets(path: str) -> list[str]:
    out = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=5).stdout
    return sorted({a for a in out.split() if a and "/" not in a and a != "busybox"})


class _TarBuilder:
    """A deterministic layer tar: fixed owners and times, entries in the order given."""

    def __init__(self, mtime: int):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)
        self.mtime = mtime

    def _info(self, name, kind, mode):
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime = kind, mode, self.mtime
        info.uname = info.gname = ""
        return info

    def dir(self, name: str, mode: int = 0o755) -> None:
        self.tar.addfile(self._info(name + "/", tarfile.DIRTYPE, mode))

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def hardlink(self, name: str, target: str) -> None:
        info = self._info(name, tarfile.LNKTYPE, 0o755)
        info.linkname = target
        self.tar.addfile(info)

    def finish(self) -> bytes:
        self.tar.close()
        return self.buf.getvalue()


def _busybox_layer(path: str) -> tuple[bytes, int]:
    mtime = int(os.stat(path).st_mtime)
    with open(path, "rb") as f:
        binary = f.read()
    t = _TarBuilder(mtime)
    for d, mode in (("bin", 0o755), ("dev", 0o755), ("etc", 0o755), ("home", 0o755),
                    ("lib", 0o755), ("root", 0o700), ("tmp", 0o1777), ("usr", 0o755),
                    ("usr/sbin", 0o755), ("var", 0o755), ("var/spool", 0o755),
                    ("var/spool/mail", 0o755), ("var/www", 0o755)):
        t.dir(d, mode)
    t.file("bin/busybox", binary, 0o755)
    for applet in _applets(path):
        t.hardlink(f"bin/{applet}", "bin/busybox")
    t.file("etc/group", GROUP.encode())
    t.file("etc/passwd", PASSWD.encode())
    t.file("etc/shadow", SHADOW.encode(), 0o640)
    return t.finish(), mtime


def find_registry() -> str:
    for path in REGISTRY_CANDIDATES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise Unavailable("cannot make the registry:2 image offline: no docker-registry program "
                      "on this machine",
                      hint="install Debian's registry with: apt-get install docker-registry")


def _libraries(path: str) -> list[str]:
    """The shared objects `path` loads, its program interpreter among them (from ldd)."""
    if is_static(path):
        return []
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        raise Unavailable(f"cannot tell which libraries {path} needs (ldd failed)") from None
    libs = []
    for line in out.splitlines():
        words = line.split()
        for w in words:
            if w.startswith("/") and os.path.exists(w):
                libs.append(w)
                break
    return sorted(set(libs))


def _program_layer(path: str, dest: str, dirs: tuple[str, ...]) -> _TarBuilder:
    """A layer with the dynamically linked program at `path` as `dest`, the folders
    `dirs` (tmp world-writable) and every library the program loads, at the path ldd
    names it by."""
    t = _TarBuilder(int(os.stat(path).st_mtime))
    made: set[str] = set()

    def parents(name: str) -> None:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                made.add(d)
                t.dir(d)
    for d in dirs:
        made.add(d)
        t.dir(d, 0o1777 if d == "tmp" else 0o755)
    parents(dest)
    with open(path, "rb") as f:
        t.file(dest, f.read(), 0o755)
    for lib in _libraries(path):
        name = lib.lstrip("/")
        parents(name)
        with open(os.path.realpath(lib), "rb") as f:
            t.file(name, f.read(), 0o755)
    return t


def _registry_layer(path: str) -> tuple[bytes, int]:
    t = _program_layer(path, "bin/registry",
                       ("bin", "etc", "etc/docker", "etc/docker/registry", "tmp", "var",
                        "var/lib", "var/lib/registry"))
    t.file("etc/docker/registry/config.yml", REGISTRY_CONFIG.encode())
    t.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    t.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    return t.finish(), t.mtime


def find_curl() -> str:
    for path in CURL_CANDIDATES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise Unavailable("cannot make the curlimages/curl image offline: no curl program on "
                      "this machine", hint="install it with: apt-get install curl")


def _curl_layer(path: str) -> tuple[bytes, int]:
    t = _program_layer(path, "usr/bin/curl", ("etc", "root", "tmp", "usr", "usr/bin"))
    t.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    t.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                         b"nobody:x:65534:65534:nobody:/:/bin/false\n")
    t.file("etc/nsswitch.conf", NSSWITCH.encode())     # names: /etc/hosts, then the DNS
    return t.finish(), t.mtime


def _hello_layer() -> bytes:
    t = _TarBuilder(int(timeutil.parse(HELLO_CREATED)))
    t.file("hello", hello.elf(hello.go_arch()), 0o755)
    return t.finish()


def _store_layer(engine, tar_bytes: bytes):
    tmp = engine.images.new_blob_file()
    with open(tmp, "wb") as f:
        w = HashingWriter(f)
        w.write(tar_bytes)
    engine.images.adopt_blob_file(tmp, w.digest)
    layer = engine.layers.add_from_tar(None, engine.images.blob_path(w.digest), w.digest)
    return layer, w.digest


def _config(created: str, diff_id: str, cmd: list[str] | None, history: list[dict],
            label: str) -> dict:
    run = {"Env": [PATH_ENV], "Cmd": cmd, "Labels": {SOURCE_LABEL: label}}
    return {
        "architecture": hello.go_arch(),
        "config": {k: v for k, v in run.items() if v is not None},
        "created": created,
        "history": history,
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }


def _buildkit_history(created: str, layer_step: str, *config_steps: str) -> list[dict]:
    """The history BuildKit writes: the step that made the one layer, then the steps
    that only set configuration (empty layers)."""
    def step(by: str) -> dict:      # keys in this order: the image ID hashes the JSON
        return {"created": created, "created_by": by, "comment": "buildkit.dockerfile.v0"}
    return [step(layer_step)] + [{**step(by), "empty_layer": True} for by in config_steps]


def make(engine, ref: str):
    """Build the offline image for `ref` (a normalised reference); returns the Image."""
    if ref == "docker.io/library/busybox:latest":
        path = find_busybox()
        tar_bytes, mtime = _busybox_layer(path)
        layer, digest = _store_layer(engine, tar_bytes)
        created = timeutil.format_ns(mtime * 1_000_000_000)
        history = [
            {"created": created, "created_by": f"/bin/sh -c #(nop) ADD file:{digest[7:]} in / "},
            {"created": created, "created_by": '/bin/sh -c #(nop)  CMD ["sh"]',
             "empty_layer": True},
        ]
        label = f"the host's {path} ({_version(path)}), made offline by dockerlings"
        config = _config(created, layer.diff_id, ["sh"], history, label)
    elif ref == "docker.io/library/hello-world:latest":
        layer, digest = _store_layer(engine, _hello_layer())
        history = _buildkit_history(HELLO_CREATED, "COPY hello / # buildkit", 'CMD ["/hello"]')
        config = _config(HELLO_CREATED, layer.diff_id, ["/hello"], history,
                         "a program written by dockerlings itself, made offline")
    elif ref in REGISTRY_REFS:
        path = find_registry()
        tar_bytes, mtime = _registry_layer(path)
        layer, digest = _store_layer(engine, tar_bytes)
        created = timeutil.format_ns(mtime * 1_000_000_000)
        history = _buildkit_history(
            created, f"COPY {path} /bin/registry # buildkit", "VOLUME [/var/lib/registry]",
            "EXPOSE map[5000/tcp:{}]", 'ENTRYPOINT ["registry" "serve"]',
            'CMD ["/etc/docker/registry/config.yml"]')
        config = _config(created, layer.diff_id, ["/etc/docker/registry/config.yml"], history,
                         f"the host's {path} (Debian's docker-registry), made offline by "
                         "dockerlings")
        config["config"].update(Entrypoint=["registry", "serve"],
                                ExposedPorts={"5000/tcp": {}},
                                Volumes={"/var/lib/registry": {}})
    elif ref == CURL_REF:
        path = find_curl()
        tar_bytes, mtime = _curl_layer(path)
        layer, digest = _store_layer(engine, tar_bytes)
        created = timeutil.format_ns(mtime * 1_000_000_000)
        history = _buildkit_history(created, f"COPY {path} /usr/bin/curl # buildkit",
                                    'ENTRYPOINT ["curl"]')
        # curl is the entrypoint, so `docker run curlimages/curl -s URL` is `curl -s
        # URL`, as with the real image (whose entrypoint script prepends curl). It runs
        # as root, not the real image's curl_user: the engine's socket is root's alone.
        config = _config(created, layer.diff_id, None, history,
                         f"the host's {path} and the libraries it loads, made offline by "
                         "dockerlings")
        config["config"]["Entrypoint"] = ["curl"]
    else:
        raise ValueError(ref)
    image = engine.images.create(config, [layer], [digest])
    engine.images.set_ref(ref, image.id, tagged=False)
    return engine.images.get(image.id)


__all__ = ["make", "known", "available", "find_busybox"]
