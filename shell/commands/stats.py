"""docker stats: containers' CPU, memory, network, block I/O and PIDs, as a live table
redrawn in place (the docker CLI's escape codes) or once with --no-stream."""
from __future__ import annotations

import time

from engine.containers import stats as engine_stats
from engine.errors import EngineError

from ..cli.parser import Invocation
from ..render.units import bytes_size, human_size
from .containers import render_rows, report_all, template_check

# --no-stream measures CPU over this window (docker's daemon waits for its next
# one-second sample; a learner asking once should not wait that long)
WINDOW = 0.1
INTERVAL = 1.0


class StatsRow:
    __go_type__ = "*container.statsContext"
    HEADERS = {"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID",
               "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %",
               "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS"}
    DEFAULT = ("table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
               "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}")

    def __init__(self, asked: str, c, before, after, trunc: bool):
        self.Container = asked
        self.Name = c.name or "--"
        self.ID = c.id[:12] if trunc else c.id
        self.CPUPerc = f"{engine_stats.cpu_percent(before, after):.2f}%"
        self.MemUsage = f"{bytes_size(after.memory)} / {bytes_size(after.limit)}"
        percent = after.memory / after.limit * 100 if after.limit else 0.0
        self.MemPerc = f"{percent:.2f}%"
        self.NetIO = f"{human_size(after.net_rx)} / {human_size(after.net_tx)}"
        self.BlockIO = f"{human_size(after.blk_read)} / {human_size(after.blk_write)}"
        self.PIDs = str(after.pids)

    def __json__(self):
        """The docker CLI marshals its stats context through a map: keys sorted."""
        return {k: getattr(self, k) for k in sorted(self.HEADERS)}


def _targets(env, inv: Invocation) -> list[tuple[str, object]]:
    """(name as asked, container): the ones named (errors joined, before any output,
    as the docker CLI waits for every first sample), or the running ones (all with -a)."""
    eng = env.engine
    if not inv.args:
        return [(c.id, c) for c in eng.containers(all=inv.opts["all"])]
    found, errors = [], []
    for name in dict.fromkeys(inv.args):
        try:
            found.append((name, eng.container(name)))
        except EngineError as e:
            errors.append(e)
    if errors:
        report_all(env, inv, errors)
        return None
    return found


def _sample(env, targets) -> dict[str, engine_stats.Sample]:
    return {c.id: engine_stats.sample(env.engine, c) for _, c in targets}


def _table(fmt: str, targets, before: dict, after: dict, trunc: bool) -> str:
    rows = [StatsRow(asked, c, before.get(c.id, engine_stats.EMPTY), after[c.id], trunc)
            for asked, c in targets]
    return render_rows(fmt, rows, StatsRow)


def _refresh(env, inv: Invocation, targets):
    """The containers to show now: again the running ones (or all) when none were
    named, as the docker CLI follows start and die events; the named ones as they are."""
    if not inv.args:
        return _targets(env, inv)
    eng = env.engine
    return [(asked, eng.load_quiet(c.id) or c) for asked, c in targets]


def stats(env, inv: Invocation) -> int:
    fmt = inv.opts["format"] or "table"
    template_check(fmt, StatsRow.__go_type__)
    trunc = not inv.opts["no_trunc"]
    targets = _targets(env, inv)
    if targets is None:
        return 1
    before = _sample(env, targets)
    time.sleep(WINDOW)
    targets = _refresh(env, inv, targets)
    after = _sample(env, targets)
    if inv.opts["no_stream"]:
        if targets:
            env.out(_table(fmt, targets, before, after, trunc), end="")
        return 0
    while True:
        env.out(_frame(_table(fmt, targets, before, after, trunc)), end="")
        time.sleep(INTERVAL)
        targets, before = _refresh(env, inv, targets), after
        after = _sample(env, targets)


def _frame(text: str) -> str:
    """The docker CLI's redraw: cursor home, each line cleared to its end, the rest of
    the screen cleared."""
    lines = text.split("\n")
    return "\033[H" + "".join(line + "\033[K\n" for line in lines) + "\033[J"
