"""State transitions of a container, shared by the engine and the monitors.

Every transition reloads the record under the engine lock, changes it and writes it
back, so a monitor recording an exit and a shell renaming the container never undo each
other's work.
"""
from __future__ import annotations

import os

from . import timeutil
from .errors import NoSuchContainer
from .runtime import cgroups, syscalls as sc
from .store import lock
from .store.containers import Container


class Lifecycle:
    def __init__(self, engine):
        self.engine = engine
        self.store = engine.store

    def _update(self, cid: str, change) -> Container | None:
        with lock.locked(self.engine.paths.lock):
            try:
                c = self.store.load(cid)
            except NoSuchContainer:
                return None
            change(c)
            self.store.save_state(c)
            return c

    def load(self, cid: str) -> Container:
        return self.store.load(cid)

    def load_quiet(self, cid: str) -> Container | None:
        try:
            return self.store.load(cid)
        except NoSuchContainer:
            return None

    def running(self, cid: str, pid: int, monitor_start: int) -> str:
        """Record the container as running; returns the status it had before."""
        before = []

        def change(c: Container):
            s = c.state
            before.append(s.status)
            if s.status == "restarting":
                s.restart_count += 1
            else:                 # started by the user: policies and counts start over
                s.restart_count, s.manual_stop = 0, False
            s.status, s.pid, s.exit_code, s.error = "running", pid, 0, ""
            s.oom_killed = False
            s.started_at = timeutil.now()
            s.monitor_pid, s.monitor_start = os.getpid(), monitor_start
        self._update(cid, change)
        return before[0] if before else "created"

    def start_failed(self, cid: str, code: int, message: str, before: str | None) -> None:
        """The process never ran: back to the status it had (a new container stays
        "created", as in Docker), with the error and exit code recorded."""
        code = 128 if code == 125 else code   # what Docker records for other failures

        def change(c: Container):
            s = c.state
            s.exit_code, s.error, s.pid = code, message, 0
            status = before or s.status
            s.status = "exited" if status in ("running", "restarting") else status
            if s.status == "exited":
                s.finished_at = timeutil.now()
            s.monitor_pid = s.monitor_start = 0
        self._update(cid, change)

    def exited(self, c: Container, code: int, restarting: bool) -> bool:
        """Record that the container's process ended; returns whether the OOM killer
        ended it. A --rm container that is done is not written: finish() removes it."""
        cid = c.id
        cg = cgroups.Cgroup(cid)
        oom = cg.oom_kills() > 0
        cg.destroy()

        def change(c: Container):
            s = c.state
            s.status = "restarting" if restarting else "exited"
            s.exit_code, s.pid, s.oom_killed = code, 0, oom
            s.finished_at = timeutil.now()
            if not restarting:
                s.monitor_pid = s.monitor_start = 0
        if not (c.host.auto_remove and not restarting):
            self._update(cid, change)
        return oom

    def finish(self, cid: str):
        """The monitor is leaving: apply --rm. Returns (removed, trash): the container
        leaves the store at once; purge(trash) deletes its bytes afterwards, once the
        waiting clients have their answer."""
        with lock.locked(self.engine.paths.lock):
            c = self.load_quiet(cid)
            if c is None:
                return True, None
            if not c.host.auto_remove:
                return False, None
            return True, (c, self.store.detach(c))

    def purge(self, trash) -> None:
        if trash:
            self.store.purge(*trash)

    def manual_stop(self, cid: str) -> None:
        def change(c: Container):
            c.state.manual_stop = True
        self._update(cid, change)

    def thaw(self, cid: str) -> None:
        c = self.load_quiet(cid)
        if c and c.state.status == "paused":
            cgroups.Cgroup(cid).thaw()
            self._update(cid, lambda c: setattr(c.state, "status", "running"))

    def stdin_once(self, cid: str) -> bool:
        c = self.load_quiet(cid)
        return bool(c and c.config.stdin_once)

    def _release_orphan_pause(self, c: Container) -> None:
        """A commit paused the container and died before unpausing it: thaw it."""
        with lock.locked(self.engine.paths.lock):
            fresh = self.load_quiet(c.id)
            if fresh and fresh.state.status == "paused" and fresh.state.paused_by and \
                    not sc.alive_pid(fresh.state.paused_by):
                cgroups.Cgroup(c.id).thaw()
                fresh.state.status, fresh.state.paused_by = "running", 0
                self.store.save_state(fresh)
                c.state = fresh.state

    # --- monitors that died -----------------------------------------------------------
    def monitor_alive(self, c: Container) -> bool:
        return sc.alive(c.state.monitor_pid, c.state.monitor_start)

    def reconcile(self, c: Container) -> Container:
        """A container whose monitor is gone is reported exited, never stuck running.

        Its process died with the monitor (PDEATHSIG); whatever is left in its cgroup is
        killed here, and --rm is applied.
        """
        if c.state.paused_by and not sc.alive_pid(c.state.paused_by):
            self._release_orphan_pause(c)
        if not c.state.running or self.monitor_alive(c):
            return c
        with lock.locked(self.engine.paths.lock):
            fresh = self.load_quiet(c.id)
            if fresh is None:
                return c
            if not fresh.state.running or self.monitor_alive(fresh):
                return fresh
            cgroups.Cgroup(c.id).destroy()
            s = fresh.state
            s.status, s.pid, s.monitor_pid, s.monitor_start = "exited", 0, 0, 0
            s.exit_code = 137 if s.exit_code == 0 else s.exit_code
            s.error = "the container's monitor process exited unexpectedly"
            s.finished_at = timeutil.now()
            if fresh.host.auto_remove:
                self.engine._remove_stopped(fresh)
            else:
                self.store.save_state(fresh)
            return fresh
