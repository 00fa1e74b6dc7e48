"""One worker of bench/stress.py's mixed part: `stress_worker.py SEED COUNT` runs COUNT
random docker command lines in-process against $DOCKERLINGS_ROOT, as the shell runs
them, on names another worker uses too (so they collide: the point). Prints how many
it ran; exits 2 at the first traceback or an exit status Docker never gives."""
from __future__ import annotations

import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from shell.env import Env            # noqa: E402
from shell.runner import run_line    # noqa: E402

DOCKER_CODES = (0, 1, 125)           # refusals are part of the game; tracebacks are not


def lines(rng: random.Random, ctx: str):
    def name():
        return f"m{rng.randint(0, 7)}"
    makers = [
        lambda: f"docker run -d --name {name()} busybox sleep 30",
        lambda: f"docker run -d --name {name()} -p 80 busybox sleep 30",
        lambda: f"docker run -d --name {name()} --network mixnet busybox sleep 30",
    ]
    return makers * 4 + [       # so that most other lines find a container to act on
        lambda: f"docker create --name {name()} busybox true",
        lambda: f"docker start {name()}",
        lambda: f"docker stop -t 0 {name()}",
        lambda: f"docker kill {name()}",
        lambda: f"docker rm -f {name()}",
        lambda: f"docker rename {name()} {name()}x",
        lambda: f"docker rm -f {name()}x",
        lambda: "docker run --rm busybox true",
        lambda: "docker ps -a -q",
        lambda: f"docker network connect mixnet {name()}",
        lambda: f"docker network disconnect mixnet {name()}",
        lambda: f"docker tag busybox mix:{rng.randint(0, 3)}",
        lambda: f"docker rmi mix:{rng.randint(0, 3)}",
        lambda: f"docker commit {name()} mix:c",
        lambda: f"docker pause {name()}",
        lambda: f"docker unpause {name()}",
        lambda: f"docker build -q -t mix:b{rng.randint(0, 1)} {ctx}",
        lambda: "docker images -q",
    ]


def main(seed: int, count: int) -> int:
    rng = random.Random(seed)
    ctx = tempfile.mkdtemp(prefix="dlstress-w-", dir="/tmp")
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(f"FROM busybox\nRUN echo {seed} > /seed\nCMD [\"sh\"]\n")
    env = Env.buffered(cwd=ctx)
    env.debug = True            # an internal error comes with its traceback
    choices = lines(rng, ctx)
    done = 0
    try:
        for _ in range(count):
            line = rng.choice(choices)()
            code = run_line(env, line)
            text = env.error_text()
            if code not in DOCKER_CODES or "internal error" in text:
                print(done)
                print(f"{line}: exit {code}: {text[-3000:]}", file=sys.stderr)
                return 2
            done += 1
            env.stdout.seek(0), env.stdout.truncate()
            env.stderr.seek(0), env.stderr.truncate()
    finally:
        import shutil
        shutil.rmtree(ctx, ignore_errors=True)
    print(done)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]), int(sys.argv[2])))
