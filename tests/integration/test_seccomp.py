"""Containers run under Docker's default seccomp profile, as Docker's do: one test per
family of system calls it closes, each also run with --security-opt seccomp=unconfined
where that shows the call open (so the test can fail), plus --privileged, a profile of
the learner's own, exec'd processes, the options' errors, inspect and info."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from engine.runtime import seccomp

pytestmark = pytest.mark.skipif(not seccomp.supported(),
                                reason="this kernel has no seccomp filter")

PROBE_C = os.path.join(os.path.dirname(__file__), "seccomp_probe.c")


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory):
    """A folder holding `probe`, a static program making the calls busybox cannot."""
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc to build the static test program (apt-get install gcc)")
    d = tmp_path_factory.mktemp("probe")
    r = subprocess.run(["gcc", "-static", "-O2", "-o", str(d / "probe"), PROBE_C],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"needs gcc with a static libc (libc6-dev): {r.stderr.strip()[:200]}")
    return str(d)


def probe(sh, probe_dir: str, *calls: str, options: str = "") -> dict[str, str]:
    out = sh.ok(f"docker run --rm {options} -v {probe_dir}:/probe:ro busybox "
                f"/probe/probe {' '.join(calls)}")
    return dict(line.split(" ", 1) for line in out.splitlines())


UNCONFINED = "--security-opt seccomp=unconfined"


def seccomp_mode(sh, options: str = "") -> str:
    out = sh.ok(f"docker run --rm {options} busybox grep Seccomp: /proc/1/status")
    return out.split()[1]


def test_a_container_runs_in_filter_mode_as_in_docker(sh):
    assert seccomp_mode(sh) == "2"
    assert seccomp_mode(sh, UNCONFINED) == "0"
    assert seccomp_mode(sh, "--privileged") == "0"


def test_unshare_of_a_user_namespace_is_refused(sh):
    r = sh.run("docker run --rm busybox unshare -U -r true")
    assert r.code == 1 and "Operation not permitted" in r.err
    assert sh.run(f"docker run --rm {UNCONFINED} busybox unshare -U -r true").code == 0


def test_nothing_reaches_a_user_namespace_to_mount_add_links_or_sniff(sh, probe_dir):
    """Unconfined, a user namespace gives a container root over a mount and a network
    namespace of its own: mounts, new links, AF_PACKET. Docker's filter closes the
    door (unshare) and the calls themselves (mount)."""
    assert probe(sh, probe_dir, "userns", "mount") == {"userns": "EPERM", "mount": "EPERM"}
    assert probe(sh, probe_dir, "userns", "mount", "packet", options=UNCONFINED) == {
        "userns": "ok", "mount": "ok", "packet": "ok"}
    linked = "unshare -U -r -n sh -c 'ip link add v0 type veth peer name v1 && echo linked'"
    r = sh.run(f"docker run --rm busybox {linked}")
    assert r.code != 0 and "linked" not in r.out
    assert sh.ok(f"docker run --rm {UNCONFINED} busybox {linked}") == "linked\n"


def test_the_kernel_keyring_is_closed(sh, probe_dir):
    assert probe(sh, probe_dir, "add_key", "keyctl") == {"add_key": "EPERM",
                                                         "keyctl": "EPERM"}
    assert probe(sh, probe_dir, "keyctl", options=UNCONFINED) == {"keyctl": "ok"}


def test_io_uring_is_closed(sh, probe_dir):
    assert probe(sh, probe_dir, "io_uring_setup") == {"io_uring_setup": "EPERM"}
    with open("/proc/sys/kernel/io_uring_disabled") as f:
        if f.read().strip() == "0":
            assert probe(sh, probe_dir, "io_uring_setup", options=UNCONFINED) == {
                "io_uring_setup": "ok"}


def test_personality_allows_only_dockers_values(sh, probe_dir):
    got = probe(sh, probe_dir, "personality=0x0040000", "personality=0",
                "personality=0xffffffff", "personality=8")
    assert got == {"personality=0x0040000": "EPERM", "personality=0": "ok",
                   "personality=0xffffffff": "ok", "personality=8": "ok"}
    assert probe(sh, probe_dir, "personality=0x0040000", options=UNCONFINED) == {
        "personality=0x0040000": "ok"}


def test_clone3_gets_enosys_and_vsock_eperm(sh, probe_dir):
    # clone3 says ENOSYS so that libc falls back to clone, whose flags the filter sees
    assert probe(sh, probe_dir, "clone3", "vsock") == {"clone3": "ENOSYS", "vsock": "EPERM"}
    assert probe(sh, probe_dir, "clone3", options=UNCONFINED)["clone3"] != "ENOSYS"


def test_cap_sys_admin_opens_what_docker_opens(sh, probe_dir):
    got = probe(sh, probe_dir, "userns", "keyctl", options="--cap-add SYS_ADMIN")
    assert got == {"userns": "ok", "keyctl": "EPERM"}


def test_a_profile_of_ones_own(sh, tmp_path):
    (tmp_path / "no-mkdir.json").write_text(json.dumps({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}))
    r = sh.run("docker run --rm --security-opt seccomp=no-mkdir.json busybox mkdir /x")
    assert r.code == 1 and "Operation not permitted" in r.err
    assert sh.ok("docker run --rm --security-opt seccomp=no-mkdir.json busybox "
                 "unshare -U -r echo open") == "open\n"
    assert sh.run("docker run --rm busybox mkdir /x").code == 0


def test_exec_processes_are_filtered_too(sh):
    sh.ok("docker run -d --name web busybox sleep 60")
    assert sh.ok("docker exec web grep Seccomp: /proc/self/status").split()[1] == "2"
    r = sh.run("docker exec web unshare -U -r true")
    assert r.code == 1 and "Operation not permitted" in r.err
    # exec --privileged gets every capability, but keeps the container's filter
    assert sh.ok("docker exec --privileged web grep Seccomp: /proc/self/status"
                 ).split()[1] == "2"
    sh.ok(f"docker run -d --name open {UNCONFINED} busybox sleep 60")
    assert sh.ok("docker exec open grep Seccomp: /proc/self/status").split()[1] == "0"


def test_no_new_privileges(sh):
    out = sh.ok("docker run --rm --security-opt no-new-privileges busybox "
                "grep -E 'NoNewPrivs|Seccomp:' /proc/1/status")
    assert out.split() == ["NoNewPrivs:", "1", "Seccomp:", "2"]
    out = sh.ok("docker run --rm busybox grep NoNewPrivs /proc/1/status")
    assert out.split() == ["NoNewPrivs:", "0"]


def test_build_steps_run_filtered(sh, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM busybox\nRUN grep Seccomp: /proc/self/status > /mode\n")
    sh.ok("docker build -q -t filtered .")
    assert sh.ok("docker run --rm filtered cat /mode").split()[1] == "2"


def test_inspect_shows_security_opt_as_docker(sh, tmp_path):
    (tmp_path / "p.json").write_text('{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n')
    sh.ok("docker create --name custom --security-opt seccomp=p.json "
          "--security-opt no-new-privileges busybox")
    shown = sh.ok("docker inspect -f '{{json .HostConfig.SecurityOpt}}' custom")
    assert json.loads(shown) == ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}',
                                 "no-new-privileges"]
    sh.ok("docker create --name plain busybox")
    assert sh.ok("docker inspect -f '{{json .HostConfig.SecurityOpt}}' plain") == "null\n"
    sh.ok("docker create --name priv --privileged busybox")
    assert json.loads(sh.ok("docker inspect -f '{{json .HostConfig.SecurityOpt}}' priv")) \
        == ["label=disable"]


def test_info_shows_the_builtin_profile(sh):
    out = sh.ok("docker info")
    assert " Security Options:\n  seccomp\n   Profile: builtin\n" in out


RUN_HELP = "\n\nRun 'docker run --help' for more information\n"


@pytest.mark.parametrize("opt,err", [
    ("bogus", 'docker: Invalid --security-opt: "bogus"' + RUN_HELP),
    ("seccomp=", 'docker: Invalid --security-opt: "seccomp="' + RUN_HELP),
    ("seccomp=missing.json", "docker: opening seccomp profile (missing.json) failed: open "
     "missing.json: no such file or directory" + RUN_HELP),
    ("seccomp=bad.json", "docker: compacting json for seccomp profile (bad.json) failed: "
     "invalid character 'b' looking for beginning of object key string" + RUN_HELP),
    ("seccomp=wrong.json", "docker: Error response from daemon: Decoding seccomp profile "
     "failed: json: cannot unmarshal number into Go struct field Seccomp.defaultAction of "
     "type specs.LinuxSeccompAction" + RUN_HELP),
    ("foo=bar", 'docker: Error response from daemon: invalid --security-opt 2: "foo=bar"'
     + RUN_HELP),
])
def test_bad_options_get_dockers_words_and_change_nothing(sh, tmp_path, opt, err):
    (tmp_path / "bad.json").write_text("{bad")
    (tmp_path / "wrong.json").write_text('{"defaultAction": 1}')
    r = sh.run(f"docker run --security-opt {opt} busybox true")
    assert (r.code, r.err) == (125, err)
    assert sh.ok("docker ps -aq") == ""
