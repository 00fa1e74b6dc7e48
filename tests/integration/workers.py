"""A stress worker: `python -m tests.integration.workers SEED COUNT` runs COUNT random
docker operations in-process against $DOCKERLINGS_ROOT (used by the concurrency test)."""
from __future__ import annotations

import random
import sys

from shell.env import Env
from shell.runner import run_line


def main(seed: int, count: int) -> int:
    rng = random.Random(seed)
    names = [f"w{seed}c{i}" for i in range(6)]
    lines = [
        lambda: f"docker run -d --name {rng.choice(names)} busybox sleep 30",
        lambda: f"docker create --name {rng.choice(names)} busybox true",
        lambda: f"docker start {rng.choice(names)}",
        lambda: f"docker stop -t 0 {rng.choice(names)}",
        lambda: f"docker kill {rng.choice(names)}",
        lambda: f"docker rm -f {rng.choice(names)}",
        lambda: f"docker rename {rng.choice(names)} {rng.choice(names)}x",
        lambda: f"docker rm -f {rng.choice(names)}x",
        lambda: "docker run --rm busybox true",
        lambda: "docker ps -a -q",
        lambda: f"docker tag busybox w{seed}img:{rng.randint(0, 3)}",
        lambda: f"docker rmi w{seed}img:{rng.randint(0, 3)}",
        lambda: f"docker commit {rng.choice(names)} w{seed}img:c",
        lambda: f"docker pause {rng.choice(names)}",
        lambda: f"docker unpause {rng.choice(names)}",
        lambda: "docker images -q",
    ]
    env = Env.buffered()
    for _ in range(count):
        line = rng.choice(lines)()
        code = run_line(env, line)
        # refusals (name taken, not running, in use ...) are part of the game; an
        # internal error (a traceback caught by the runner) is not
        if code not in (0, 1, 125) or "internal error" in env.error_text():
            print(f"{line}: exit {code}: {env.error_text()[-800:]}", file=sys.stderr)
            return 2
        env.stdout.seek(0), env.stdout.truncate()
        env.stderr.seek(0), env.stderr.truncate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]), int(sys.argv[2])))
