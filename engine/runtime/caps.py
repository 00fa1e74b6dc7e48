"""Linux capabilities: Docker's default set, and cutting a process down to it."""
from __future__ import annotations

from . import syscalls

NAMES = [
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
    "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
    "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
    "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
    "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
]
NUMBER = {name: i for i, name in enumerate(NAMES)}

# The 14 capabilities a Docker container keeps by default (moby's oci/caps/defaults.go).
DOCKER_DEFAULT = (
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
    "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
)


_last_cap: int | None = None


def last_cap() -> int:
    """The highest capability this kernel knows (read once; a container's /proc may
    hide it, so call this before entering one)."""
    global _last_cap
    if _last_cap is None:
        try:
            with open("/proc/sys/kernel/cap_last_cap") as f:
                _last_cap = int(f.read())
        except OSError:
            _last_cap = len(NAMES) - 1
    return _last_cap


def mask(names) -> int:
    m = 0
    for n in names:
        m |= 1 << NUMBER[n]
    return m


_own: int | None = None


def all_mask() -> int:
    """Every capability this process may hand out: its own permitted set (a container
    can't get more than the engine has; in a VM or a container that is less than all)."""
    global _own
    if _own is None:
        known = (1 << (last_cap() + 1)) - 1
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("CapPrm:"):
                        known &= int(line.split()[1], 16)
        except OSError:
            pass
        _own = known
    return _own


def limit_to(keep: int) -> None:
    """Drop every capability outside `keep` from the bounding set, then make `keep` the
    effective, permitted and inheritable sets. Needs CAP_SETPCAP, so it runs before the
    switch to the container's user."""
    for cap in range(last_cap() + 1):
        if not keep & (1 << cap):
            syscalls.prctl(syscalls.PR_CAPBSET_DROP, cap)
    syscalls.capset(keep, keep, keep)


def format_set(m: int) -> list[str]:
    return ["CAP_" + NAMES[i] for i in range(len(NAMES)) if m & (1 << i)]


def effective_set(privileged: bool, add=None, drop=None) -> int:
    """Docker's rule: the default set, plus --cap-add, minus --cap-drop ("ALL" allowed);
    everything with --privileged."""
    if privileged:
        return all_mask()
    keep = mask(DOCKER_DEFAULT)
    for name in add or ():
        keep = all_mask() if name == "ALL" else keep | (1 << NUMBER[name[4:]])
    for name in drop or ():
        keep = 0 if name == "ALL" else keep & ~(1 << NUMBER[name[4:]])
    return keep
