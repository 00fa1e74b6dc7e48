"""The first things a learner types."""


def test_run_echo(sh):
    r = sh.run("docker run --rm busybox echo hi")
    assert (r.code, r.out) == (0, "hi\n")
    assert "Unable to find image 'busybox:latest' locally" in r.err


def test_hello_world(sh):
    r = sh.run("docker run hello-world")
    assert r.code == 0
    assert "Hello from dockerlings!" in r.out


def test_exit_code_passes_through(sh):
    assert sh.run("docker run --rm busybox sh -c 'exit 3'").code == 3
