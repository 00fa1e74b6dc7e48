"""The docker command line, described once.

Every command, its aliases, arguments and flags live in this table; the parser, the
help pages, tab completion and the mistake hints are all generated from it. A flag
that Docker has but dockerlings does not support yet is still listed (marked
`planned`), so a learner who uses it hears "not supported here yet", not "unknown flag".
"""
from __future__ import annotations

from collections import namedtuple

# Value kinds: how a flag's text becomes a value (see values.py) and what help shows.
BOOL, STRING, INT, LIST, BYTES, DECIMAL, FILTER, DURATION, MAP, UINT16, UINT = (
    "bool", "string", "int", "list", "bytes", "decimal", "filter", "duration", "map", "uint16",
    "uint")


# The table entries are namedtuples, not dataclasses: building a few hundred of them
# is on the start-up path of every `dockerlings -c` call, and tuples are cheap to make.

class Flag(namedtuple("Flag", "long short kind help default metavar complete choices planned "
                              "hidden", defaults=(None, BOOL, "", None, None, None, (), None,
                                                  False))):
    """One flag. metavar: the type word in help when not the kind's own; complete: the
    completion source (container, image, signal, path ...); planned: why it is not
    supported yet (None: it works). default: the value when not given; for a repeated
    flag, only the text help shows as its default, when docker's value type prints one
    ("[]" for --ulimit)."""

    __slots__ = ()

    @property
    def dest(self) -> str:
        return self.long.replace("-", "_")

    @property
    def repeated(self) -> bool:
        return self.kind in (LIST, FILTER, MAP)

    def label(self) -> str:
        """How pflag names the flag in errors: "-m, --memory" or "--cpus"."""
        return f"-{self.short}, --{self.long}" if self.short else f"--{self.long}"


class Arg(namedtuple("Arg", "name complete many", defaults=(None, False))):
    """A positional argument (IMAGE, CONTAINER ...); many: takes all the rest."""

    __slots__ = ()


class Command(namedtuple("Command", "path usage summary handler flags args min_args max_args "
                                    "aliases interspersed group planned description",
                          defaults=((), (), 0, None, (), True, "Commands", None, None))):
    """path: canonical ("container", "run"); usage: after "docker ...";
    handler: "module:function" under shell.commands (None: planned); max_args None: no
    limit; aliases: other full paths (("run",), ("container", "list")); interspersed:
    False when options end at the first argument (run, create, exec, top, commit, tag, as
    docker sets them); group: the section in `docker --help`; description: the longer
    text `--help` shows instead of the summary, when docker has one."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def flag(self, name: str) -> Flag | None:
        for f in self.flags:
            if f.long == name:
                return f
        return None

    def short_flag(self, ch: str) -> Flag | None:
        for f in self.flags:
            if f.short == ch:
                return f
        return None


class Group(namedtuple("Group", "name summary planned plugin", defaults=(None, False))):
    """plugin: a CLI plugin in Docker (compose), which `docker --help` marks with a *."""
    __slots__ = ()


# --- flags shared by several commands --------------------------------------------------

FORMAT_TABLE_HELP = (
    "Format output using a custom template:\n"
    "'table':            Print output in table format with column headers (default)\n"
    "'table TEMPLATE':   Print output in table format using the given Go template\n"
    "'json':             Print in JSON format\n"
    "'TEMPLATE':         Print output using the given Go template.\n"
    "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "
    "output with templates")
FORMAT_PLAIN_HELP = (
    "Format output using a custom template:\n"
    "'json':             Print in JSON format\n"
    "'TEMPLATE':         Print output using the given Go template.\n"
    "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "
    "output with templates")

NETWORK_LATER = "networks arrive with the networking chapter of dockerlings"
VOLUME_LATER = "volumes and bind mounts arrive with the storage chapter of dockerlings"
UNSUPPORTED = "dockerlings does not implement this option"
HEALTH_LATER = "health checks arrive in a later dockerlings chapter"
LIMITS_LATER = ("dockerlings limits memory, CPU and the number of processes; other limits "
                "arrive in a later chapter")
NETWORK_DETAIL = ("dockerlings' networks give addresses and names; DNS options, IPv6, MAC "
                  "addresses are not modelled")
NO_DEVICES = "dockerlings has no GPU support"
WINDOWS_ONLY = "it is for Windows containers, and dockerlings runs Linux containers"
ONE_PLATFORM = "dockerlings runs images for this machine's platform only"
ONE_LOG = "dockerlings keeps every container's log itself, as docker's json-file driver does"
NO_TRUST = "dockerlings does not sign or verify images (Docker Content Trust)"
NO_API_SOCKET = "dockerlings' engine has no Docker API socket to share"

# Flags of `docker create` and `docker run` (run adds a few of its own).
CREATE_FLAGS = (
    Flag("add-host", kind=LIST, help="Add a custom host-to-IP mapping (host:ip)"),
    Flag("attach", "a", LIST, "Attach to STDIN, STDOUT or STDERR",
         choices=("stdin", "stdout", "stderr")),
    Flag("cap-add", kind=LIST, help="Add Linux capabilities", complete="capability"),
    Flag("cap-drop", kind=LIST, help="Drop Linux capabilities", complete="capability"),
    Flag("cidfile", kind=STRING, help="Write the container ID to the file", complete="path"),
    Flag("cpu-period", kind=INT, help="Limit CPU CFS (Completely Fair Scheduler) period"),
    Flag("cpu-quota", kind=INT, help="Limit CPU CFS (Completely Fair Scheduler) quota"),
    Flag("cpu-shares", "c", INT, "CPU shares (relative weight)"),
    Flag("cpus", kind=DECIMAL, help="Number of CPUs"),
    Flag("dns", kind=LIST, help="Set custom DNS servers"),
    Flag("domainname", kind=STRING, help="Container NIS domain name"),
    Flag("entrypoint", kind=STRING, help="Overwrite the default ENTRYPOINT of the image"),
    Flag("env", "e", LIST, "Set environment variables"),
    Flag("env-file", kind=LIST, help="Read in a file of environment variables", complete="path"),
    Flag("expose", kind=LIST, help="Expose a port or a range of ports"),
    Flag("hostname", "h", STRING, "Container host name"),
    Flag("init", help="Run an init inside the container that forwards signals and reaps "
         "processes"),
    Flag("interactive", "i", BOOL, "Keep STDIN open even if not attached"),
    Flag("ip", kind=STRING, help="IPv4 address (e.g., 172.30.100.104)"),
    Flag("ipc", kind=STRING, help="IPC mode to use", planned=UNSUPPORTED),
    Flag("label", "l", LIST, "Set meta data on a container"),
    Flag("label-file", kind=LIST, help="Read in a line delimited file of labels",
         complete="path"),
    Flag("memory", "m", BYTES, "Memory limit"),
    Flag("memory-swap", kind=BYTES, help="Swap limit equal to memory plus swap: '-1' to "
         "enable unlimited swap"),
    Flag("mount", kind=LIST, metavar="mount", help="Attach a filesystem mount to the "
         "container"),
    Flag("name", kind=STRING, help="Assign a name to the container"),
    Flag("network", kind=STRING, metavar="network", help="Connect a container to a network",
         complete="network"),
    Flag("net", kind=STRING, metavar="network", help="Connect a container to a network",
         complete="network", hidden=True),
    Flag("network-alias", kind=LIST, help="Add network-scoped alias for the container"),
    Flag("net-alias", kind=LIST, help="Add network-scoped alias for the container",
         hidden=True),
    Flag("pid", kind=STRING, help="PID namespace to use", complete="pid-mode"),
    Flag("pids-limit", kind=INT, help="Tune container pids limit (set -1 for unlimited)"),
    Flag("privileged", help="Give extended privileges to this container"),
    Flag("publish", "p", LIST, "Publish a container's port(s) to the host"),
    Flag("publish-all", "P", BOOL, "Publish all exposed ports to random ports"),
    Flag("quiet", "q", BOOL, "Suppress the pull output"),
    Flag("read-only", help="Mount the container's root filesystem as read only"),
    Flag("restart", kind=STRING, help="Restart policy to apply when a container exits",
         default="no", complete="restart",
         choices=("no", "always", "on-failure", "unless-stopped")),
    Flag("rm", help="Automatically remove the container and its associated anonymous "
         "volumes when it exits"),
    Flag("stop-signal", kind=STRING, help="Signal to stop the container", complete="signal"),
    Flag("stop-timeout", kind=INT, help="Timeout (in seconds) to stop a container"),
    Flag("tmpfs", kind=LIST, help="Mount a tmpfs directory"),
    Flag("tty", "t", BOOL, "Allocate a pseudo-TTY"),
    Flag("user", "u", STRING, "Username or UID (format: <name|uid>[:<group|gid>])"),
    Flag("volume", "v", LIST, "Bind mount a volume", complete="volume-spec"),
    Flag("volumes-from", kind=LIST, help="Mount volumes from the specified container(s)",
         complete="container"),
    Flag("workdir", "w", STRING, "Working directory inside the container"),
    # docker's other run/create options: parsed (and their values checked) as docker does,
    # then refused as planned (shell/cli/planned.py)
    Flag("annotation", kind=MAP, help="Add an annotation to the container (passed through "
         "to the OCI runtime)", planned=UNSUPPORTED),
    Flag("blkio-weight", kind=UINT16, help="Block IO (relative weight), between 10 and 1000, "
         "or 0 to disable (default 0)", planned=LIMITS_LATER),
    Flag("blkio-weight-device", kind=LIST, help="Block IO weight (relative device weight)",
         default="[]", planned=LIMITS_LATER),
    Flag("cgroup-parent", kind=STRING, help="Optional parent cgroup for the container",
         planned=UNSUPPORTED),
    Flag("cgroupns", kind=STRING, help="Cgroup namespace to use (host|private)\n"
         "'host':    Run the container in the Docker host's cgroup namespace\n"
         "'private': Run the container in its own private cgroup namespace\n"
         "'':        Use the cgroup namespace as configured by the\n"
         "           default-cgroupns-mode option on the daemon (default)",
         choices=("host", "private"), planned=UNSUPPORTED),
    Flag("cpu-count", kind=INT, help="CPU count (Windows only)", planned=WINDOWS_ONLY),
    Flag("cpu-percent", kind=INT, help="CPU percent (Windows only)", planned=WINDOWS_ONLY),
    Flag("cpu-rt-period", kind=INT, help="Limit CPU real-time period in microseconds",
         planned=LIMITS_LATER),
    Flag("cpu-rt-runtime", kind=INT, help="Limit CPU real-time runtime in microseconds",
         planned=LIMITS_LATER),
    Flag("cpuset-cpus", kind=STRING, help="CPUs in which to allow execution (0-3, 0,1)",
         planned=LIMITS_LATER),
    Flag("cpuset-mems", kind=STRING, help="MEMs in which to allow execution (0-3, 0,1)",
         planned=LIMITS_LATER),
    Flag("device", kind=LIST, help="Add a host device to the container", complete="path"),
    Flag("device-cgroup-rule", kind=LIST, help="Add a rule to the cgroup allowed devices list"),
    Flag("device-read-bps", kind=LIST, help="Limit read rate (bytes per second) from a device",
         default="[]", planned=LIMITS_LATER),
    Flag("device-read-iops", kind=LIST, help="Limit read rate (IO per second) from a device",
         default="[]", planned=LIMITS_LATER),
    Flag("device-write-bps", kind=LIST, help="Limit write rate (bytes per second) to a device",
         default="[]", planned=LIMITS_LATER),
    Flag("device-write-iops", kind=LIST, help="Limit write rate (IO per second) to a device",
         default="[]", planned=LIMITS_LATER),
    Flag("disable-content-trust", help="Skip image verification", default=True,
         planned=NO_TRUST),
    Flag("dns-option", kind=LIST, help="Set DNS options", planned=NETWORK_DETAIL),
    Flag("dns-opt", kind=LIST, help="Set DNS options", planned=NETWORK_DETAIL, hidden=True),
    Flag("dns-search", kind=LIST, help="Set custom DNS search domains", planned=NETWORK_DETAIL),
    Flag("gpus", kind=LIST, metavar="gpu-request", help="GPU devices to add to the container "
         "('all' to pass all GPUs)", planned=NO_DEVICES),
    Flag("group-add", kind=LIST, help="Add additional groups to join", planned=UNSUPPORTED),
    Flag("health-cmd", kind=STRING, help="Command to run to check health",
         planned=HEALTH_LATER),
    Flag("health-interval", kind=DURATION, help="Time between running the check (ms|s|m|h) "
         "(default 0s)", planned=HEALTH_LATER),
    Flag("health-retries", kind=INT, help="Consecutive failures needed to report unhealthy",
         planned=HEALTH_LATER),
    Flag("health-start-interval", kind=DURATION, help="Time between running the check during "
         "the start period (ms|s|m|h) (default 0s)", planned=HEALTH_LATER),
    Flag("health-start-period", kind=DURATION, help="Start period for the container to "
         "initialize before starting health-retries countdown (ms|s|m|h) (default 0s)",
         planned=HEALTH_LATER),
    Flag("health-timeout", kind=DURATION, help="Maximum time to allow one check to run "
         "(ms|s|m|h) (default 0s)", planned=HEALTH_LATER),
    Flag("io-maxbandwidth", kind=BYTES, help="Maximum IO bandwidth limit for the system drive "
         "(Windows only)", planned=WINDOWS_ONLY),
    Flag("io-maxiops", kind=UINT, help="Maximum IOps limit for the system drive (Windows only)",
         planned=WINDOWS_ONLY),
    Flag("ip6", kind=STRING, help="IPv6 address (e.g., 2001:db8::33)", planned=NETWORK_DETAIL),
    Flag("isolation", kind=STRING, help="Container isolation technology",
         planned=WINDOWS_ONLY),
    Flag("kernel-memory", kind=BYTES, help="Kernel memory limit", planned=LIMITS_LATER),
    Flag("link", kind=LIST, help="Add link to another container", complete="container"),
    Flag("link-local-ip", kind=LIST, help="Container IPv4/IPv6 link-local addresses",
         planned=NETWORK_DETAIL),
    Flag("log-driver", kind=STRING, help="Logging driver for the container", planned=ONE_LOG),
    Flag("log-opt", kind=LIST, help="Log driver options", planned=ONE_LOG),
    Flag("mac-address", kind=STRING, help="Container MAC address (e.g., 92:d0:c6:0a:29:33)",
         planned=NETWORK_DETAIL),
    Flag("memory-reservation", kind=BYTES, help="Memory soft limit", planned=LIMITS_LATER),
    Flag("memory-swappiness", kind=INT, help="Tune container memory swappiness (0 to 100)",
         default=-1, planned=LIMITS_LATER),
    Flag("no-healthcheck", help="Disable any container-specified HEALTHCHECK",
         planned=HEALTH_LATER),
    Flag("oom-kill-disable", help="Disable OOM Killer", planned=LIMITS_LATER),
    Flag("oom-score-adj", kind=INT, help="Tune host's OOM preferences (-1000 to 1000)",
         planned=LIMITS_LATER),
    Flag("platform", kind=STRING, help="Set platform if server is multi-platform capable",
         planned=ONE_PLATFORM),
    Flag("runtime", kind=STRING, help="Runtime to use for this container",
         planned="dockerlings runs containers with its own engine only"),
    Flag("security-opt", kind=LIST, help="Security Options", complete="security-opt"),
    Flag("shm-size", kind=BYTES, help="Size of /dev/shm", planned=LIMITS_LATER),
    Flag("storage-opt", kind=LIST, help="Storage driver options for the container",
         planned=UNSUPPORTED),
    Flag("sysctl", kind=MAP, help="Sysctl options", planned=UNSUPPORTED),
    Flag("ulimit", kind=LIST, metavar="ulimit", help="Ulimit options", default="[]",
         planned=LIMITS_LATER),
    Flag("use-api-socket", help="Bind mount Docker API socket and required auth",
         planned=NO_API_SOCKET),
    Flag("userns", kind=STRING, help="User namespace to use", choices=("host",),
         planned=UNSUPPORTED),
    Flag("uts", kind=STRING, help="UTS namespace to use", choices=("host",),
         planned=UNSUPPORTED),
    Flag("volume-driver", kind=STRING, help="Optional volume driver for the container",
         planned="dockerlings' volumes use the local driver only"),
)


def _pull_flag(help_text: str) -> Flag:
    return Flag("pull", kind=STRING, help=help_text, default="missing",
                choices=("always", "missing", "never"))


# docker words --pull differently for run and create; the "|" in create's is docker's own
CREATE_PULL = _pull_flag('Pull image before creating ("always", "|missing", "never")')
RUN_PULL = _pull_flag('Pull image before running ("always", "missing", "never")')

RUN_ONLY_FLAGS = (
    RUN_PULL,
    Flag("detach", "d", BOOL, "Run container in background and print container ID"),
    Flag("detach-keys", kind=STRING, help="Override the key sequence for detaching a container"),
    Flag("sig-proxy", help="Proxy received signals to the process", default=True),
)


def _sorted(flags) -> tuple[Flag, ...]:
    return tuple(sorted(flags, key=lambda f: f.long))


# In docker's order (cobra sorts commands by name).
GROUPS = (
    Group("compose", "Docker Compose", plugin=True),
    Group("container", "Manage containers"),
    Group("image", "Manage images"),
    Group("network", "Manage networks"),
    Group("system", "Manage Docker"),
    Group("volume", "Manage volumes"),
)

# docker itself: the options before the command name (the Global Options of `docker
# --help`); options end at the command name.
ROOT = Command((), "[OPTIONS] COMMAND [ARG...]", "A self-sufficient runtime for containers",
               None, (Flag("debug", "D", help="Enable debug mode"),
                      Flag("version", "v", help="Print version information and quit")),
               interspersed=False)

C, I, N, V = "container", "image", "network", "volume"

COMMANDS: tuple[Command, ...] = (
    # ---- containers ------------------------------------------------------------------
    Command((C, "run"), "[OPTIONS] IMAGE [COMMAND] [ARG...]",
            "Create and run a new container from an image", "containers:run",
            _sorted(CREATE_FLAGS + RUN_ONLY_FLAGS),
            (Arg("IMAGE", "image"), Arg("COMMAND", "command", many=True)),
            min_args=1, aliases=(("run",),), interspersed=False, group="Common Commands"),
    Command((C, "create"), "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container",
            "containers:create", _sorted(CREATE_FLAGS + (CREATE_PULL,)),
            (Arg("IMAGE", "image"), Arg("COMMAND", "command", many=True)),
            min_args=1, aliases=(("create",),), interspersed=False),
    Command((C, "start"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Start one or more stopped containers", "containers:start",
            (Flag("attach", "a", BOOL, "Attach STDOUT/STDERR and forward signals"),
             Flag("detach-keys", kind=STRING,
                  help="Override the key sequence for detaching a container"),
             Flag("interactive", "i", BOOL, "Attach container's STDIN")),
            (Arg("CONTAINER", "stopped-container", many=True),), min_args=1,
            aliases=(("start",),)),
    Command((C, "stop"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Stop one or more running containers", "containers:stop",
            (Flag("signal", "s", STRING, "Signal to send to the container", complete="signal"),
             Flag("timeout", "t", INT, "Seconds to wait before killing the container"),
             Flag("time", kind=INT, help="Seconds to wait before killing the container",
                  hidden=True)),
            (Arg("CONTAINER", "running-container", many=True),), min_args=1,
            aliases=(("stop",),)),
    Command((C, "restart"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Restart one or more containers", "containers:restart",
            (Flag("signal", "s", STRING, "Signal to send to the container", complete="signal"),
             Flag("timeout", "t", INT, "Seconds to wait before killing the container"),
             Flag("time", kind=INT, help="Seconds to wait before killing the container",
                  hidden=True)),
            (Arg("CONTAINER", "container", many=True),), min_args=1, aliases=(("restart",),)),
    Command((C, "kill"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Kill one or more running containers", "containers:kill",
            (Flag("signal", "s", STRING, "Signal to send to the container", complete="signal"),),
            (Arg("CONTAINER", "running-container", many=True),), min_args=1,
            aliases=(("kill",),)),
    Command((C, "rm"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Remove one or more containers", "containers:rm",
            (Flag("force", "f", BOOL, "Force the removal of a running container (uses SIGKILL)"),
             Flag("link", "l", BOOL, "Remove the specified link", planned=NETWORK_LATER),
             Flag("volumes", "v", BOOL, "Remove anonymous volumes associated with the container")),
            (Arg("CONTAINER", "container", many=True),), min_args=1,
            aliases=((C, "remove"), ("rm",))),
    Command((C, "wait"), "CONTAINER [CONTAINER...]",
            "Block until one or more containers stop, then print their exit codes",
            "containers:wait", (), (Arg("CONTAINER", "container", many=True),), min_args=1,
            aliases=(("wait",),)),
    Command((C, "rename"), "CONTAINER NEW_NAME", "Rename a container", "containers:rename", (),
            (Arg("CONTAINER", "container"), Arg("NEW_NAME")), min_args=2, max_args=2,
            aliases=(("rename",),)),
    Command((C, "pause"), "CONTAINER [CONTAINER...]",
            "Pause all processes within one or more containers", "containers:pause", (),
            (Arg("CONTAINER", "running-container", many=True),), min_args=1,
            aliases=(("pause",),)),
    Command((C, "unpause"), "CONTAINER [CONTAINER...]",
            "Unpause all processes within one or more containers", "containers:unpause", (),
            (Arg("CONTAINER", "paused-container", many=True),), min_args=1,
            aliases=(("unpause",),)),
    Command((C, "ls"), "[OPTIONS]", "List containers", "containers:ls",
            (Flag("all", "a", BOOL, "Show all containers (default shows just running)"),
             Flag("filter", "f", FILTER, "Filter output based on conditions provided",
                  complete="ps-filter"),
             Flag("format", kind=STRING, help=FORMAT_TABLE_HELP, complete="format:container"),
             Flag("last", "n", INT, "Show n last created containers (includes all states)",
                  default=-1),
             Flag("latest", "l", BOOL, "Show the latest created container (includes all "
                  "states)"),
             Flag("no-trunc", help="Don't truncate output"),
             Flag("quiet", "q", BOOL, "Only display container IDs"),
             Flag("size", "s", BOOL, "Display total file sizes")),
            max_args=0, aliases=((C, "list"), (C, "ps"), ("ps",)), group="Common Commands"),
    Command((C, "logs"), "[OPTIONS] CONTAINER", "Fetch the logs of a container",
            "containers:logs",
            (Flag("details", help="Show extra details provided to logs"),
             Flag("follow", "f", BOOL, "Follow log output"),
             Flag("since", kind=STRING, help='Show logs since timestamp (e.g. '
                  '"2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
             Flag("tail", "n", STRING, "Number of lines to show from the end of the logs",
                  default="all"),
             Flag("timestamps", "t", BOOL, "Show timestamps"),
             Flag("until", kind=STRING, help='Show logs before a timestamp (e.g. '
                  '"2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')),
            (Arg("CONTAINER", "container"),), min_args=1, max_args=1, aliases=(("logs",),)),
    Command((C, "exec"), "[OPTIONS] CONTAINER COMMAND [ARG...]",
            "Execute a command in a running container", "execs:exec",
            (Flag("detach", "d", BOOL, "Detached mode: run command in the background"),
             Flag("detach-keys", kind=STRING,
                  help="Override the key sequence for detaching a container"),
             Flag("env", "e", LIST, "Set environment variables"),
             Flag("env-file", kind=LIST, help="Read in a file of environment variables",
                  complete="path"),
             Flag("interactive", "i", BOOL, "Keep STDIN open even if not attached"),
             Flag("privileged", help="Give extended privileges to the command"),
             Flag("tty", "t", BOOL, "Allocate a pseudo-TTY"),
             Flag("user", "u", STRING, 'Username or UID (format: "<name|uid>[:<group|gid>]")'),
             Flag("workdir", "w", STRING, "Working directory inside the container")),
            (Arg("CONTAINER", "running-container"), Arg("COMMAND", "command", many=True)),
            min_args=2, aliases=(("exec",),), interspersed=False, group="Common Commands"),
    Command((C, "attach"), "[OPTIONS] CONTAINER",
            "Attach local standard input, output, and error streams to a running container",
            "attach:attach",
            (Flag("detach-keys", kind=STRING,
                  help="Override the key sequence for detaching a container"),
             Flag("no-stdin", help="Do not attach STDIN"),
             Flag("sig-proxy", help="Proxy all received signals to the process", default=True)),
            (Arg("CONTAINER", "running-container"),), min_args=1, max_args=1,
            aliases=(("attach",),)),
    Command((C, "top"), "CONTAINER [ps OPTIONS]",
            "Display the running processes of a container", "containers:top", (),
            (Arg("CONTAINER", "running-container"), Arg("ps OPTIONS", many=True)), min_args=1,
            aliases=(("top",),), interspersed=False),
    Command((C, "inspect"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Display detailed information on one or more containers", "inspect:container",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP, complete="format:inspect"),
             Flag("size", "s", BOOL, "Display total file sizes")),
            (Arg("CONTAINER", "container", many=True),), min_args=1),
    Command((C, "commit"), "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
            "Create a new image from a container's changes", "images:commit",
            (Flag("author", "a", STRING, 'Author (e.g., "John Hannibal Smith '
                  '<hannibal@a-team.com>")'),
             Flag("change", "c", LIST, "Apply Dockerfile instruction to the created image"),
             Flag("message", "m", STRING, "Commit message"),
             Flag("pause", "p", BOOL, "Pause container during commit", default=True)),
            (Arg("CONTAINER", "container"), Arg("REPOSITORY[:TAG]", "image")), min_args=1,
            max_args=2, aliases=(("commit",),), interspersed=False),
    Command((C, "diff"), "CONTAINER",
            "Inspect changes to files or directories on a container's filesystem",
            "containers:diff", (), (Arg("CONTAINER", "container"),), min_args=1, max_args=1,
            aliases=(("diff",),)),
    Command((C, "prune"), "[OPTIONS]", "Remove all stopped containers", "containers:prune",
            (Flag("filter", kind=FILTER, help='Provide filter values (e.g. "until=<timestamp>")'),
             Flag("force", "f", BOOL, "Do not prompt for confirmation")),
            max_args=0),
    Command((C, "port"), "CONTAINER [PRIVATE_PORT[/PROTO]]",
            "List port mappings or a specific mapping for the container", "network:port", (),
            (Arg("CONTAINER", "container"), Arg("PRIVATE_PORT")), min_args=1, max_args=2,
            aliases=(("port",),)),
    Command((C, "cp"), "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
            "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
            "Copy files/folders between a container and the local filesystem", "cp:cp",
            (Flag("archive", "a", BOOL, "Archive mode (copy all uid/gid information)"),
             Flag("follow-link", "L", BOOL, "Always follow symbol link in SRC_PATH"),
             Flag("quiet", "q", BOOL, "Suppress progress output during copy. Progress output "
                  "is automatically suppressed if no terminal is attached")),
            (Arg("SRC", "cp-path"), Arg("DEST", "cp-path")), min_args=2, max_args=2,
            aliases=(("cp",),),
            description="Copy files/folders between a container and the local filesystem\n\n"
            "Use '-' as the source to read a tar archive from stdin\n"
            "and extract it to a directory destination in a container.\n"
            "Use '-' as the destination to stream a tar archive of a\n"
            "container source to stdout."),
    Command((C, "stats"), "[OPTIONS] [CONTAINER...]",
            "Display a live stream of container(s) resource usage statistics", "stats:stats",
            (Flag("all", "a", BOOL, "Show all containers (default shows just running)"),
             Flag("format", kind=STRING, help=FORMAT_TABLE_HELP),
             Flag("no-stream", help="Disable streaming stats and only pull the first result"),
             Flag("no-trunc", help="Do not truncate output")),
            (Arg("CONTAINER", "container", many=True),), aliases=(("stats",),)),
    Command((C, "export"), "[OPTIONS] CONTAINER",
            "Export a container's filesystem as a tar archive", "archives:export",
            (Flag("output", "o", STRING, "Write to a file, instead of STDOUT",
                  complete="path"),),
            (Arg("CONTAINER", "container"),), min_args=1, max_args=1,
            aliases=(("export",),)),
    Command((C, "update"), "[OPTIONS] CONTAINER [CONTAINER...]",
            "Update configuration of one or more containers", "limits:update",
            (Flag("blkio-weight", kind=UINT16, help="Block IO (relative weight), between 10 "
                  "and 1000, or 0 to disable (default 0)", planned=LIMITS_LATER),
             Flag("cpu-period", kind=INT, help="Limit CPU CFS (Completely Fair Scheduler) "
                  "period"),
             Flag("cpu-quota", kind=INT, help="Limit CPU CFS (Completely Fair Scheduler) "
                  "quota"),
             Flag("cpu-rt-period", kind=INT, help="Limit the CPU real-time period in "
                  "microseconds", planned=LIMITS_LATER),
             Flag("cpu-rt-runtime", kind=INT, help="Limit the CPU real-time runtime in "
                  "microseconds", planned=LIMITS_LATER),
             Flag("cpu-shares", "c", INT, "CPU shares (relative weight)"),
             Flag("cpus", kind=DECIMAL, help="Number of CPUs"),
             Flag("cpuset-cpus", kind=STRING, help="CPUs in which to allow execution (0-3, "
                  "0,1)", planned=LIMITS_LATER),
             Flag("cpuset-mems", kind=STRING, help="MEMs in which to allow execution (0-3, "
                  "0,1)", planned=LIMITS_LATER),
             Flag("kernel-memory", kind=BYTES, help="Kernel memory limit (deprecated)",
                  planned=LIMITS_LATER, hidden=True),
             Flag("memory", "m", BYTES, "Memory limit"),
             Flag("memory-reservation", kind=BYTES, help="Memory soft limit",
                  planned=LIMITS_LATER),
             Flag("memory-swap", kind=BYTES, help="Swap limit equal to memory plus swap: -1 "
                  "to enable unlimited swap"),
             Flag("pids-limit", kind=INT, help="Tune container pids limit (set -1 for "
                  "unlimited)"),
             Flag("restart", kind=STRING, help="Restart policy to apply when a container "
                  "exits", complete="restart")),
            (Arg("CONTAINER", "container", many=True),), min_args=1,
            aliases=(("update",),)),

    # ---- images ------------------------------------------------------------------------
    Command((I, "ls"), "[OPTIONS] [REPOSITORY[:TAG]]", "List images", "images:ls",
            (Flag("all", "a", BOOL, "Show all images (default hides intermediate images)"),
             Flag("digests", help="Show digests"),
             Flag("filter", "f", FILTER, "Filter output based on conditions provided",
                  complete="images-filter"),
             Flag("format", kind=STRING, help=FORMAT_TABLE_HELP, complete="format:image"),
             Flag("no-trunc", help="Don't truncate output"),
             Flag("quiet", "q", BOOL, "Only show image IDs")),
            (Arg("REPOSITORY[:TAG]", "repository"),), max_args=1,
            aliases=((I, "list"), ("images",)), group="Common Commands"),
    Command((I, "pull"), "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
            "registries:pull",
            (Flag("all-tags", "a", BOOL, "Download all tagged images in the repository"),
             Flag("platform", kind=STRING, help="Set platform if server is multi-platform "
                  "capable"),
             Flag("quiet", "q", BOOL, "Suppress verbose output")),
            (Arg("NAME[:TAG|@DIGEST]", "image"),), min_args=1, max_args=1,
            aliases=(("pull",),), group="Common Commands"),
    Command((I, "tag"), "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", "images:tag", (),
            (Arg("SOURCE_IMAGE[:TAG]", "image"), Arg("TARGET_IMAGE[:TAG]", "image")),
            min_args=2, max_args=2, aliases=(("tag",),), interspersed=False),
    Command((I, "rm"), "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", "images:rm",
            (Flag("force", "f", BOOL, "Force removal of the image"),
             Flag("no-prune", help="Do not delete untagged parents"),
             Flag("platform", kind=LIST, metavar="strings", help="Remove only the given "
                  'platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
                  planned="dockerlings' images are single-platform: rmi removes the whole "
                  "image")),
            (Arg("IMAGE", "image", many=True),), min_args=1,
            aliases=((I, "remove"), ("rmi",))),
    Command((I, "history"), "[OPTIONS] IMAGE", "Show the history of an image", "images:history",
            (Flag("format", kind=STRING, help=FORMAT_TABLE_HELP, complete="format:history"),
             Flag("human", "H", BOOL, "Print sizes and dates in human readable format",
                  default=True),
             Flag("no-trunc", help="Don't truncate output"),
             Flag("quiet", "q", BOOL, "Only show image IDs")),
            (Arg("IMAGE", "image"),), min_args=1, max_args=1, aliases=(("history",),)),
    Command((I, "inspect"), "[OPTIONS] IMAGE [IMAGE...]",
            "Display detailed information on one or more images", "inspect:image",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP, complete="format:inspect"),),
            (Arg("IMAGE", "image", many=True),), min_args=1),
    Command((I, "prune"), "[OPTIONS]", "Remove unused images", "images:prune",
            (Flag("all", "a", BOOL, "Remove all unused images, not just dangling ones"),
             Flag("filter", kind=FILTER, help='Provide filter values (e.g. "until=<timestamp>")'),
             Flag("force", "f", BOOL, "Do not prompt for confirmation")),
            max_args=0),
    Command((I, "build"), "[OPTIONS] PATH | URL | -", "Build an image from a Dockerfile",
            "build:build",
            (Flag("add-host", kind=LIST, metavar="strings",
                  help='Add a custom host-to-IP mapping (format: "host:ip")',
                  planned=NETWORK_LATER),
             Flag("build-arg", kind=LIST, metavar="stringArray", help="Set build-time variables"),
             Flag("cache-from", kind=LIST, metavar="stringArray",
                  help='External cache sources (e.g., "user/app:cache", '
                  '"type=local,src=path/to/dir")', planned=UNSUPPORTED),
             Flag("file", "f", STRING, 'Name of the Dockerfile (default: "PATH/Dockerfile")',
                  complete="path"),
             Flag("iidfile", kind=STRING, help="Write the image ID to a file", complete="path"),
             Flag("label", kind=LIST, metavar="stringArray", help="Set metadata for an image"),
             Flag("network", kind=STRING, help='Set the networking mode for the "RUN" '
                  "instructions during build", default="default",
                  choices=("default", "none")),
             Flag("no-cache", help="Do not use cache when building the image"),
             Flag("platform", kind=LIST, metavar="stringArray",
                  help="Set target platform for build"),
             Flag("progress", kind=STRING, help='Set type of progress output ("auto", "quiet", '
                  '"plain", "tty", "rawjson"). Use plain to show container output',
                  default="auto", choices=("auto", "quiet", "plain", "tty", "rawjson")),
             Flag("pull", help="Always attempt to pull all referenced images"),
             Flag("quiet", "q", BOOL, "Suppress the build output and print image ID on success"),
             Flag("secret", kind=LIST, metavar="stringArray", help='Secret to share with the '
                  'build (format: "id=mysecret[,src=/local/secret]")', planned=UNSUPPORTED),
             Flag("ssh", kind=LIST, metavar="stringArray", help="SSH agent socket or keys to "
                  'expose to the build (format: "default|<id>[=<socket>|<key>[,<passphrase>]]")',
                  planned=UNSUPPORTED),
             Flag("tag", "t", LIST, 'Image identifier (format: "[registry/]repository[:tag]")',
                  metavar="stringArray"),
             Flag("target", kind=STRING, help="Set the target build stage to build")),
            (Arg("PATH", "path"),), min_args=1, max_args=1, aliases=(("build",),),
            group="Common Commands"),
    Command((I, "push"), "[OPTIONS] NAME[:TAG]", "Upload an image to a registry",
            "registries:push",
            (Flag("all-tags", "a", BOOL, "Push all tags of an image to the repository"),
             Flag("quiet", "q", BOOL, "Suppress verbose output")),
            (Arg("NAME[:TAG]", "image"),), min_args=1, max_args=1, aliases=(("push",),),
            group="Common Commands"),
    Command((I, "save"), "[OPTIONS] IMAGE [IMAGE...]",
            "Save one or more images to a tar archive (streamed to STDOUT by default)",
            "archives:save",
            (Flag("output", "o", STRING, "Write to a file, instead of STDOUT", complete="path"),
             Flag("platform", kind=STRING, help='Save only the given platform variant. '
                  'Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
                  planned="dockerlings keeps one platform per image")),
            (Arg("IMAGE", "image", many=True),), min_args=1, aliases=(("save",),)),
    Command((I, "load"), "[OPTIONS]", "Load an image from a tar archive or STDIN",
            "archives:load",
            (Flag("input", "i", STRING, "Read from tar archive file, instead of STDIN",
                  complete="path"),
             Flag("platform", kind=STRING, help='Load only the given platform variant. '
                  'Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
                  planned="dockerlings loads this machine's platform"),
             Flag("quiet", "q", BOOL, "Suppress the load output")),
            (), max_args=0, aliases=(("load",),)),
    Command((I, "import"), "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
            "Import the contents from a tarball to create a filesystem image", "archives:import_",
            (Flag("change", "c", LIST, "Apply Dockerfile instruction to the created image"),
             Flag("message", "m", STRING, "Set commit message for imported image"),
             Flag("platform", kind=STRING, help="Set platform if server is multi-platform "
                  "capable")),
            (Arg("file|URL|-", "path"), Arg("REPOSITORY[:TAG]", "image")), min_args=1,
            aliases=(("import",),)),

    # ---- networks ----------------------------------------------------------------------
    Command((N, "ls"), "[OPTIONS]", "List networks", "network:ls",
            (Flag("filter", "f", FILTER, 'Provide filter values (e.g. "driver=bridge")'),
             Flag("format", kind=STRING, help=FORMAT_TABLE_HELP, complete="format:network"),
             Flag("no-trunc", help="Do not truncate the output"),
             Flag("quiet", "q", BOOL, "Only display network IDs")),
            max_args=0, aliases=((N, "list"),)),
    Command((N, "create"), "[OPTIONS] NETWORK", "Create a network", "network:create",
            (Flag("attachable", help="Enable manual container attachment"),
             Flag("driver", "d", STRING, "Driver to manage the Network", default="bridge",
                  choices=("bridge",)),
             Flag("gateway", kind=LIST, metavar="strings",
                  help="IPv4 or IPv6 Gateway for the master subnet"),
             Flag("internal", help="Restrict external access to the network"),
             Flag("ip-range", kind=LIST, metavar="strings",
                  help="Allocate container ip from a sub-range", planned=UNSUPPORTED),
             Flag("ipv6", help="Enable or disable IPv6 address assignment",
                  planned=UNSUPPORTED),
             Flag("label", kind=LIST, help="Set metadata on a network"),
             Flag("opt", "o", MAP, "Set driver specific options", planned=UNSUPPORTED),
             Flag("subnet", kind=LIST, metavar="strings",
                  help="Subnet in CIDR format that represents a network segment")),
            (Arg("NETWORK"),), min_args=1, max_args=1),
    Command((N, "rm"), "NETWORK [NETWORK...]", "Remove one or more networks", "network:rm",
            (Flag("force", "f", BOOL, "Do not error if the network does not exist"),),
            (Arg("NETWORK", "network", many=True),), min_args=1, aliases=((N, "remove"),)),
    Command((N, "inspect"), "[OPTIONS] NETWORK [NETWORK...]",
            "Display detailed information on one or more networks", "network:inspect",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP, complete="format:inspect"),
             Flag("verbose", "v", BOOL, "Verbose output for diagnostics")),
            (Arg("NETWORK", "network", many=True),), min_args=1),
    Command((N, "prune"), "[OPTIONS]", "Remove all unused networks", "network:prune",
            (Flag("filter", kind=FILTER, help='Provide filter values (e.g. "until=<timestamp>")'),
             Flag("force", "f", BOOL, "Do not prompt for confirmation")),
            max_args=0),
    Command((N, "connect"), "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network",
            "network:connect",
            (Flag("alias", kind=LIST, metavar="strings",
                  help="Add network-scoped alias for the container"),
             Flag("ip", kind=STRING, help='IPv4 address (e.g., "172.30.100.104")')),
            (Arg("NETWORK", "network"), Arg("CONTAINER", "container")), min_args=2,
            max_args=2),
    Command((N, "disconnect"), "[OPTIONS] NETWORK CONTAINER",
            "Disconnect a container from a network", "network:disconnect",
            (Flag("force", "f", BOOL, "Force the container to disconnect from a network"),),
            (Arg("NETWORK", "network"), Arg("CONTAINER", "container")), min_args=2,
            max_args=2),

    # ---- volumes -----------------------------------------------------------------------
    Command((V, "create"), "[OPTIONS] [VOLUME]", "Create a volume", "volume:create",
            (Flag("driver", "d", STRING, "Specify volume driver name", default="local"),
             Flag("label", kind=LIST, help="Set metadata for a volume"),
             Flag("name", kind=STRING, help="Specify volume name", hidden=True),
             Flag("opt", "o", MAP, "Set driver specific options",
                  planned="dockerlings' local volumes take no driver options")),
            (Arg("VOLUME"),), max_args=1),
    Command((V, "inspect"), "[OPTIONS] VOLUME [VOLUME...]",
            "Display detailed information on one or more volumes", "volume:inspect",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP, complete="format:inspect"),),
            (Arg("VOLUME", "volume", many=True),), min_args=1),
    Command((V, "ls"), "[OPTIONS]", "List volumes", "volume:ls",
            (Flag("filter", "f", FILTER, 'Provide filter values (e.g. "dangling=true")'),
             Flag("format", kind=STRING, help=FORMAT_TABLE_HELP, complete="format:volume"),
             Flag("quiet", "q", BOOL, "Only display volume names")),
            max_args=0, aliases=((V, "list"),)),
    Command((V, "prune"), "[OPTIONS]", "Remove unused local volumes", "volume:prune",
            (Flag("all", "a", BOOL, "Remove all unused volumes, not just anonymous ones"),
             Flag("filter", kind=FILTER, help='Provide filter values (e.g. "label=<label>")'),
             Flag("force", "f", BOOL, "Do not prompt for confirmation")),
            max_args=0),
    Command((V, "rm"), "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
            "volume:rm", (Flag("force", "f", BOOL, "Force the removal of one or more volumes"),),
            (Arg("VOLUME", "volume", many=True),), min_args=1, aliases=((V, "remove"),),
            description="Remove one or more volumes. You cannot remove a volume that is in "
            "use by a container."),

    # ---- everything else --------------------------------------------------------------
    Command(("inspect",), "[OPTIONS] NAME|ID [NAME|ID...]",
            "Return low-level information on Docker objects", "inspect:any",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP, complete="format:inspect"),
             Flag("size", "s", BOOL, "Display total file sizes if the type is container"),
             Flag("type", kind=STRING, help="Only inspect objects of the given type",
                  choices=("container", "image", "network", "volume"))),
            (Arg("NAME|ID", "object", many=True),), min_args=1),
    Command(("version",), "[OPTIONS]", "Show the Docker version information", "system:version",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP),), max_args=0,
            group="Common Commands"),
    Command(("system", "info"), "[OPTIONS]", "Display system-wide information", "system:info",
            (Flag("format", "f", STRING, FORMAT_PLAIN_HELP),), max_args=0,
            aliases=(("info",),), group="Common Commands"),
    Command(("system", "df"), "[OPTIONS]", "Show docker disk usage", "system:df",
            (Flag("format", kind=STRING, help=FORMAT_TABLE_HELP),
             Flag("verbose", "v", BOOL, "Show detailed information on space usage")),
            max_args=0),
    Command(("system", "events"), "[OPTIONS]", "Get real time events from the server",
            "events:events",
            (Flag("filter", "f", FILTER, "Filter output based on conditions provided"),
             Flag("format", kind=STRING, help=FORMAT_PLAIN_HELP),
             Flag("since", kind=STRING, help="Show all events created since timestamp"),
             Flag("until", kind=STRING, help="Stream events until this timestamp")),
            max_args=0, aliases=(("events",),)),
    Command(("system", "prune"), "[OPTIONS]", "Remove unused data", "system:prune",
            (Flag("all", "a", BOOL, "Remove all unused images not just dangling ones"),
             Flag("filter", kind=FILTER, help='Provide filter values (e.g. '
                  '"label=<key>=<value>")'),
             Flag("force", "f", BOOL, "Do not prompt for confirmation"),
             Flag("volumes", help="Prune anonymous volumes")),
            max_args=0),
    Command(("search",), "[OPTIONS] TERM", "Search Docker Hub for images", "registries:search",
            (Flag("filter", "f", FILTER, "Filter output based on conditions provided"),
             Flag("format", kind=STRING, help="Pretty-print search using a Go template"),
             Flag("limit", kind=INT, help="Max number of search results"),
             Flag("no-trunc", help="Don't truncate output")),
            (), min_args=1, max_args=1, group="Common Commands"),
    Command(("login",), "[OPTIONS] [SERVER]", "Authenticate to a registry", "registries:login",
            (Flag("password", "p", STRING, "Password or Personal Access Token (PAT)"),
             Flag("password-stdin", help="Take the Password or Personal Access Token (PAT) "
                  "from stdin"),
             Flag("username", "u", STRING, "Username")),
            (), max_args=1, group="Common Commands",
            description="Authenticate to a registry.\nDefaults to Docker Hub if no server is "
            "specified."),
    Command(("logout",), "[SERVER]", "Log out from a registry", "registries:logout", (), (),
            max_args=1, group="Common Commands",
            description="Log out from a registry.\nIf no server is specified, the default is "
            "defined by the daemon."),
)

# ---- docker compose (shell/compose/): Compose's options come before its subcommand
# (`docker compose -f x.yaml up -d`); the parser moves them after it, so every
# subcommand takes them too, as Compose's persistent flags.
COMPOSE_GLOBAL = (
    Flag("env-file", kind=LIST, help="Specify an alternate environment file", complete="path"),
    Flag("file", "f", LIST, "Compose configuration files", complete="path"),
    Flag("profile", kind=LIST, help="Specify a profile to enable"),
    Flag("project-directory", kind=STRING, help="Specify an alternate working directory\n"
         "(default: the path of the, first specified, Compose file)", complete="path"),
    Flag("project-name", "p", STRING, "Project name"),
)
COMPOSE = Command(("compose",), "[OPTIONS] COMMAND", "Docker Compose", None, COMPOSE_GLOBAL,
                  interspersed=False)
_SERVICES = (Arg("SERVICE", "service", many=True),)


def _compose(name: str, usage: str, summary: str, flags=(), args=_SERVICES, **kw) -> Command:
    """A compose subcommand; its own shorthands shadow the global ones (as cobra's local
    flags shadow persistent ones: `rm -f` is --force)."""
    own = {f.short for f in flags if f.short}
    inherited = tuple(g._replace(short=None) if g.short in own else g for g in COMPOSE_GLOBAL)
    return Command(("compose", name), usage, summary, f"compose:{name}",
                   _sorted(tuple(flags) + inherited), args, **kw)


COMPOSE_COMMANDS = (
    _compose("config", "[OPTIONS] [SERVICE...]", "Parse, resolve and render compose file in "
             "canonical format",
             (Flag("format", kind=STRING, help='Format the output. Values: [yaml | json]',
                   default="yaml", choices=("yaml", "json")),
              Flag("quiet", "q", BOOL, "Only validate the configuration, don't print anything"),
              Flag("services", help="Print the service names, one per line."),
              Flag("volumes", help="Print the volume names, one per line."),
              Flag("networks", help="Print the network names, one per line."))),
    _compose("up", "[OPTIONS] [SERVICE...]", "Create and start containers",
             (Flag("detach", "d", BOOL, "Detached mode: Run containers in the background"),
              Flag("force-recreate", help="Recreate containers even if their configuration "
                   "and image haven't changed"),
              Flag("no-recreate", help="If containers already exist, don't recreate them. "
                   "Incompatible with --force-recreate."),
              Flag("remove-orphans", help="Remove containers for services not defined in the "
                   "Compose file"),
              Flag("build", help="Build images before starting containers"),
              Flag("no-build", help="Don't build an image, even if it's policy"),
              Flag("no-start", help="Don't start the services after creating them"),
              Flag("renew-anon-volumes", "V", BOOL, "Recreate anonymous volumes instead of "
                   "retrieving data from the previous containers"),
              Flag("scale", kind=LIST, help="Scale SERVICE to NUM instances. Overrides the "
                   "`scale` setting in the Compose file if present."))),
    _compose("down", "[OPTIONS] [SERVICES]", "Stop and remove containers, networks",
             (Flag("volumes", "v", BOOL, "Remove named volumes declared in the \"volumes\" "
                   "section of the Compose file and anonymous volumes attached to containers"),
              Flag("remove-orphans", help="Remove containers for services not defined in the "
                   "Compose file"),
              Flag("timeout", "t", INT, "Specify a shutdown timeout in seconds"),
              Flag("rmi", kind=STRING, help='Remove images used by services. "local" remove '
                   'only images that don\'t have a custom tag ("local"|"all")'))),
    _compose("ps", "[OPTIONS] [SERVICE...]", "List containers",
             (Flag("all", "a", BOOL, "Show all stopped containers (including those created by "
                   "the run command)"),
              Flag("quiet", "q", BOOL, "Only display IDs"),
              Flag("services", help="Display services"),
              Flag("format", kind=STRING, default="table", help="Format output using a custom "
                   "template:\n'table':            Print output in table format with column "
                   "headers (default)\n'json':             Print in JSON format"))),
    _compose("logs", "[OPTIONS] [SERVICE...]", "View output from containers",
             (Flag("follow", "f", BOOL, "Follow log output"),
              Flag("timestamps", "t", BOOL, "Show timestamps"),
              Flag("tail", "n", STRING, "Number of lines to show from the end of the logs for "
                   "each container", default="all"),
              Flag("no-log-prefix", help="Don't print prefix in logs"))),
    _compose("start", "[SERVICE...]", "Start services"),
    _compose("stop", "[OPTIONS] [SERVICE...]", "Stop services",
             (Flag("timeout", "t", INT, "Specify a shutdown timeout in seconds"),)),
    _compose("restart", "[OPTIONS] [SERVICE...]", "Restart service containers",
             (Flag("timeout", "t", INT, "Specify a shutdown timeout in seconds"),)),
    _compose("rm", "[OPTIONS] [SERVICE...]", "Removes stopped service containers",
             (Flag("force", "f", BOOL, "Don't ask to confirm removal"),
              Flag("stop", "s", BOOL, "Stop the containers, if required, before removing"),
              Flag("volumes", "v", BOOL, "Remove any anonymous volumes attached to "
                   "containers"))),
    _compose("exec", "[OPTIONS] SERVICE COMMAND [ARGS...]", "Execute a command in a running "
             "container",
             (Flag("no-TTY", "T", BOOL, "Disable pseudo-TTY allocation. By default `docker "
                   "compose exec` allocates a TTY."),
              Flag("detach", "d", BOOL, "Detached mode: Run command in the background"),
              Flag("env", "e", LIST, "Set environment variables"),
              Flag("index", kind=INT, default=1, help="Index of the container if service has "
                   "multiple replicas"),
              Flag("user", "u", STRING, "Run the command as this user"),
              Flag("workdir", "w", STRING, "Path to workdir directory for this command")),
             (Arg("SERVICE", "service"), Arg("COMMAND", "command", many=True)), min_args=2,
             interspersed=False),
    _compose("run", "[OPTIONS] SERVICE [COMMAND] [ARGS...]", "Run a one-off command on a "
             "service",
             (Flag("detach", "d", BOOL, "Run container in background and print container ID"),
              Flag("entrypoint", kind=STRING, help="Override the entrypoint of the image"),
              Flag("env", "e", LIST, "Set environment variables"),
              Flag("label", "l", LIST, "Add or override a label"),
              Flag("name", kind=STRING, help="Assign a name to the container"),
              Flag("no-TTY", "T", BOOL, "Disable pseudo-TTY allocation (default: auto-"
                   "detected)"),
              Flag("no-deps", help="Don't start linked services"),
              Flag("publish", "p", LIST, "Publish a container's port(s) to the host"),
              Flag("rm", help="Automatically remove the container when it exits"),
              Flag("service-ports", help="Run command with all service's ports enabled and "
                   "mapped to the host"),
              Flag("user", "u", STRING, "Run as specified username or uid"),
              Flag("workdir", "w", STRING, "Working directory inside the container")),
             (Arg("SERVICE", "service"), Arg("COMMAND", "command", many=True)), min_args=1,
             interspersed=False),
    _compose("build", "[OPTIONS] [SERVICE...]", "Build or rebuild services",
             (Flag("build-arg", kind=LIST, help="Set build-time variables for services"),
              Flag("no-cache", help="Do not use cache when building the image"),
              Flag("pull", help="Always attempt to pull a newer version of the image"),
              Flag("quiet", "q", BOOL, "Don't print anything to STDOUT"))),
    _compose("pull", "[OPTIONS] [SERVICE...]", "Pull service images",
             (Flag("ignore-pull-failures", help="Pull what it can and ignores images with pull "
                   "failures"),
              Flag("quiet", "q", BOOL, "Pull without printing progress information"))),
    _compose("push", "[OPTIONS] [SERVICE...]", "Push service images",
             (Flag("ignore-push-failures", help="Push what it can and ignores images with push "
                   "failures"),
              Flag("quiet", "q", BOOL, "Push without printing progress information"))),
    _compose("kill", "[OPTIONS] [SERVICE...]", "Force stop service containers",
             (Flag("signal", "s", STRING, "SIGNAL to send to the container", default="SIGKILL",
                   complete="signal"),
              Flag("remove-orphans", help="Remove containers for services not defined in the "
                   "Compose file"))),
    _compose("port", "[OPTIONS] SERVICE PRIVATE_PORT", "Print the public port for a port "
             "binding",
             (Flag("index", kind=INT, default=1, help="Index of the container if service has "
                   "multiple replicas"),
              Flag("protocol", kind=STRING, default="tcp", help="tcp or udp")),
             (Arg("SERVICE", "service"), Arg("PRIVATE_PORT")), min_args=2, max_args=2),
    _compose("top", "[SERVICES...]", "Display the running processes"),
    _compose("images", "[OPTIONS] [SERVICE...]", "List images used by the created "
             "containers",
             (Flag("quiet", "q", BOOL, "Only display IDs"),
              Flag("format", kind=STRING, default="table", help="Format the output. Values: "
                   "[table | json]", choices=("table", "json")))),
    _compose("ls", "[OPTIONS]", "List running compose projects",
             (Flag("all", "a", BOOL, "Show all stopped Compose projects"),
              Flag("quiet", "q", BOOL, "Only display project names"),
              Flag("format", kind=STRING, default="table", help="Format the output. Values: "
                   "[table | json]", choices=("table", "json"))), (), max_args=0),
    _compose("version", "[OPTIONS]", "Show the Docker Compose version information",
             (Flag("short", help="Shows only Compose's version number"),
              Flag("format", "f", STRING, "Format the output. Values: [pretty | json]. (Default: "
                   "pretty)")), (), max_args=0),
)
COMMANDS = COMMANDS + COMPOSE_COMMANDS


def all_paths() -> dict[tuple[str, ...], Command]:
    """Every way to name every command -> the command."""
    out: dict[tuple[str, ...], Command] = {}
    for cmd in COMMANDS:
        out[cmd.path] = cmd
        for alias in cmd.aliases:
            out[alias] = cmd
    return out


PATHS = all_paths()
GROUP_NAMES = {g.name: g for g in GROUPS}


def group_commands(group: str) -> list[tuple[str, Command]]:
    """(name under the group, command) for `docker <group> --help`."""
    out = []
    for path, cmd in PATHS.items():
        if len(path) == 2 and path[0] == group:
            out.append((path[1], cmd))
    return sorted(out)


def top_level() -> list[tuple[str, Command]]:
    return sorted((p[0], c) for p, c in PATHS.items() if len(p) == 1)
