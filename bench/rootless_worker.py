"""bench/rootless.py's in-process timing, run as the ordinary user with the installed
package: `python -c "$(cat rootless_worker.py)" RUNS EXTRA` joins the engine's user
namespace as `dockerlings` does at start, then times RUNS `docker run --rm EXTRA busybox
true` through the whole command layer in this one process; prints the times (ms) as JSON."""
import json
import os
import sys
import time

from engine.paths import Paths
from engine.runtime import userns

userns.enter(Paths.from_env())          # first, while this process has one thread
if userns.failure():
    sys.exit(f"cannot enter the engine's user namespace: {userns.failure()}")

from engine.engine import Engine        # noqa: E402
from shell.env import Env               # noqa: E402
from shell.runner import run_line       # noqa: E402

runs, extra = int(sys.argv[1]), sys.argv[2]
eng = Engine()
eng.pull("busybox")
os.sync()


def once() -> None:
    env = Env.buffered()
    env.engine = eng
    assert run_line(env, f"docker run --rm {extra}busybox true") == 0, env.error_text()


for _ in range(3):
    once()
out = []
for _ in range(runs):
    t = time.perf_counter()
    once()
    out.append((time.perf_counter() - t) * 1000)
print(json.dumps(out))
