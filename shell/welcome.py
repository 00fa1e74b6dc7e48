"""What the learner sees when the shell starts.

The first time (no mark under Env.home yet): what dockerlings is, how to begin, and a
full engine check. Later starts: one line, and the engine check only if something
that containers need is missing. The checks are engine_cmd's, said in plain words: a
learner who cannot run containers hears why now, not after their first `docker run`.
"""
from __future__ import annotations

import os

MARK = "welcomed"

# feature name (as engine_cmd names it, up to the first colon) -> what it means for
# a learner. Features not listed are reported with engine_cmd's own words.
PLAIN = {
    "mode": "dockerlings could not make its user namespace, where its engine works as "
            "root for you (dockerlings engine info says why).",
    "overlayfs": "this kernel has no overlay file system, which gives every container "
                 "its own copy-on-write files (try: modprobe overlay).",
    "busybox image (offline)": "there is no static busybox on this machine, so the "
                               "busybox image cannot be made.",
    "pid namespace": "the kernel refuses to make pid namespaces, so containers cannot "
                     "have processes of their own",
    "mount namespace": "the kernel refuses to make mount namespaces, so containers "
                       "cannot have files of their own",
    "network namespace": "the kernel refuses to make network namespaces, so containers "
                         "cannot have networks of their own",
}

INTRO = """dockerlings teaches Docker in this terminal. Type real docker commands; they
run real Linux containers on a small engine inside dockerlings (no Docker needed,
nothing leaves this machine)."""

EXPLORE = """Explore freely: try  docker run hello-world  then  docker run -ti busybox sh
(Ctrl-P Ctrl-Q leaves it running, exit ends it). Tab completes commands, options and
names; map draws what exists; help lists the shell's own commands."""

SHORT = "dockerlings: docker commands on dockerlings' own engine. help shows the shell's " \
        "commands; Ctrl-D leaves."


def lessons_line() -> str:
    from . import builtins
    if "lessons" in builtins.TABLE:
        return "Follow the course: lessons lists them, lesson start ID begins one."
    return "The course's lessons are not installed here yet: explore freely meanwhile."


def quick_problems() -> list[str]:
    """The checks cheap enough for every start, in plain words. (Not busybox: finding
    it loads the image maker, which costs more than the rest of the start; a missing
    busybox gets its own message and hint when a container needs it.)"""
    out = []
    from engine.runtime import userns
    if userns.failure():
        out.append(PLAIN["mode"])
    try:
        with open("/proc/filesystems") as f:
            if "overlay" not in f.read():
                out.append(PLAIN["overlayfs"])
    except OSError:
        pass
    return out


def full_problems(env) -> tuple[list[str], list[str]]:
    """(what stops containers, what only limits them) from engine_cmd's full check."""
    from . import engine_cmd
    blocking, limits = [], []
    try:
        features = engine_cmd._features(env.engine)
    except Exception as e:      # the check itself failed: say so, do not stop the shell
        return [f"the engine check failed: {e}"], []
    for name, ok, why in features:
        if ok:
            continue
        key = name.split(":", 1)[0]
        if key.startswith("cgroup"):
            limits.append(f"{name}: {why}")
        else:
            blocking.append(PLAIN.get(key, f"{name}: {why}"))
    return blocking, limits


def first_start(env) -> bool:
    return not os.path.exists(os.path.join(env.home, MARK))


def _mark(env) -> None:
    try:
        os.makedirs(env.home, exist_ok=True)
        with open(os.path.join(env.home, MARK), "w") as f:
            f.write("1\n")
    except OSError:
        pass


def show(env) -> None:
    if first_start(env):
        blocking, limits = full_problems(env)
        env.out(render_first(env, blocking, limits, missing_lines(env)))
        _mark(env)
        return
    env.out(SHORT)
    problems = quick_problems()
    if problems:
        env.out(problems_text(problems))


def problems_text(blocking: list[str]) -> str:
    lines = ["This machine cannot run containers yet:"]
    lines += [f"  - {p}" for p in blocking]
    lines.append("(dockerlings engine info shows the details)")
    return "\n".join(lines)


def missing_lines(env) -> list[str]:
    """The packages this machine lacks and the command that installs them (needs.py)."""
    from . import needs
    try:
        return needs.report(needs.missing(env.environ))
    except Exception as e:      # the check itself failed: say so, do not stop the shell
        return [f"the check for missing packages failed: {e}"]


def render_first(env, blocking: list[str], limits: list[str],
                 missing: list[str] = ()) -> str:
    """The first-start screen, drawn with rich (plain text without colours when NO_COLOR
    is set or the output is not a terminal)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text
    parts = [Text(INTRO), Text(""), Text(lessons_line()), Text(EXPLORE), Text("")]
    if blocking:
        parts.append(Text(problems_text(blocking), style="bold"))
    else:
        parts.append(Text("Engine check: this machine can run containers.", style="bold"))
    for line in limits:
        parts.append(Text(f"  note: {line}"))
    if missing:
        parts += [Text("")] + [Text(line) for line in missing]
    console = _console(env)
    with console.capture() as cap:
        console.print(Panel(Group(*parts), title="Welcome to dockerlings", expand=False))
    return cap.get().rstrip("\n")


def _console(env):
    from rich.console import Console
    plain = bool(env.environ.get("NO_COLOR")) or not env.stdout_tty
    return Console(width=min(env.columns, 100), no_color=plain,
                   color_system=None if plain else "standard", force_terminal=not plain,
                   highlight=False)
