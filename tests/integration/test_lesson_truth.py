"""A step's ✓ text is true for every way its checks can pass (issue 13 §2): where a text
describes something, the step now requires it, so the routes that passed without it
(and then printed a ✓ text that was not true) pass no more."""
from __future__ import annotations

from tests.integration.test_lesson_repl import drive, make_env  # noqa: F401 (fixture)


def test_the_attach_step_needs_an_attach_not_just_the_file(make_env):
    """Its ✓ says attach connects you to the main shell: `docker exec ... touch` made
    the file without any attach, and passed."""
    env = make_env()
    drive(env, "lesson start running-processes\rskip\rskip\r"
               "docker run -d -ti --name box busybox sh\r"
               "docker exec box touch /from-attach.txt\rcheck\r")
    out = env.output_text()
    assert "✓ Run a container in the background" in out
    assert "✓ Attach, and detach again" not in out
    assert "Attach to box with docker attach." in out


def test_the_ping_step_needs_container_a_pinged_by_name(make_env):
    """Its ✓ says container-a's name resolved: a ping of any address passed."""
    env = make_env()
    drive(env, "lesson start container-networks\rskip\rdocker network create learning\r"
               "docker run -dti --net learning --name container-a busybox sh\r"
               "docker run -dti --net learning --name container-b busybox sh\r"
               "docker exec container-b ping -c 1 127.0.0.1\r")
    out = env.output_text()
    assert "✓ Put two containers on it" in out
    assert "✓ Reach one container from the other" not in out
    drive(env, "docker exec container-b ping -c 1 container-a\r")
    assert "✓ Reach one container from the other" in env.output_text()


def test_the_layers_step_needs_the_history_of_the_image_it_describes(make_env):
    """Its ✓ describes timers:v1's layers: `docker history busybox` passed."""
    env = make_env()
    drive(env, "lesson start dockerfiles\rdocker build -q -t timers:v1 .\r"
               "docker run timers:v1\rdocker run timers:v1 ls /timers\r"
               "docker history busybox\r")
    out = env.output_text()
    assert "✓ Run the image, with and without a command" in out
    assert "✓ One layer per instruction" not in out
    drive(env, "docker history timers:v1\r")
    assert "✓ One layer per instruction" in env.output_text()


def test_finding_the_stopped_container_needs_one_to_find(make_env):
    """Its ✓ says the hello-world container is Exited (0): with it removed, `docker
    ps -a` passed all the same."""
    env = make_env()
    drive(env, "lesson start hello-world\rskip\rdocker run --name hi hello-world\r"
               "docker images\rdocker rm hi\rdocker ps -a\r")
    out = env.output_text()
    assert "✓ See the image you now have" in out
    assert "✓ Find the stopped container" not in out


def test_a_server_that_answers_a_moment_later_still_gets_its_check(make_env):
    """The check after a command ran once: a server still starting (here a second late)
    failed it, and the ✓ came only when the learner typed `check` (the capstone's
    compose step, whose web and clock need a moment, hung a learner so in CI)."""
    env = make_env()
    drive(env, "lesson start publishing-ports\r"
               "docker run -d --name web -p 45678:80 busybox sh -c 'sleep 1; "
               "echo \"Hello from inside a container\" > /index.html; httpd -f -h /'\r")
    assert "✓ Publish a port" in env.output_text()
