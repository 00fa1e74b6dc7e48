"""docker build for real: the course's examples in busybox form, built and run, the
image's config, files and history checked; one test per build-cache rule; bad input
that fails with Docker's words at the right line and leaves nothing behind."""
from __future__ import annotations

import http.server
import io
import json
import os
import re
import tarfile
import threading

import pytest

from tests.integration.cli_helpers import PATH_ENV, SHA256, errors, pull

UP_SH = 'echo "timer up: ${1:-1} seconds"\n'


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


def context(sh, files: dict, name: str = "app") -> str:
    """Write a build context (name -> text, or bytes) under the test's folder."""
    root = os.path.join(sh.cwd, name)
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
    return root


def build(sh, args: str, ok: bool = True):
    r = sh.run(f"docker build {args}")
    if ok:
        assert r.code == 0, r.err
    return r


def config(sh, ref: str) -> dict:
    return json.loads(sh.ok(f"docker image inspect -f '{{{{json .Config}}}}' {ref}"))


def history(sh, ref: str) -> list[str]:
    return sh.ok(f"docker history --no-trunc --format '{{{{.CreatedBy}}}}' {ref}").splitlines()


def steps(progress: str) -> dict[str, str]:
    """Step name -> how it ended (CACHED, DONE, ERROR) from BuildKit's plain output."""
    names, out = {}, {}
    for line in progress.splitlines():
        m = re.match(r"#(\d+) (\[.*)$", line)
        if m and not m.group(2).startswith("[internal]"):
            names[m.group(1)] = m.group(2)
            continue
        m = re.match(r"#(\d+) (CACHED|DONE|ERROR)", line)
        if m and m.group(1) in names:
            out[names[m.group(1)]] = m.group(2)
    return out


def nothing_left(sh, images: int = 1) -> None:
    """No container, and no image but the `images` there were (busybox)."""
    assert sh.ok("docker ps -aq") == ""
    assert len(sh.ok("docker images -aq").split()) == images


# --- the course's examples ----------------------------------------------------------------

def test_timer_script_with_cmd(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nRUN mkdir timers\nCOPY up.sh timers/\n"
                       'CMD ["sh", "timers/up.sh"]\n', "up.sh": UP_SH})
    r = build(bb, f"-t timers:v1 {ctx}")
    assert r.out == ""
    for line in ["#0 building with \"default\" instance using docker driver",
                 "#1 [internal] load build definition from Dockerfile",
                 "#2 [internal] load metadata for docker.io/library/busybox:latest",
                 "#4 [1/3] FROM docker.io/library/busybox:latest",
                 "#5 [2/3] RUN mkdir timers", "#7 [3/3] COPY up.sh timers/",
                 "#8 exporting to image", "#8 naming to docker.io/library/timers:v1 done"]:
        assert line in r.err.splitlines(), f"{line!r} not in:\n{r.err}"
    assert re.search(r"^#5 DONE \d+\.\ds$", r.err, re.M)
    assert re.search(r"^#8 writing image sha256:[0-9a-f]{64} done$", r.err, re.M)
    assert bb.ok("docker run --rm timers:v1") == "timer up: 1 seconds\n"
    cfg = config(bb, "timers:v1")
    assert cfg["Cmd"] == ["sh", "timers/up.sh"] and cfg["Env"] == [PATH_ENV]
    assert history(bb, "timers:v1")[:3] == [
        'CMD ["sh" "timers/up.sh"]', "COPY up.sh timers/ # buildkit",
        "RUN /bin/sh -c mkdir timers # buildkit"]
    sizes = bb.ok("docker history --format '{{.Size}} {{.Comment}}' timers:v1").splitlines()
    assert sizes[:3] == ["0B buildkit.dockerfile.v0", f"{len(UP_SH)}B buildkit.dockerfile.v0",
                         "0B buildkit.dockerfile.v0"]
    ids = bb.ok("docker history -q timers:v1").split()
    assert ids[0] == bb.ok("docker images -q timers:v1").strip() and set(ids[1:]) == {"<missing>"}
    nothing_left(bb, images=2)


def test_entrypoint_with_cmd_as_default_arguments(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nCOPY up.sh /timers/\n"
                       'ENTRYPOINT ["sh", "/timers/up.sh"]\nCMD ["5"]\n', "up.sh": UP_SH})
    build(bb, f"-t timers:v2 {ctx}")
    cfg = config(bb, "timers:v2")
    assert cfg["Entrypoint"] == ["sh", "/timers/up.sh"] and cfg["Cmd"] == ["5"]
    assert bb.ok("docker run --rm timers:v2") == "timer up: 5 seconds\n"
    assert bb.ok("docker run --rm timers:v2 9") == "timer up: 9 seconds\n"
    assert history(bb, "timers:v2")[:2] == ['CMD ["5"]', 'ENTRYPOINT ["sh" "/timers/up.sh"]']


def test_entrypoint_drops_the_base_images_cmd_and_shell_form(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nENTRYPOINT echo from the entrypoint\n"})
    build(bb, f"-t ep {ctx}")
    cfg = config(bb, "ep")
    assert cfg["Entrypoint"] == ["/bin/sh", "-c", "echo from the entrypoint"]
    assert "Cmd" not in cfg or cfg["Cmd"] is None
    assert bb.ok("docker run --rm ep") == "from the entrypoint\n"


def test_env_is_visible_at_run_time_and_substituted_in_the_dockerfile(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nENV GREETING=hello NAME=world\n"
                       "ENV APP_DIR=/opt/$NAME\nENV LEGACY value with spaces\n"
                       "WORKDIR ${APP_DIR}\nCMD echo $GREETING $NAME from $(pwd)\n"})
    build(bb, f"-t env {ctx}")
    cfg = config(bb, "env")
    assert cfg["Env"] == [PATH_ENV, "GREETING=hello", "NAME=world", "APP_DIR=/opt/world",
                          "LEGACY=value with spaces"]
    assert cfg["WorkingDir"] == "/opt/world"
    assert bb.ok("docker run --rm env") == "hello world from /opt/world\n"
    assert bb.ok("docker run --rm -e NAME=you env") == "hello you from /opt/world\n"
    assert "ENV GREETING=hello NAME=world" in history(bb, "env")


def test_add_extracts_a_local_tar_and_copy_does_not(bb):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in (("site/index.html", b"<h1>hi</h1>\n"), ("site/about.html", b"ab\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(text), 0o640, 33, 33
            tar.addfile(info, io.BytesIO(text))
    ctx = context(bb, {"Dockerfile": "FROM busybox\nADD site.tar.gz /srv/\n"
                       "COPY site.tar.gz /archive/\n", "site.tar.gz": buf.getvalue()})
    build(bb, f"-t site {ctx}")
    out = bb.ok("docker run --rm site sh -c 'cat /srv/site/index.html; stat -c \"%a %u\" "
                "/srv/site/index.html; ls /archive'")
    assert out == "<h1>hi</h1>\n640 33\nsite.tar.gz\n"
    assert history(bb, "site")[:2] == ["COPY site.tar.gz /archive/ # buildkit",
                                       "ADD site.tar.gz /srv/ # buildkit"]


def test_workdir_and_user_take_effect(bb):
    ctx = context(bb, {"Dockerfile": (
        "FROM busybox\n"
        "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && "
        "echo 'app:x:1000:' >> /etc/group\n"
        "USER app\nWORKDIR /home/app/work\nRUN touch made-by-me\n"
        "COPY --chown=app:app notes.txt .\nCOPY notes.txt root-owned.txt\n"),
        "notes.txt": "n\n"})
    build(bb, f"-t wd {ctx}")
    cfg = config(bb, "wd")
    assert cfg["User"] == "app" and cfg["WorkingDir"] == "/home/app/work"
    out = bb.ok("docker run --rm wd sh -c 'id -u; pwd; stat -c \"%n %u\" . made-by-me "
                "notes.txt root-owned.txt'")
    assert out == ("1000\n/home/app/work\n. 1000\nmade-by-me 1000\nnotes.txt 1000\n"
                   "root-owned.txt 0\n")
    assert "WORKDIR /home/app/work" in history(bb, "wd")


def test_two_stage_build_copies_one_file_from_the_builder(bb):
    ctx = context(bb, {"Dockerfile": (
        "FROM busybox AS builder\nWORKDIR /src\n"
        "RUN echo 'echo built app' > app.sh && echo junk > junk.txt\n\n"
        "FROM busybox AS unused\nRUN exit 1\n\n"
        "FROM busybox\nCOPY --from=builder /src/app.sh /usr/local/bin/app.sh\n"
        'CMD ["sh", "/usr/local/bin/app.sh"]\n')})
    r = build(bb, f"-t two {ctx}")
    assert "[builder 3/3] RUN echo 'echo built app' > app.sh && echo junk > junk.txt" in r.err
    assert "[stage-2 2/2] COPY --from=builder /src/app.sh /usr/local/bin/app.sh" in r.err
    assert "unused" not in r.err                  # a stage the target does not need
    assert bb.ok("docker run --rm two") == "built app\n"
    assert bb.run("docker run --rm two ls /src").code != 0
    hist = history(bb, "two")
    assert hist[:2] == ['CMD ["sh" "/usr/local/bin/app.sh"]',
                        "COPY /src/app.sh /usr/local/bin/app.sh # buildkit"]
    assert not any("junk" in h for h in hist)
    nothing_left(bb, images=2)


def test_target_builds_only_what_that_stage_needs(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox AS base\nRUN echo base > /base\n"
                       "FROM base AS test\nRUN cat /base\nFROM busybox\nRUN exit 7\n"})
    r = build(bb, f"--target test -t t {ctx}")
    assert "#6 0." in r.err and "exit 7" not in r.err
    assert bb.ok("docker run --rm t cat /base") == "base\n"
    r = build(bb, f"--target TEST -q {ctx}")
    assert SHA256.match(r.out.strip())


def test_copy_index_and_image_sources(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nRUN echo zero > /zero\n"
                       "FROM scratch\nCOPY --from=0 /zero /\nCOPY --from=busybox /bin/busybox /bin/\n"
                       'CMD ["/bin/busybox", "cat", "/zero"]\n'})
    r = build(bb, f"-t idx {ctx}")
    assert "[stage-1 1/2] COPY --from=0 /zero /" in r.err
    assert bb.ok("docker run --rm idx") == "zero\n"


def test_args_before_and_after_from_and_build_args(bb):
    ctx = context(bb, {"Dockerfile": (
        "ARG BASE=busybox\nARG VERSION=1.0\nFROM ${BASE}\nARG VERSION\nARG LEVEL=low\n"
        "ENV LEVEL_ENV=$LEVEL\nRUN echo \"$VERSION $LEVEL\" > /args\nLABEL version=$VERSION\n")})
    build(bb, f"--build-arg LEVEL=high -t args {ctx}")
    assert bb.ok("docker run --rm args cat /args") == "1.0 high\n"
    cfg = config(bb, "args")
    assert cfg["Labels"]["version"] == "1.0" and "LEVEL_ENV=high" in cfg["Env"]
    assert not any(e.startswith(("VERSION=", "LEVEL=")) for e in cfg["Env"])
    assert 'RUN |2 VERSION=1.0 LEVEL=high /bin/sh -c echo "$VERSION $LEVEL" > /args # buildkit' \
        in history(bb, "args")
    assert "ARG LEVEL=low" in history(bb, "args")


def test_recorded_instructions(bb):
    ctx = context(bb, {"Dockerfile": (
        "FROM busybox\nLABEL a=1 b=\"two words\"\nEXPOSE 3000 53/udp\nVOLUME /data\n"
        "STOPSIGNAL SIGINT\nSHELL [\"/bin/sh\", \"-ec\"]\n"
        "HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD wget -q localhost || exit 1\n"
        "ONBUILD RUN echo triggered > /onbuild\nRUN echo $0 $- > /shell\n")})
    build(bb, f"--label extra=yes -t rec {ctx}")
    cfg = config(bb, "rec")
    assert cfg["Labels"]["a"] == "1" and cfg["Labels"]["b"] == "two words"
    assert cfg["Labels"]["extra"] == "yes"
    assert cfg["ExposedPorts"] == {"3000/tcp": {}, "53/udp": {}}
    assert cfg["Volumes"] == {"/data": {}} and cfg["StopSignal"] == "SIGINT"
    assert cfg["Healthcheck"] == {"Test": ["CMD-SHELL", "wget -q localhost || exit 1"],
                                  "Interval": 30_000_000_000, "Timeout": 3_000_000_000,
                                  "Retries": 3}
    assert cfg["OnBuild"] == ["RUN echo triggered > /onbuild"]
    shell, flags = bb.ok("docker run --rm rec cat /shell").split()
    assert shell == "/bin/sh" and "e" in flags            # SHELL ["/bin/sh", "-ec"] ran it
    hist = history(bb, "rec")
    assert "EXPOSE map[3000/tcp:{} 53/udp:{}]" in hist and "VOLUME [/data]" in hist
    assert "SHELL [/bin/sh -ec]" in hist and "ONBUILD RUN echo triggered > /onbuild" in hist
    assert 'HEALTHCHECK &{["CMD-SHELL" "wget -q localhost || exit 1"] "30s" "3s" "0s" "0s" ' \
        "'\\x03'}" in hist
    child = context(bb, {"Dockerfile": "FROM rec\nRUN cat /onbuild\n"}, "child")
    r = build(bb, f"-t child {child}")
    assert "triggered" in r.err
    assert "OnBuild" not in config(bb, "child") or not config(bb, "child")["OnBuild"]


def test_dockerignore_and_copy_of_the_whole_context(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nCOPY . /ctx/\n", "app.js": "a\n",
                       "secret.key": "k\n", "logs/x.log": "l\n", "docs/a.md": "a\n",
                       "docs/keep.md": "k\n",
                       ".dockerignore": "*.key\nlogs\ndocs/*\n!docs/keep.md\n"})
    build(bb, f"-t ign {ctx}")
    out = bb.ok("docker run --rm ign find /ctx -type f").split()
    assert sorted(out) == ["/ctx/.dockerignore", "/ctx/Dockerfile", "/ctx/app.js",
                           "/ctx/docs/keep.md"]
    other = context(bb, {"Dockerfile": "FROM busybox\nCOPY secret.key /\n", "secret.key": "k",
                         ".dockerignore": "*.key"}, "ign2")
    r = build(bb, f"-t ign2 {other}", ok=False)
    assert r.code == 1 and '"/secret.key": not found' in r.err
    assert "left out of the build context by .dockerignore" in r.err


def test_dockerfile_from_stdin_quiet_file_flag_several_tags_iidfile(bb):
    r = bb.run("docker build -q -t a:1 -t b:2 -", stdin=b"FROM busybox\nCMD [\"echo\", \"in\"]\n")
    assert r.code == 0, r.err
    image_id = r.out.strip()
    assert SHA256.match(image_id) and r.err == ""
    assert bb.ok("docker images -q a:1") == bb.ok("docker images -q b:2") == image_id[7:19] + "\n"
    ctx = context(bb, {"build/Other.dockerfile": "FROM busybox\nCOPY x.txt /\n", "x.txt": "x\n"})
    build(bb, f"-f {ctx}/build/Other.dockerfile --iidfile {ctx}/iid -t other {ctx}")
    with open(f"{ctx}/iid") as f:
        assert SHA256.match(f.read())
    assert bb.ok("docker run --rm other cat /x.txt") == "x\n"


def test_heredocs(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nENV WHO=you\nRUN <<EOF\necho one > /one\n"
                       "echo two >> /one\nEOF\nCOPY <<EOT /etc/motd\nhello $WHO\nEOT\n"})
    build(bb, f"-t hd {ctx}")
    assert bb.ok("docker run --rm hd cat /one /etc/motd") == "one\ntwo\nhello you\n"


def test_add_downloads_from_a_url(bb):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"downloaded\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/files/data.txt"
        ctx = context(bb, {"Dockerfile": f"FROM busybox\nADD {url} /dl/\n"})
        build(bb, f"-t dl {ctx}")
    finally:
        server.shutdown()
    assert bb.ok("docker run --rm dl stat -c '%n %a %Y' /dl/data.txt") == \
        "/dl/data.txt 600 1735689600\n"


def test_run_cd_gets_a_hint_toward_workdir(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nRUN mkdir /app && cd /app\n"
                       "RUN touch here\n"})
    r = build(bb, f"-t cd {ctx}")
    assert "hint: Dockerfile:2: the `cd /app` in this RUN is forgotten" in r.err
    assert "WORKDIR /app" in r.err
    assert bb.ok("docker run --rm cd ls /here") == "/here\n"


def test_lint_warnings_are_summarised(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nCMD echo hi\n"})
    r = build(bb, f"-t lint {ctx}")
    assert " 1 warning found (use docker --debug to expand):" in r.err
    assert " - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended " \
        "behavior related to OS signals (line 2)" in r.err


# --- the build cache ---------------------------------------------------------------------------

CACHE_DOCKERFILE = ("FROM busybox\nRUN echo one > /one\nCOPY a.txt /\nRUN cat /a.txt > /three\n"
                    "ARG LEVEL=low\nRUN echo $LEVEL > /level\n")
STEP_NAMES = ["[1/5] FROM docker.io/library/busybox:latest", "[2/5] RUN echo one > /one",
              "[3/5] COPY a.txt /", "[4/5] RUN cat /a.txt > /three",
              "[5/5] RUN echo low > /level"]


@pytest.fixture
def cached(bb):
    ctx = context(bb, {"Dockerfile": CACHE_DOCKERFILE, "a.txt": "a\n", "b.txt": "b\n",
                       "ignored.txt": "i\n", ".dockerignore": "ignored.txt\n"})
    first = build(bb, f"-t c {ctx}")
    assert "CACHED" not in [v for k, v in steps(first.err).items() if "FROM" not in k]
    return bb, ctx


def rebuild(sh, ctx: str, extra: str = "") -> dict[str, str]:
    return steps(build(sh, f"{extra} -t c {ctx}").err)


def test_cache_a_rebuild_is_all_cached_and_the_same_image(cached):
    sh, ctx = cached
    before = sh.ok("docker images -q --no-trunc c")
    assert rebuild(sh, ctx) == {n: "CACHED" for n in STEP_NAMES}
    assert sh.ok("docker images -q --no-trunc c") == before
    nothing_left(sh, images=2)


def test_cache_changed_content_invalidates_that_copy_and_after_never_before(cached):
    sh, ctx = cached
    with open(f"{ctx}/a.txt", "w") as f:
        f.write("changed\n")
    assert rebuild(sh, ctx) == dict(zip(STEP_NAMES, ["CACHED", "CACHED", "DONE", "DONE",
                                                     "DONE"]))
    assert sh.ok("docker run --rm c cat /three") == "changed\n"


def test_cache_changed_mode_or_time_of_a_copied_file_invalidates(cached):
    sh, ctx = cached
    os.chmod(f"{ctx}/a.txt", 0o600)
    assert rebuild(sh, ctx)["[3/5] COPY a.txt /"] == "DONE"
    assert rebuild(sh, ctx)["[3/5] COPY a.txt /"] == "CACHED"
    os.utime(f"{ctx}/a.txt", (1_000_000_000, 1_000_000_000))      # touch
    assert rebuild(sh, ctx)["[3/5] COPY a.txt /"] == "DONE"
    assert sh.ok("docker run --rm c stat -c '%a %Y' /a.txt") == "600 1000000000\n"


def test_cache_files_not_read_do_not_invalidate(cached):
    sh, ctx = cached
    for name in ("b.txt", "ignored.txt"):
        with open(f"{ctx}/{name}", "w") as f:
            f.write("other\n")
    with open(f"{ctx}/new.txt", "w") as f:
        f.write("new\n")
    assert set(rebuild(sh, ctx).values()) == {"CACHED"}


def test_cache_changed_instruction_invalidates_it_and_after(cached):
    sh, ctx = cached
    with open(f"{ctx}/Dockerfile", "w") as f:
        f.write(CACHE_DOCKERFILE.replace("cat /a.txt > /three", "cat /a.txt /a.txt > /three"))
    result = rebuild(sh, ctx)
    assert [result[n] for n in STEP_NAMES[:3]] == ["CACHED"] * 3
    assert [v for k, v in result.items() if k.startswith(("[4/5]", "[5/5]"))] == ["DONE"] * 2


def test_cache_build_args_invalidate_from_their_arg_on(cached):
    sh, ctx = cached
    result = rebuild(sh, ctx, "--build-arg LEVEL=high")
    assert [result[n] for n in STEP_NAMES[:4]] == ["CACHED"] * 4
    assert result["[5/5] RUN echo high > /level"] == "DONE"
    assert rebuild(sh, ctx, "--build-arg LEVEL=high")["[5/5] RUN echo high > /level"] == \
        "CACHED"
    assert rebuild(sh, ctx)["[5/5] RUN echo low > /level"] == "CACHED"


def test_cache_env_change_invalidates_later_runs(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nRUN echo first\nENV MODE=dev\n"
                       "RUN echo $MODE > /mode\n"})
    build(bb, f"-t e {ctx}")
    with open(f"{ctx}/Dockerfile", "w") as f:
        f.write("FROM busybox\nRUN echo first\nENV MODE=prod\nRUN echo $MODE > /mode\n")
    result = steps(build(bb, f"-t e {ctx}").err)
    assert result["[2/3] RUN echo first"] == "CACHED"
    assert result["[3/3] RUN echo prod > /mode"] == "DONE"
    assert bb.ok("docker run --rm e cat /mode") == "prod\n"


def test_cache_a_different_parent_image_invalidates_everything(bb):
    base = context(bb, {"Dockerfile": "FROM busybox\nRUN echo v1 > /version\n"}, "base")
    build(bb, f"-t base:latest {base}")
    ctx = context(bb, {"Dockerfile": "FROM base\nRUN cat /version > /seen\n"})
    build(bb, f"-t app {ctx}")
    with open(f"{base}/Dockerfile", "w") as f:
        f.write("FROM busybox\nRUN echo v2 > /version\n")
    build(bb, f"-t base:latest {base}")
    result = steps(build(bb, f"-t app {ctx}").err)
    assert result["[2/2] RUN cat /version > /seen"] == "DONE"
    assert bb.ok("docker run --rm app cat /seen") == "v2\n"


def test_cache_no_cache_rebuilds_every_step(cached):
    sh, ctx = cached
    result = rebuild(sh, ctx, "--no-cache")
    assert "CACHED" not in [v for k, v in result.items() if "FROM" not in k]


def test_cache_survives_removing_the_image(cached):
    sh, ctx = cached
    sh.ok("docker rmi c")
    assert set(rebuild(sh, ctx).values()) == {"CACHED"}
    assert sh.ok("docker run --rm c cat /one /three /level") == "one\na\nlow\n"


# --- bad input -------------------------------------------------------------------------------

def failed(sh, files: dict, args: str = "") -> str:
    ctx = context(sh, files)
    r = sh.run(f"docker build {args} -t bad {ctx}")
    assert r.code == 1, r.err
    assert r.out == ""
    nothing_left(sh)
    return r.err


def test_unknown_instruction_points_to_the_line(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox\nRUN echo hi\nRUNN echo oops\n"})
    assert "Dockerfile:3\n--------------------\n   1 |     FROM busybox\n" in err
    assert "   3 | >>> RUNN echo oops\n" in err
    assert err.rstrip().endswith("ERROR: failed to build: failed to solve: dockerfile parse error "
                                 "on line 3: unknown instruction: RUNN (did you mean RUN?)")
    assert "#4" not in err                      # nothing ran


def test_missing_context_file(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox\nRUN echo before\nCOPY missing.txt /app/\n"})
    assert re.search(r'^#\d+ ERROR: failed to calculate checksum of ref \S+: "/missing.txt": '
                     r"not found$", err, re.M)
    assert " > [3/3] COPY missing.txt /app/:" in err and "   3 | >>> COPY missing.txt" in err
    assert re.search(r'ERROR: failed to build: failed to solve: failed to compute cache key: '
                     r'failed to calculate checksum of ref \S+: "/missing.txt": not found', err)


def test_copy_outside_the_context(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox\nCOPY ../secret.txt /\n"})
    assert "failed to solve: forbidden path outside the build context: ../secret.txt ()" in err
    assert "   2 | >>> COPY ../secret.txt /" in err
    assert "hint: COPY and ADD read only from the build context" in err


def test_stage_that_does_not_exist(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox AS build\nRUN true\n"}, "--target nosuch")
    assert err.rstrip().splitlines()[-2] == \
        'ERROR: failed to build: failed to solve: target stage "nosuch" could not be found'
    err = failed(bb, {"Dockerfile": "FROM busybox AS build\nFROM busybox\n"
                      "COPY --from=buidl /x /x\n"})
    assert "   3 | >>> COPY --from=buidl /x /x" in err
    assert "failed to resolve source metadata for docker.io/library/buidl:latest" in err
    assert "hint: no stage above this COPY is named buidl (named stages: build)" in err


def test_failing_run_reports_its_exit_code_and_output(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox\nRUN echo made > /made\n"
                      "RUN echo about to fail && exit 3\nCMD [\"sh\"]\n"})
    assert re.search(r'^#6 0\.\d{3} about to fail$', err, re.M)
    assert '#6 ERROR: process "/bin/sh -c echo about to fail && exit 3" did not complete ' \
           "successfully: exit code: 3" in err
    assert re.search(r"------\n > \[3/3\] RUN echo about to fail && exit 3:\n0\.\d{3} about to "
                     r"fail\n------\nDockerfile:3\n", err)
    assert "   3 | >>> RUN echo about to fail && exit 3\n" in err


def test_run_without_a_shell(bb):
    err = failed(bb, {"Dockerfile": "FROM scratch\nRUN echo hi\n"})
    assert 'exec: "/bin/sh": stat /bin/sh: no such file or directory' in err
    assert "hint: this image has no /bin/sh" in err


def test_no_context_folder_and_no_dockerfile(bb):
    r = bb.run("docker build nosuchdir")
    assert (r.code, r.err) == (1, 'ERROR: unable to prepare context: path "nosuchdir" not found\n')
    os.makedirs(os.path.join(bb.cwd, "empty"))
    r = bb.run("docker build empty")
    assert r.code == 1 and errors(r) == [
        "ERROR: failed to build: failed to solve: failed to read dockerfile: open Dockerfile: "
        "no such file or directory"]


def test_interrupted_pieces_are_cleaned_by_fsck(bb, engine):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nCOPY a.txt /\nRUN exit 2\n", "a.txt": "a"})
    assert bb.run(f"docker build {ctx}").code == 1
    from engine.system import fsck
    report = fsck.check(engine)
    assert report.problems == [] and report.cleaned == []
    assert not [n for n in os.listdir(engine.paths.layers) if n.startswith(".")]


def test_exec_form_run_needs_no_shell_and_copy_never_writes_through_a_link(bb):
    ctx = context(bb, {"Dockerfile": 'FROM busybox\nRUN ["touch", "/exec-form"]\n'
                       "COPY fake-ls /bin/ls\n", "fake-ls": "not busybox\n"})
    build(bb, f"-t ex {ctx}")
    assert "RUN touch /exec-form # buildkit" in history(bb, "ex")
    assert bb.ok("docker run --rm ex sh -c 'ls -l /exec-form >/dev/null && cat /bin/ls && "
                 "busybox echo intact'") == "not busybox\nintact\n"


def test_image_build_is_the_same_command(bb):
    ctx = context(bb, {"Dockerfile": "FROM busybox\nLABEL via=image-build\n"})
    r = bb.run(f"docker image build -q {ctx}")
    assert r.code == 0 and SHA256.match(r.out.strip())
    assert config(bb, r.out.strip())["Labels"]["via"] == "image-build"


def test_run_as_a_user_the_image_does_not_have(bb):
    err = failed(bb, {"Dockerfile": "FROM busybox\nUSER builder\nRUN true\n"})
    assert "unable to find user builder: no matching entries in passwd file" in err
    assert "hint: the USER above this RUN is not in the image's /etc/passwd" in err
