"""GET /containers/{id}/stats: `docker stats`' numbers in moby's StatsResponse, as the
docker CLI reads them (cpu_stats against precpu_stats, memory_stats, networks,
blkio_stats, pids_stats), from the engine's readings the command line shows.

stream=false answers one document whose precpu is a reading WINDOW earlier (as the
command's --no-stream measures); one-shot=true answers at once without a precpu; the
stream sends one document a second until the client hangs up, the first without a
precpu, as the daemon's."""
from __future__ import annotations

import time

from engine.containers import stats as engine_stats
from engine.util import timeutil

from ..commands.stats import INTERVAL, WINDOW


def _reading(eng, c) -> tuple[str, engine_stats.Sample]:
    return timeutil.now(), engine_stats.sample(eng, c)


def _cpu(s: engine_stats.Sample) -> dict:
    doc = {"cpu_usage": {"total_usage": s.cpu_ns, "usage_in_kernelmode": 0,
                         "usage_in_usermode": 0},
           "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}}
    if s.system_ns:
        doc["system_cpu_usage"], doc["online_cpus"] = s.system_ns, s.cpus
    return doc


def _own_network(c) -> bool:
    mode = c.host.network_mode or "bridge"
    return mode not in ("host", "none") and not mode.startswith("container:")


def document(c, read: str, now: engine_stats.Sample, preread: str,
             before: engine_stats.Sample) -> dict:
    """moby's StatsResponse for container `c`: `now` against `before`."""
    doc = {"name": "/" + c.name, "id": c.id, "read": read, "preread": preread,
           "pids_stats": {}, "blkio_stats": {key: None for key in _BLKIO},
           "num_procs": 0, "storage_stats": {}, "cpu_stats": _cpu(now),
           "precpu_stats": _cpu(before), "memory_stats": {}}
    if read == timeutil.ZERO:                 # not running: moby's empty document
        return doc
    doc["pids_stats"] = {"current": now.pids}
    if c.host.pids_limit and c.host.pids_limit > 0:
        doc["pids_stats"]["limit"] = c.host.pids_limit
    doc["blkio_stats"]["io_service_bytes_recursive"] = [
        {"major": 0, "minor": 0, "op": "read", "value": now.blk_read},
        {"major": 0, "minor": 0, "op": "write", "value": now.blk_write}]
    # usage already without the inactive file cache: no stats to subtract it again
    doc["memory_stats"] = {"usage": now.memory, "stats": {}, "limit": now.limit}
    if _own_network(c):
        doc["networks"] = {"eth0": {"rx_bytes": now.net_rx, "rx_packets": 0, "rx_errors": 0,
                                    "rx_dropped": 0, "tx_bytes": now.net_tx, "tx_packets": 0,
                                    "tx_errors": 0, "tx_dropped": 0}}
    return doc


_BLKIO = ("io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
          "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
          "io_time_recursive", "sectors_recursive")


def stats(req, eng, ref):
    c = eng.container(ref)
    if not req.flag("stream", True):
        return _once(req, eng, c)
    out = req.handler.start_stream("application/json")
    before, preread = engine_stats.EMPTY, timeutil.ZERO
    try:
        while True:
            c = eng.load_quiet(c.id) or c
            read, now = _reading(eng, c) if c.state.running else (timeutil.ZERO, None)
            if now is None:
                out.json(document(c, timeutil.ZERO, engine_stats.EMPTY, preread, before))
                before, preread = engine_stats.EMPTY, timeutil.ZERO
            else:
                out.json(document(c, read, now, preread, before))
                before, preread = now, read
            time.sleep(INTERVAL)
            if req.handler.client_gone():
                return None
    except OSError:                           # the client went away mid-write
        return None


def _once(req, eng, c):
    from .http import Reply
    if not c.state.running:
        return Reply(200, document(c, timeutil.ZERO, engine_stats.EMPTY, timeutil.ZERO,
                                   engine_stats.EMPTY))
    preread, before = timeutil.ZERO, engine_stats.EMPTY
    if not req.flag("one-shot"):
        preread, before = _reading(eng, c)
        time.sleep(WINDOW)
    read, now = _reading(eng, c)
    return Reply(200, document(c, read, now, preread, before))


ROUTES = [("GET", r"/containers/([^/]+)/stats", stats)]
STREAMS = (stats,)
