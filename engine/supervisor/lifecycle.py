"""State transitions of a running container, as the monitor records them.

Every transition reloads the state file under the engine lock, changes it and writes it
back, so a monitor recording an exit and a shell pausing the container never undo each
other's work. This module is deliberately light (plain dicts and paths, standard
library only): a long-running monitor re-executes itself into a fresh interpreter that
imports little more than this, to keep its memory small.
"""
from __future__ import annotations

import os

from ..system import events
from ..util import timeutil
from ..util.fsutil import read_json, write_json
from ..runtime import cgroups
from ..store import lock, removal

RECORD = "config.v2.json"
STATE = "state.json"


class Lifecycle:
    def __init__(self, root: str, run: str):
        self.root = str(root)
        self.run = str(run)
        self.lock = os.path.join(self.root, "lock")
        self.scope = cgroups.scope_for(self.root)

    # --- reading ------------------------------------------------------------------
    def dir(self, cid: str) -> str:
        return os.path.join(self.root, "containers", cid)

    def record(self, cid: str) -> dict | None:
        try:
            return read_json(os.path.join(self.dir(cid), RECORD))
        except FileNotFoundError:
            return None

    def state(self, cid: str) -> dict | None:
        try:
            return read_json(os.path.join(self.dir(cid), STATE))
        except FileNotFoundError:
            return None

    def _update(self, cid: str, change) -> dict | None:
        with lock.locked(self.lock):
            state = self.state(cid)
            if state is None:
                return None
            change(state)
            write_json(os.path.join(self.dir(cid), STATE), state, sync=False)
            return state

    # --- transitions --------------------------------------------------------------
    def running(self, cid: str, pid: int, monitor_start: int,
                network: dict | None = None) -> tuple[str, str]:
        """Record the container as running; returns (status, started_at) from before."""
        before = []

        def change(s: dict):
            before.append((s["status"], s["started_at"]))
            if s["status"] == "restarting":
                s["restart_count"] += 1
            else:                 # started by the user: policies and counts start over
                s["restart_count"], s["manual_stop"] = 0, False
            s.update(status="running", pid=pid, exit_code=0, error="", oom_killed=False,
                     started_at=timeutil.now(), monitor_pid=os.getpid(),
                     monitor_start=monitor_start, network=network)
        if self._update(cid, change) is None:    # removed as it started (a racing rm -f)
            from ..errors import NoSuchContainer
            raise NoSuchContainer(cid)
        record = self.record(cid)
        _volume_events(self.root, "mount", cid, record)
        events.of_record(self.root, "start", cid, record)
        return before[0]

    def start_failed(self, cid: str, code: int, message: str,
                     before: tuple[str, str] | None) -> None:
        """The process never ran: back to the status it had (a new container stays
        "created", as in Docker), with the error and exit code recorded."""
        code = 128 if code == 125 else code   # what Docker records for other failures

        def change(s: dict):
            status, started = before or (s["status"], s["started_at"])
            s.update(exit_code=code, error=message, pid=0, monitor_pid=0, monitor_start=0,
                     started_at=started, network=None,
                     status="exited" if status in ("running", "restarting") else status)
            if s["status"] == "exited":
                s["finished_at"] = timeutil.now()
        self._update(cid, change)

    def exited(self, cid: str, code: int, restarting: bool, auto_remove: bool) -> bool:
        """Record that the container's process ended; returns whether the OOM killer
        ended it. A --rm container that is done is not written: finish() removes it,
        and its cgroups go in purge(), once its waiting clients have their answer
        (nobody can start that container again meanwhile)."""
        cg = cgroups.Cgroup(cid, self.scope)
        oom = cg.oom_kills() > 0
        if not (auto_remove and not restarting):
            cg.destroy()

        def change(s: dict):
            s.update(status="restarting" if restarting else "exited", exit_code=code, pid=0,
                     oom_killed=oom, finished_at=timeutil.now(), network=None)
            if not restarting:
                s.update(monitor_pid=0, monitor_start=0)
        if not (auto_remove and not restarting):
            self._update(cid, change)
        return oom

    def died(self, cid: str, code: int) -> None:
        """The oom (when the kernel's OOM killer ended it) and die events, before its
        networks let go of it, in Docker's order."""
        record = self.record(cid)
        if cgroups.Cgroup(cid, self.scope).oom_kills() > 0:
            events.of_record(self.root, "oom", cid, record)
        events.of_record(self.root, "die", cid, record, exitCode=str(code))
        _volume_events(self.root, "unmount", cid, record)

    def finish(self, cid: str, keep: bool = False):
        """The monitor is leaving: apply --rm (unless `keep`: it is being restarted).
        Returns (removed, trash): the container leaves the store at once (a rename), and
        purge(trash) deletes its bytes after the waiting clients have their answer."""
        with lock.locked(self.lock):
            record = self.record(cid)
            if record is None:
                return True, None
            if keep or not record["HostConfig"].get("AutoRemove"):
                return False, None
            trash = removal.detach(self.root, cid, record["Name"].lstrip("/"))
            events.of_record(self.root, "destroy", cid, record)
            if record.get("MountPoints"):      # --rm takes its anonymous volumes along
                from ..volumes.store import VolumeStore
                VolumeStore(self.root).drop_anonymous(record["MountPoints"])
            return True, trash

    def purge(self, cid: str, trash: str | None) -> None:
        if trash is not None:
            cgroups.Cgroup(cid, self.scope).destroy()
        removal.purge(self.run, cid, trash)

    def manual_stop(self, cid: str) -> None:
        self._update(cid, lambda s: s.update(manual_stop=True))

    def thaw(self, cid: str) -> None:
        s = self.state(cid)
        if s and s["status"] == "paused":
            cgroups.Cgroup(cid, self.scope).thaw()
            self._update(cid, lambda s: s.update(status="running", paused_by=0))

    def stdin_once(self, cid: str) -> bool:
        record = self.record(cid)
        return bool(record and record["Config"].get("StdinOnce"))

    def load(self, cid: str) -> tuple[dict, dict] | None:
        """(record, state), or None when the container is gone."""
        record, state = self.record(cid), self.state(cid)
        if record is None or state is None:
            return None
        return record, state


def _volume_events(root: str, action: str, cid: str, record: dict | None) -> None:
    """moby's volume mount events as a container starts, and unmount as it stops."""
    for m in (record or {}).get("MountPoints") or []:
        if m.get("Type") != "volume" or not m.get("Name"):
            continue
        attributes = {"container": cid, "driver": m.get("Driver") or "local"}
        if action == "mount":
            attributes.update(destination=m.get("Destination", ""),
                              propagation=m.get("Propagation", ""),
                              **{"read/write": "true" if m.get("RW", True) else "false"})
        events.emit(root, "volume", action, m["Name"], attributes)
