"""docker compose: a two-service application made of ordinary engine containers with
Compose's names and labels, changed, scaled and taken down again (shell/compose/)."""
from __future__ import annotations

import json
import os
import urllib.request

from .cli_helpers import errors, inspect, wait_until

APP = """
name: shop
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo hello from web > /www/index.html; exec httpd -f -p 80 -h /www"]
    volumes: [site:/www]
    ports: ["80"]
    stop_grace_period: 1s
  fetch:
    image: busybox
    depends_on: [web]
    environment:
      URL: http://web/${PAGE:-index.html}
    command: ["sh", "-c", "while true; do wget -q -O - $$URL; sleep 0.2; done"]
    stop_grace_period: 1s
volumes:
  site:
"""


def write_app(sh, text: str = APP) -> None:
    with open(os.path.join(sh.cwd, "compose.yaml"), "w") as f:
        f.write(text)


def names(sh, everything: bool = True) -> list[str]:
    return sorted(sh.ok("docker ps --format '{{.Names}}'" + (" -a" if everything else ""))
                  .split())


def labels(sh, name: str) -> dict:
    return json.loads(inspect(sh, name, "{{json .Config.Labels}}"))


def test_up_inspect_change_scale_and_down(sh):
    write_app(sh)
    r = sh.run("docker compose up -d")
    assert r.code == 0, r.err
    assert errors(r) == ["[+] Pulling 1/1",            # busybox was not here yet
                         " ✔ web  Pulled",
                         "[+] Running 4/4",
                         " ✔ Network shop_default    Created",
                         ' ✔ Volume "shop_site"      Created',
                         " ✔ Container shop-web-1    Started",
                         " ✔ Container shop-fetch-1  Started"]
    assert names(sh, everything=False) == ["shop-fetch-1", "shop-web-1"]

    # Compose's labels, on ordinary engine containers
    web = labels(sh, "shop-web-1")
    assert {k: v for k, v in web.items() if k.startswith("com.docker.compose.")
            and k != "com.docker.compose.config-hash"} == {
        "com.docker.compose.project": "shop", "com.docker.compose.service": "web",
        "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
        "com.docker.compose.project.working_dir": sh.cwd,
        "com.docker.compose.project.config_files": os.path.join(sh.cwd, "compose.yaml")}
    assert len(web["com.docker.compose.config-hash"]) == 64
    # the project network, with the service name as an alias, and the named volume
    nets = json.loads(inspect(sh, "shop-fetch-1", "{{json .NetworkSettings.Networks}}"))
    assert list(nets) == ["shop_default"] and "fetch" in nets["shop_default"]["Aliases"]
    assert inspect(sh, "shop-web-1", "{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}") \
        == "shop_site:/www"
    assert json.loads(sh.ok("docker volume inspect -f '{{json .Labels}}' shop_site")) == {
        "com.docker.compose.project": "shop", "com.docker.compose.volume": "site"}

    # fetch finds web by its service name, and logs the page with Compose's prefix
    wait_until(lambda: "shop-fetch-1  | hello from web" in sh.ok("docker compose logs fetch"),
               10, what="fetch to log the page")
    # the published port, chosen by the engine, serves the page to the host
    port = sh.ok("docker port shop-web-1 80").split("\n")[0].rpartition(":")[2]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
        assert page.read() == b"hello from web\n"
    ps = sh.ok("docker compose ps").splitlines()
    assert ps[0].split() == ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS",
                             "PORTS"]
    assert [line.split()[0] for line in ps[1:]] == ["shop-web-1", "shop-fetch-1"]

    # a change to fetch's configuration recreates fetch only
    ids = {n: inspect(sh, n, "{{.Id}}") for n in ("shop-web-1", "shop-fetch-1")}
    r = sh.run("docker compose up -d", environ={"PAGE": "missing.html"})
    assert r.code == 0, r.err
    assert errors(r) == ["[+] Running 2/2", " ✔ Container shop-web-1    Running",
                         " ✔ Container shop-fetch-1  Started"]
    assert inspect(sh, "shop-web-1", "{{.Id}}") == ids["shop-web-1"]
    assert inspect(sh, "shop-fetch-1", "{{.Id}}") != ids["shop-fetch-1"]
    assert "URL=http://web/missing.html" in inspect(sh, "shop-fetch-1", "{{.Config.Env}}")
    # ... and the same file again changes nothing
    r = sh.run("docker compose up -d", environ={"PAGE": "missing.html"})
    assert errors(r)[1:] == [" ✔ Container shop-web-1    Running",
                             " ✔ Container shop-fetch-1  Running"]

    # scaled to 3 and back
    sh.ok("docker compose up -d --scale fetch=3")
    assert names(sh) == ["shop-fetch-1", "shop-fetch-2", "shop-fetch-3", "shop-web-1"]
    assert labels(sh, "shop-fetch-3")["com.docker.compose.container-number"] == "3"
    sh.ok("docker compose up -d")
    assert names(sh) == ["shop-fetch-1", "shop-web-1"]

    # down keeps the named volume; down -v removes it; nothing is left behind
    r = sh.run("docker compose down")
    assert r.code == 0, r.err
    assert errors(r)[0] == "[+] Running 3/3"
    assert sorted(errors(r)[1:]) == [" ✔ Container shop-fetch-1  Removed",
                                     " ✔ Container shop-web-1    Removed",
                                     " ✔ Network shop_default    Removed"]
    assert names(sh) == []
    assert sh.ok("docker volume ls -q").split() == ["shop_site"]
    assert "shop_default" not in sh.ok("docker network ls")
    sh.ok("docker compose up -d")
    r = sh.run("docker compose down fetch")          # that service's containers only
    assert errors(r) == ["[+] Running 1/1", " ✔ Container shop-fetch-1  Removed"]
    assert names(sh) == ["shop-web-1"]
    assert errors(sh.run("docker compose down -v"))[-2:] == [
        " ✔ Volume shop_site      Removed", " ✔ Network shop_default  Removed"]
    assert names(sh) == [] and sh.ok("docker volume ls -q") == ""
    assert sorted(sh.ok("docker network ls --format '{{.Name}}'").split()) == [
        "bridge", "host", "none"]


def test_stop_start_restart_rm_and_exec(sh):
    write_app(sh, "name: tools\nservices:\n  box:\n    image: busybox\n"
                  "    command: sleep 300\n    stop_signal: SIGKILL\n")
    sh.ok("docker compose up -d")
    assert sh.ok("docker compose exec -T box sh -c 'echo $((6 * 7))'") == "42\n"
    r = sh.run("docker compose stop")
    assert errors(r) == ["[+] Stopping 1/1", " ✔ Container tools-box-1  Stopped"]
    assert sh.ok("docker compose ps -q") == ""
    assert sh.ok("docker compose ps -a --services") == "box\n"
    assert errors(sh.run("docker compose start")) == ["[+] Running 1/1",
                                                      " ✔ Container tools-box-1  Started"]
    assert sh.ok("docker compose ps --services") == "box\n"
    assert errors(sh.run("docker compose restart"))[0] == "[+] Restarting 1/1"
    r = sh.run("docker compose rm -f")
    assert r.code == 0 and errors(r) == ["No stopped containers"]
    sh.ok("docker compose stop")
    r = sh.run("docker compose rm", stdin=b"y\n")
    assert r.out == "Going to remove tools-box-1\n? Are you sure? (y/N) "
    assert errors(r) == ["[+] Removing 1/1", " ✔ Container tools-box-1  Removed"]
    sh.ok("docker compose down")
    assert names(sh) == []


def test_errors_in_compose_s_words(sh):
    r = sh.run("docker compose up -d")
    assert (r.code, errors(r)) == (1, ["no configuration file provided: not found"])
    assert "hint: docker compose reads compose.yaml in this folder" in r.err
    r = sh.run("docker-compose up -d")
    assert r.code == 127
    assert "hint: Compose is part of docker now: type docker compose (with a space)" in r.err
    write_app(sh, "services:\n  web:\n    image: busybox\n    healthcheck: {test: [CMD]}\n")
    r = sh.run("docker compose config")
    assert r.code == 1
    assert errors(r)[0].startswith(f"{sh.cwd}/compose.yaml:4:5: services.web.healthcheck: "
                                   "dockerlings cannot honour this key")
    write_app(sh, "services:\n  web:\n    image: busybox\n    ports: ['99999:80']\n")
    r = sh.run("docker compose up -d")
    assert r.code == 1                   # the shell's own check of -p, at the key's line
    assert errors(r)[-1].startswith(f"{sh.cwd}/compose.yaml:4:5: services.web.ports: ")
    assert "99999" in errors(r)[-1]
    assert names(sh) == []
    sh.ok("docker compose down")
    write_app(sh, "services:\n  web:\n    image: busybox\n")
    r = sh.run("docker compose up -d nope")
    assert (r.code, errors(r)) == (1, ["no such service: nope"])


def test_config_prints_the_merged_interpolated_model(sh):
    write_app(sh, "services:\n  web:\n    image: busybox:${TAG:-latest}\n")
    with open(os.path.join(sh.cwd, "compose.override.yaml"), "w") as f:
        f.write("services:\n  web:\n    environment: [A=1]\n")
    out = sh.run("docker compose -p demo config", environ={"TAG": "1.36"}).out
    assert out == ("name: demo\nservices:\n  web:\n    environment:\n      A: '1'\n"
                   "    image: busybox:1.36\n    networks:\n      default: null\n"
                   "networks:\n  default:\n    name: demo_default\n")
    assert sh.ok("docker compose config --services") == "web\n"
    # a literal $ is written $$ again, as Compose renders it, so the output reads back
    write_app(sh, "services:\n  web:\n    image: busybox\n    command: echo $$HOME\n")
    out = sh.ok("docker compose -p demo config")
    assert "    - $$HOME\n" in out
    with open(os.path.join(sh.cwd, "again.yaml"), "w") as f:
        f.write(out)
    assert sh.ok("docker compose -f again.yaml config") == out


BUILT = """
name: made
services:
  once:
    build:
      context: ./app
      args: {GREETING: hello-built}
  after:
    image: busybox
    command: ["echo", "after once"]
    depends_on:
      once: {condition: service_completed_successfully}
  always:
    image: busybox
    command: ["sh", "-c", "echo started; sleep 0.2; exit 3"]
    restart: always
"""


def test_build_completed_dependencies_and_restart_always(sh):
    os.makedirs(os.path.join(sh.cwd, "app"))
    with open(os.path.join(sh.cwd, "app", "Dockerfile"), "w") as f:
        f.write('FROM busybox\nARG GREETING=hi\nRUN echo "$GREETING" > /greeting\n'
                'CMD ["cat", "/greeting"]\n')
    write_app(sh, BUILT)
    r = sh.run("docker compose up -d")
    assert r.code == 0, r.err
    assert " ✔ Service once             Built" in errors(r)
    assert sh.ok("docker images --format '{{.Repository}}:{{.Tag}}' made-once") == \
        "made-once:latest\n"
    # `after` started only once `once` had finished, and well
    assert inspect(sh, "made-once-1", "{{.State.ExitCode}}") == "0"
    assert sh.ok("docker compose logs once after") == ("made-once-1   | hello-built\n"
                                                       "made-after-1  | after once\n")
    # restart: always brings the service back after its process dies
    wait_until(lambda: int(inspect(sh, "made-always-1", "{{.RestartCount}}")) >= 2, 15,
               what="always to be restarted")
    # a rebuilt image recreates the service's container, though its file is the same
    first = inspect(sh, "made-once-1", "{{.Id}}")
    sh.ok("docker compose up -d once")
    assert inspect(sh, "made-once-1", "{{.Id}}") == first
    with open(os.path.join(sh.cwd, "app", "Dockerfile"), "a") as f:
        f.write("RUN echo changed > /changed\n")
    r = sh.run("docker compose up -d --build once")
    assert " ✔ Container made-once-1  Started" in errors(r), r.err
    assert inspect(sh, "made-once-1", "{{.Id}}") != first
    r = sh.run("docker compose down --rmi local")
    assert r.code == 0, r.err
    assert " ✔ Image made-once          Removed" in errors(r)
    assert names(sh) == []
    assert sh.ok("docker images -q made-once") == ""
    assert sh.ok("docker images -q busybox") != ""       # not the file's own: kept


def test_a_failed_dependency_stops_up(sh):
    write_app(sh, "name: dep\nservices:\n  setup:\n    image: busybox\n    command: 'false'\n"
                  "  app:\n    image: busybox\n    depends_on:\n      setup:\n        "
                  "condition: service_completed_successfully\n")
    r = sh.run("docker compose up -d")
    assert r.code == 1
    assert errors(r)[-1] == "service \"setup\" didn't complete successfully: exit 1"
    assert names(sh) == ["dep-setup-1"]
    sh.ok("docker compose down")


def test_up_without_d_shows_the_output_until_every_container_has_exited(sh):
    write_app(sh, "name: fg\nservices:\n  a:\n    image: busybox\n    command: [sh, -c, "
                  "'echo one; sleep 0.5; echo two']\n  b:\n    image: busybox\n"
                  "    command: [sh, -c, 'echo three; exit 2']\n")
    r = sh.run("docker compose up")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "Attaching to fg-a-1, fg-b-1"
    assert sorted(lines[1:]) == sorted(["fg-a-1  | one", "fg-a-1  | two", "fg-b-1  | three",
                                        "fg-a-1 exited with code 0",
                                        "fg-b-1 exited with code 2"])
    assert lines.index("fg-a-1  | two") < lines.index("fg-a-1 exited with code 0")
    sh.ok("docker compose down")


def test_kill_port_top_images_ls_and_version(sh):
    write_app(sh, "name: bits\nservices:\n  box:\n    image: busybox\n    command: sleep 300\n"
                  "    ports: ['80']\n")
    sh.ok("docker compose up -d")
    bound = sh.ok("docker compose port box 80").strip()
    assert bound == sh.ok("docker port bits-box-1 80").splitlines()[0]
    r = sh.run("docker compose port box 81")
    assert r.code == 1
    assert errors(r)[0].startswith("Error response from daemon: No public port '81/tcp' "
                                   "published for ")
    top = sh.ok("docker compose top").splitlines()
    assert top[0] == "bits-box-1" and top[1].split()[:3] == ["UID", "PID", "PPID"]
    assert top[2].endswith("sleep 300")
    images = sh.ok("docker compose images").splitlines()
    assert images[0].split() == ["CONTAINER", "REPOSITORY", "TAG", "IMAGE", "ID", "SIZE"]
    assert images[1].split()[:3] == ["bits-box-1", "busybox", "latest"]
    assert sh.ok("docker compose ls -q") == "bits\n"
    ls = sh.ok("docker compose ls").splitlines()
    assert ls[1].split() == ["bits", "running(1)", os.path.join(sh.cwd, "compose.yaml")]
    r = sh.run("docker compose kill")
    assert errors(r) == ["[+] Killing 1/1", " ✔ Container bits-box-1  Killed"]
    assert sh.ok("docker compose ls -q") == ""
    assert sh.ok("docker compose ls -a -q") == "bits\n"
    assert sh.ok("docker compose version").startswith("Docker Compose version v")
    sh.ok("docker compose down")
    assert names(sh) == []


def test_run_makes_a_one_off_container_after_its_dependencies(sh):
    write_app(sh, "name: once\nservices:\n  db:\n    image: busybox\n    command: sleep 300\n"
                  "    stop_signal: SIGKILL\n  app:\n    image: busybox\n    depends_on: [db]\n"
                  "    environment: {GREETING: hello}\n    command: echo from the file\n")
    r = sh.run("docker compose run --rm app sh -c 'echo $GREETING; nslookup db >/dev/null "
               "&& echo db resolves'")
    assert r.code == 0, r.err
    assert r.out == "hello\ndb resolves\n"
    assert errors(r)[-1] == " ✔ Container once-db-1   Started"
    assert names(sh) == ["once-db-1"]                 # --rm took the one-off away
    r = sh.run("docker compose run -T app")
    assert r.out == "from the file\n"
    one_off = [n for n in names(sh) if n.startswith("once-app-run-")]
    assert len(one_off) == 1 and len(one_off[0]) == len("once-app-run-") + 12
    assert labels(sh, one_off[0])["com.docker.compose.oneoff"] == "True"
    assert sh.ok("docker compose ps --services") == "db\n"
    assert sh.ok("docker compose ps -a --services") == "db\napp\n"   # -a: one-offs too
    assert sh.run("docker compose run --no-deps --entrypoint echo app a b").out == "a b\n"
    sh.ok("docker compose down")
    assert names(sh) == []


def test_build_pull_and_push(sh):
    from .test_registries import REGISTRY, RealRegistry
    if REGISTRY is None:
        import pytest
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    reg = RealRegistry()
    try:
        os.makedirs(os.path.join(sh.cwd, "app"))
        with open(os.path.join(sh.cwd, "app", "Dockerfile"), "w") as f:
            f.write('FROM busybox\nARG GREETING=hi\nRUN echo "$GREETING" > /greeting\n')
        image = f"localhost:{reg.port}/made:v1"
        write_app(sh, f"name: bpp\nservices:\n  made:\n    image: {image}\n"
                      "    build: {context: ./app}\n  plain:\n    image: busybox\n")
        r = sh.run("docker compose build -q --build-arg GREETING=from-the-line")
        assert (r.code, r.out) == (0, ""), r.err
        assert sh.ok(f"docker run --rm {image} cat /greeting") == "from-the-line\n"
        r = sh.run("docker compose pull")
        assert r.code == 0, r.err
        assert errors(r)[0] == "[+] Pulling 2/2"
        assert errors(r)[1].startswith(" ! made   Warning ")    # not pushed yet: a warning
        assert errors(r)[2] == " ✔ plain  Pulled"
        r = sh.run("docker compose push")
        assert r.code == 0, r.err
        sh.ok(f"docker rmi {image}")
        r = sh.run("docker compose pull made")
        assert errors(r) == ["[+] Pulling 1/1", " ✔ made  Pulled"]
    finally:
        reg.stop()


RICH = """
name: rich
services:
  front:
    image: busybox
    command: sleep 300
    stop_signal: SIGKILL
    ports:
      - target: 80
        host_ip: 127.0.0.1
        protocol: tcp
    volumes:
      - type: volume
        source: data
        target: /data
        read_only: true
      - type: bind
        source: ./conf
        target: /conf
      - /scratch
    tmpfs: /run/cache
    networks:
      outside:
        aliases: [www]
      inside:
        ipv4_address: 10.77.0.10
    environment:
      - MODE=prod
    env_file: front.env
    working_dir: /data
    hostname: fronthost
    labels: {tier: front}
    mem_limit: 64m
    deploy:
      resources:
        limits: {cpus: "0.5"}
  back:
    image: busybox
    command: sleep 300
    stop_signal: SIGKILL
    networks: [inside]
    container_name: the-back
volumes:
  data:
networks:
  outside:
  inside:
    internal: true
    ipam:
      config:
        - subnet: 10.77.0.0/24
"""


def test_long_syntax_several_networks_and_external_objects(sh):
    os.makedirs(os.path.join(sh.cwd, "conf"))
    with open(os.path.join(sh.cwd, "conf", "app.conf"), "w") as f:
        f.write("conf\n")
    with open(os.path.join(sh.cwd, "front.env"), "w") as f:
        f.write("FROM_FILE=yes\n")
    write_app(sh, RICH)
    r = sh.run("docker compose up -d")
    assert r.code == 0, r.err
    assert names(sh) == ["rich-front-1", "the-back"]
    assert sorted(json.loads(inspect(sh, "rich-front-1",
                                     "{{json .NetworkSettings.Networks}}"))) == [
        "rich_inside", "rich_outside"]
    inside = json.loads(inspect(sh, "rich-front-1", "{{json .NetworkSettings.Networks}}"))
    assert inside["rich_inside"]["IPAddress"] == "10.77.0.10"
    assert "www" in inside["rich_outside"]["Aliases"]
    assert sh.ok("docker network inspect -f '{{.Internal}}' rich_inside") == "true\n"
    # the back service finds front by name on the network they share
    assert "10.77.0.10" in sh.ok("docker exec the-back nslookup front")
    out = sh.ok("docker exec rich-front-1 sh -c 'pwd; hostname; cat /conf/app.conf; "
                "echo $MODE $FROM_FILE; touch /data/x 2>&1 || true; grep -c /run/cache "
                "/proc/mounts'")
    lines = out.splitlines()
    assert lines[:4] == ["/data", "fronthost", "conf", "prod yes"]
    assert "Read-only file system" in lines[4] and lines[5] == "1"
    assert inspect(sh, "rich-front-1", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}") == \
        "67108864 500000000"
    assert inspect(sh, "rich-front-1", '{{index .Config.Labels "tier"}}') == "front"
    assert sh.ok("docker port rich-front-1 80").startswith("127.0.0.1:")
    sh.ok("docker compose down -v")
    assert names(sh) == [] and sh.ok("docker volume ls -q") == ""


def test_external_objects_must_exist(sh):
    write_app(sh, "services:\n  a:\n    image: busybox\n    networks: [pre]\n"
                  "networks:\n  pre:\n    external: true\n    name: made-before\n")
    r = sh.run("docker compose -p ext up -d")
    assert (r.code, errors(r)[-1:]) == (1, ["network made-before declared as external, but "
                                            "could not be found"])
    sh.ok("docker network create made-before")
    sh.ok("docker compose -p ext up -d")
    assert list(json.loads(inspect(sh, "ext-a-1", "{{json .NetworkSettings.Networks}}"))) == [
        "made-before"]
    r = sh.run("docker compose -p ext down -v")
    assert "made-before" not in r.err            # external: never removed by down
    sh.ok("docker network rm made-before")
    write_app(sh, "services:\n  a:\n    image: busybox\n    volumes: [kept:/k]\n"
                  "volumes:\n  kept:\n    external: true\n")
    r = sh.run("docker compose -p ext up -d")
    assert (r.code, errors(r)[-1:]) == (1, ['external volume "kept" not found'])
    sh.ok("docker volume create kept")
    sh.ok("docker compose -p ext up -d")
    assert inspect(sh, "ext-a-1", "{{range .Mounts}}{{.Name}}{{end}}") == "kept"
    sh.ok("docker compose -p ext down -v")
    assert sh.ok("docker volume ls -q") == "kept\n"     # external: never removed
    sh.ok("docker volume rm kept")


def test_logs_prefixes_are_coloured_on_a_terminal(sh):
    from shell.env import Env
    from shell.runner import run_line
    write_app(sh, "name: hue\nservices:\n  a:\n    image: busybox\n    command: echo one\n"
                  "  bb:\n    image: busybox\n    command: echo two\n")
    sh.ok("docker compose up -d")
    wait_until(lambda: len(sh.ok("docker compose logs").splitlines()) == 2, 10)
    env = Env.buffered(cwd=sh.cwd, stdout_tty=True)
    env.engine = sh.engine
    assert run_line(env, "docker compose logs") == 0
    assert env.output_text() == ("\x1b[36mhue-a-1   |\x1b[0m one\n"
                                 "\x1b[33mhue-bb-1  |\x1b[0m two\n")
    sh.ok("docker compose down")


def test_orphans_are_named_and_removed_when_asked(sh):
    write_app(sh, "name: orph\nservices:\n  old:\n    image: busybox\n    command: sleep 300\n"
                  "    stop_signal: SIGKILL\n")
    sh.ok("docker compose up -d")
    write_app(sh, "name: orph\nservices:\n  new:\n    image: busybox\n    command: sleep 300\n"
                  "    stop_signal: SIGKILL\n    container_name: fixed\n")
    r = sh.run("docker compose up -d")
    assert errors(r)[0] == (
        "WARN[0000] Found orphan containers ([orph-old-1]) for this project. If you removed "
        "or renamed this service in your compose file, you can run this command with the "
        "--remove-orphans flag to clean it up.")
    assert names(sh) == ["fixed", "orph-old-1"]
    r = sh.run("docker compose up -d --remove-orphans")
    assert " ✔ Container orph-old-1  Removed" in errors(r)
    assert names(sh) == ["fixed"]
    r = sh.run("docker compose up -d --scale new=2")
    assert r.code == 1 and errors(r)[-1].endswith(
        "services.new: can't set container_name and new as container name must be unique: "
        "invalid compose project")
    sh.ok("docker compose down")
    assert names(sh) == []


def test_anonymous_volumes_pass_to_the_recreated_container_unless_renewed(sh):
    app = ("name: keep\nservices:\n  db:\n    image: busybox\n    command: sleep 300\n"
           "    stop_signal: SIGKILL\n    volumes: [/data]\n    environment: {V: '%s'}\n")
    write_app(sh, app % 1)
    sh.ok("docker compose up -d")
    sh.ok("docker compose exec -T db sh -c 'echo kept > /data/f'")
    first = inspect(sh, "keep-db-1", "{{range .Mounts}}{{.Name}}{{end}}")
    write_app(sh, app % 2)
    sh.ok("docker compose up -d")                       # recreated: the data is still there
    assert inspect(sh, "keep-db-1", "{{.Config.Env}}").count("V=2") == 1
    assert inspect(sh, "keep-db-1", "{{range .Mounts}}{{.Name}}{{end}}") == first
    assert sh.ok("docker compose exec -T db cat /data/f") == "kept\n"
    sh.ok("docker compose up -d --force-recreate -V")   # renewed: a fresh, empty volume
    assert inspect(sh, "keep-db-1", "{{range .Mounts}}{{.Name}}{{end}}") != first
    assert sh.run("docker compose exec -T db cat /data/f").code == 1
    assert sh.ok("docker volume ls -q").split() == [
        inspect(sh, "keep-db-1", "{{range .Mounts}}{{.Name}}{{end}}")]
    write_app(sh, app % 3)
    sh.ok("docker compose up -d")
    sh.ok("docker compose down -v")                     # carried or not: all gone
    assert names(sh) == [] and sh.ok("docker volume ls -q") == ""


def test_ctrl_c_during_up_stops_the_containers(sh, monkeypatch):
    from shell.compose import reconcile

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(reconcile, "follow", interrupted)
    write_app(sh, "name: intr\nservices:\n  a:\n    image: busybox\n    command: sleep 300\n"
                  "    stop_signal: SIGKILL\n")
    r = sh.run("docker compose up")
    assert r.code == 130
    assert r.out == ("Attaching to intr-a-1\n"
                     "Gracefully stopping... (press Ctrl+C again to force)\n")
    assert errors(r)[-2:] == ["[+] Stopping 1/1", " ✔ Container intr-a-1  Stopped"]
    assert inspect(sh, "intr-a-1", "{{.State.Status}}") == "exited"
    sh.ok("docker compose down")


# Examples from the Compose Specification's documentation (services, networks, volumes,
# depends_on, environment, ports, profiles), kept as written but for the images: these
# machines have no network, so each `image:` is busybox with a command that keeps it up.
DOC_EXAMPLES = {
    "networks": """
services:
  frontend:
    image: busybox
    command: sleep 60
    networks:
      - front-tier
      - back-tier
  monitoring:
    image: busybox
    command: sleep 60
    networks:
      - admin
  backend:
    image: busybox
    command: sleep 60
    networks:
      back-tier:
        aliases:
          - database
      admin:
        aliases:
          - mysql
networks:
  front-tier:
  back-tier:
  admin:
""",
    "volumes": """
services:
  backend:
    image: busybox
    command: sleep 60
    volumes:
      - db-data:/etc/data
  backup:
    image: busybox
    command: sleep 60
    volumes:
      - db-data:/var/lib/backup/data
volumes:
  db-data:
""",
    "depends_on and environment": """
services:
  web:
    image: busybox
    command: sleep 60
    depends_on:
      - db
      - redis
    environment:
      RACK_ENV: development
      SHOW: 'true'
      USER_INPUT:
  redis:
    image: busybox
    command: sleep 60
  db:
    image: busybox
    command: sleep 60
""",
    "ports and profiles": """
services:
  frontend:
    image: busybox
    command: sleep 60
    ports:
      - "3000"
      - "3001-3005"
      - "127.0.0.1:8001:8001"
  phpmyadmin:
    image: busybox
    command: sleep 60
    depends_on:
      - db
    profiles:
      - debug
  db:
    image: busybox
    command: sleep 60
""",
}


def test_the_compose_documentation_s_examples_parse_and_come_up(sh):
    sh.ok("docker pull busybox")
    for what, text in DOC_EXAMPLES.items():
        write_app(sh, "name: docs\n" + text)
        services = sh.ok("docker compose config --services").split()
        assert services, what
        sh.ok("docker compose up -d")
        running = sh.ok("docker compose ps --format '{{.Service}}'").split()
        assert sorted(running) == sorted(s for s in services if s != "phpmyadmin"), what
        sh.ok("docker compose down -v -t 0")     # sleep as PID 1 would wait out its grace
        assert names(sh) == [], what
