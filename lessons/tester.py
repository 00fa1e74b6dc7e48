"""`dockerlings lessons test`: prove every step of a lesson solvable.

Each lesson runs on a throwaway engine (DOCKERLINGS_ROOT in a temporary folder) and a
throwaway home, through the same Session a learner uses. For every step: its setup
runs as it is entered; its checks must fail (unless the step says why they may not);
its solution runs as if typed; its checks must then pass (waiting up to the step's
timeout for detached containers to get there); its cleanup runs as it is left. At the
end, a lesson reset must leave no container, image, network or volume of the lesson
behind.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from .progress import Store
from .session import Session


CHECK_BUDGET = 0.050            # seconds: checks run after every command a learner types
TRIES = 3                       # a step's checks are timed this many times, the best kept,
RETRIES = 10                    # and this many more, spaced out, while over the budget


class Report:
    def __init__(self, out):
        self.out = out
        self.problems = 0
        self.check_seconds: list[tuple[float, str]] = []    # (best time, lesson/step)

    def problem(self, where: str, text: str) -> None:
        self.problems += 1
        self.out(f"  ✗ {where}: {text}")


def run(env, paths, run_line, parse, verbose: bool = False) -> int:
    from .loader import load_all
    lessons, errors = load_all(paths)
    for e in errors:
        env.err(str(e))
    if errors:
        env.err(f"{len(errors)} error(s): fix them first (dockerlings lessons validate)")
        return 1
    if not lessons:
        env.err("no lessons found in " + " ".join(map(str, paths)))
        return 1
    report = Report(env.out)
    steps = 0
    for lesson in lessons:
        env.out(f"{lesson.id} ({lesson.path})")
        test_lesson(lesson, env, run_line, parse, report, verbose)
        steps += len(lesson.steps)
    env.out(f"{len(lessons)} lesson(s), {steps} step(s): "
            + ("all pass" if not report.problems else f"{report.problems} problem(s)")
            + _timing(report.check_seconds))
    return 1 if report.problems else 0


def _timing(times: list[tuple[float, str]]) -> str:
    """"; checks took 1.2 ms median, the slowest 9.8 ms (capstone/up)", and the steps
    over the budget, if any: a learner waits for the checks after every command."""
    if not times:
        return ""
    times = sorted(times)
    worst, where = times[-1]
    text = f"; checks took {_ms(times[len(times) // 2][0])} median, the slowest {_ms(worst)} " \
           f"({where})"
    over = [f"{w} {_ms(t)}" for t, w in times if t > CHECK_BUDGET]
    if over:
        text += f"\n  ⚠ checks over {_ms(CHECK_BUDGET)} (best of {TRIES} or more): " + \
            ", ".join(over)
    return text


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def test_lesson(lesson, env, run_line, parse, report: Report, verbose: bool = False) -> None:
    from engine.engine import Engine
    from engine.paths import Paths
    root = tempfile.mkdtemp(prefix="dlt-", dir="/tmp")     # short: socket paths < 108 bytes
    home = tempfile.mkdtemp(prefix="dlh-")
    engine = Engine(Paths(Path(root), Path(root) / "run"))
    environ = dict(env.environ, DOCKERLINGS_ROOT=root, DOCKERLINGS_HOME=home)
    environ.pop("DOCKERLINGS_OWNER", None)
    learner = type(env)(stdin=io.BytesIO(), stdout=io.BytesIO(), stderr=io.BytesIO(),
                        cwd=home, environ=environ, engine=engine, columns=80)
    session = Session(learner, {lesson.id: lesson}, Store(Path(home)), run_line=run_line,
                      parse=parse)
    try:
        if session.start(lesson.id) != 0:
            report.problem(lesson.id, "the lesson does not start: " + _said(learner))
            return
        before = _objects(engine)
        for index, step in enumerate(lesson.steps):
            if not _test_step(session, index, step, report, verbose):
                return          # later steps build on this one: stop at the first failure
        _test_reset(session, lesson, engine, report, before)
    finally:
        try:
            engine.reset()
        finally:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(home, ignore_errors=True)


def _said(env) -> str:
    text = env.output_text() + env.error_text()
    return " ".join(text.split())[-300:]


def _test_step(session, index: int, step, report: Report, verbose: bool) -> bool:
    where = f"{step.id} (step {index + 1})"
    if session.lesson is None or session.index != index:
        report.problem(where, "the lesson did not reach this step")
        return False
    before = session.evaluate(every=False)
    before_seconds = _check_seconds(session)
    if before.passed and not step.may_pass_before:
        report.problem(where, "its checks pass before the solution ran (if that is meant, "
                              "say why with may_pass_before: REASON)")
        return False
    for cmd in step.solve:
        status, out, err = session.run(cmd)
        session.record(cmd.line, status)
        if verbose:
            report.out(f"    $ {cmd.line}  -> {status}")
            for line in (out + err).splitlines():
                report.out(f"      {line}")
        if status != cmd.status:
            said = (err or out).strip()
            report.problem(where, f"the solution's {cmd.line!r} exited {status}, not "
                                  f"{cmd.status}: {said}" + _taken_port(said))
            return False
    after = _wait_until_passed(session, step.timeout)
    if not after.passed:
        details = "; ".join(f"{r.detail} [{c.where[1]}:{c.where[2]}]"
                            for c, r in session.evaluate().failures)
        report.problem(where, f"its checks still fail after the solution: {details}")
        return False
    seconds = max(before_seconds, _check_seconds(session))
    report.check_seconds.append((seconds, f"{session.lesson.id}/{step.id}"))
    report.out(f"  ✓ {step.id}  (checks {_ms(seconds)})")
    session.pass_step(after)
    return True


def _taken_port(said: str) -> str:
    """When a port was taken: which, and who holds it (another engine's container, or
    any program): the throwaway engine shares the host's ports with everything else."""
    m = re.search(r"Bind for [^ ]*?:(\d+) failed", said)
    if not m:
        return ""
    from .holders import port_holder
    port = int(m.group(1))
    holder = port_holder(port) or "something that has let it go since"
    return (f"\n    host port {port} is taken: {holder} holds it. The test's engine shares "
            "the host's ports with every other engine and program on this machine: "
            "stop what holds it, or publish another port in the lesson.")


def _check_seconds(session) -> float:
    """How long the step's checks take as they run after a learner's command (costly
    ones skipped once one failed): the best of TRIES rounds, since a slow round on a
    busy machine says more about the machine than about the checks. Over the budget,
    up to RETRIES more rounds a tenth of a second apart: a busy moment passes, a slow
    check stays slow."""
    best = min(session.evaluate(every=False).seconds for _ in range(TRIES))
    for _ in range(RETRIES):
        if best <= CHECK_BUDGET:
            break
        time.sleep(0.1)
        best = min(best, session.evaluate(every=False).seconds)
    return best


def _wait_until_passed(session, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        outcome = session.evaluate(every=False)
        if outcome.passed or time.monotonic() > deadline:
            return outcome
        time.sleep(0.1)


def _objects(engine) -> set[tuple[str, str]]:
    """Every container, image, network and volume there is: what a lesson reset must
    come back to (the lesson's own images, made at its start, included)."""
    out = {("container", c.id) for c in engine.containers(all=True)}
    out |= {("image", i.id) for i in engine.list_images()}
    out |= {("network", n["Id"]) for n in engine.networks()}
    out |= {("volume", v["Name"]) for v in engine.volumes()}
    return out


def _test_reset(session, lesson, engine, report: Report, before=frozenset()) -> None:
    """`reset lesson` must take away everything the lesson made, by whatever route:
    nothing may exist afterwards that did not exist when it began."""
    session.start(lesson.id)
    session.reset("lesson")
    left = [_name(engine, kind, oid) for kind, oid in sorted(_objects(engine) - set(before))]
    if left:
        report.problem(lesson.id, "a lesson reset left these behind: " + ", ".join(left))
    for name, spec in lesson.files.items():
        path = os.path.join(session.workdir(), name)
        if not os.path.isfile(path):
            report.problem(lesson.id, f"a lesson reset did not write {name} again")


def _name(engine, kind: str, oid: str) -> str:
    if kind == "container":
        found = [c.name for c in engine.containers(all=True) if c.id == oid]
    elif kind == "image":
        found = [(i.repo_tags or [oid[7:19]])[0] for i in engine.list_images() if i.id == oid]
    elif kind == "network":
        found = [n["Name"] for n in engine.networks() if n["Id"] == oid]
    else:
        found = [oid if len(oid) < 64 else oid[:12] + "…"]
    return f"{kind} {(found or [oid[:12]])[0]}"
