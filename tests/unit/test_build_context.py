"""The build context (sources, globs, .dockerignore, the digest behind the cache key),
paths inside a root, and which stages a build needs: no root, no containers."""
from __future__ import annotations

import os

import pytest

from engine.build import context, dockerfile, ignore, rootpath, stages
from engine.build.errors import BuildError


@pytest.fixture
def ctx(tmp_path):
    for rel, text in {"a.txt": "a", "b.txt": "b", "src/x.js": "x", "src/y.js": "y",
                      "src/sub/z.js": "z", "secret.key": "k"}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.symlink("a.txt", tmp_path / "link.txt")
    return context.Tree(str(tmp_path), ignore.Matcher(["*.key"]), ref="ref")


def names(entries):
    return [(e.name, e.rel) for e in entries]


def test_find_plain_paths_relative_to_the_context_whatever_they_say(ctx):
    assert names(ctx.find("a.txt")) == [("a.txt", "a.txt")]
    assert names(ctx.find("/src/x.js")) == [("x.js", "src/x.js")]
    assert names(ctx.find("./src/../b.txt")) == [("b.txt", "b.txt")]
    assert names(ctx.find(".")) == [("/", "")]


def test_find_globs_per_component(ctx):
    assert names(ctx.find("*.txt")) == [("a.txt", "a.txt"), ("b.txt", "b.txt"),
                                        ("link.txt", "link.txt")]
    assert names(ctx.find("src/*.js")) == [("x.js", "src/x.js"), ("y.js", "src/y.js")]
    assert names(ctx.find("s?c/[xz].js")) == [("x.js", "src/x.js")]


def test_a_top_level_link_is_followed_and_keeps_its_name(ctx):
    (entry,) = ctx.find("link.txt")
    assert entry.name == "link.txt" and entry.path.endswith("/a.txt")


def test_not_found_and_ignored_in_buildkits_words(ctx):
    with pytest.raises(BuildError) as e:
        ctx.find("missing.txt")
    assert str(e.value) == ('failed to compute cache key: failed to calculate checksum of ref '
                            'ref: "/missing.txt": not found')
    with pytest.raises(BuildError) as e:
        ctx.find("secret.key")
    assert "left out of the build context by .dockerignore" in e.value.hint
    assert [n for n, _ in names(ctx.find("*"))] == ["a.txt", "b.txt", "link.txt", "src"]


def test_no_context_at_all():
    with pytest.raises(BuildError) as e:
        context.Tree(None).find("a.txt")
    assert "no context" in e.value.hint


def test_outside_the_context():
    assert context.outside("../x") and context.outside("a/../../x") and context.outside("..")
    assert not context.outside("/../x") and not context.outside("a/../x")


def test_walk_lists_a_directory_sorted_without_ignored_files(tmp_path):
    for rel in ("d/b", "d/a", "d/skip.log", "d/e/c"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    tree = context.Tree(str(tmp_path), ignore.Matcher(["**/*.log"]))
    (entry,) = tree.find("d")
    assert [sub for sub, _, _ in tree.walk(entry)] == ["", "a", "b", "e", "e/c"]


def test_digest_follows_content_mode_and_time_of_what_is_read_only(ctx, tmp_path):
    def digest(src):
        return context.digest(ctx, ctx.find(src))[0]
    first = digest("src")
    (tmp_path / "a.txt").write_text("changed")          # not read by COPY src
    assert digest("src") == first
    (tmp_path / "src/sub/z.js").write_text("zz")
    second = digest("src")
    assert second != first
    os.chmod(tmp_path / "src/x.js", 0o600)
    third = digest("src")
    assert third != second
    os.utime(tmp_path / "src/y.js", (1, 1))
    assert digest("src") != third
    assert context.digest(ctx, ctx.find("src"))[1] == 4     # bytes read: x, y, zz


def test_dockerignore_files_next_to_the_dockerfile(tmp_path):
    (tmp_path / ".dockerignore").write_text("*.log\n")
    (tmp_path / "Other.dockerfile.dockerignore").write_text("*.tmp\n")
    assert context.load_ignore(str(tmp_path)) == (["*.log"], 6)
    assert context.load_ignore(str(tmp_path), "x/Other.dockerfile")[0] == ["*.tmp"]
    assert context.load_ignore(None) == ([], 0)


def test_rootpath_resolves_links_inside_the_root(tmp_path):
    root = str(tmp_path)
    os.makedirs(tmp_path / "opt/real")
    os.makedirs(tmp_path / "usr")
    os.symlink("/opt/real", tmp_path / "usr/local")
    os.symlink("../../../../etc", tmp_path / "escape")
    assert rootpath.resolve(root, "/usr/local/bin") == f"{root}/opt/real/bin"
    assert rootpath.resolve(root, "/escape/passwd") == f"{root}/etc/passwd"
    assert rootpath.resolve(root, "/usr/local", follow_last=False) == f"{root}/usr/local"
    assert rootpath.clean("a/../b/") == "/b" and rootpath.clean("//x") == "/x"


def stages_of(text: str):
    meta, sts = stages.split(dockerfile.parse(text.encode()))
    values, _ = stages.meta_args(meta, {})
    stages.resolve(sts, values)
    return sts


def test_only_the_stages_the_target_needs():
    sts = stages_of("FROM busybox AS a\nFROM a AS b\nFROM busybox AS c\n"
                    "FROM scratch\nCOPY --from=b /x /x\nCOPY --from=0 /y /y\n")
    assert [s.base[0] for s in sts] == ["image", "stage", "image", "scratch"]
    assert stages.needed(sts, stages.target(sts, None)) == {0, 1, 3}
    assert stages.needed(sts, stages.target(sts, "C")) == {2}
    with pytest.raises(BuildError, match='target stage "d" could not be found'):
        stages.target(sts, "d")


def test_from_lines_see_the_global_args_only():
    sts = stages_of("ARG TAG=latest\nARG IMG=busy${TAG}\nFROM busybox:$TAG\n")
    assert sts[0].base == ("image", "docker.io/library/busybox:latest", "busybox:latest")
    with pytest.raises(BuildError, match=r"base name \(\$NOPE\) should not be blank"):
        stages_of("FROM $NOPE\n")


def test_stage_errors():
    with pytest.raises(BuildError, match="no build stage in current context"):
        stages_of("RUN echo\nFROM busybox\n")
    with pytest.raises(BuildError, match='duplicate stage name "a"'):
        stages_of("FROM busybox AS a\nFROM busybox AS A\n")
    with pytest.raises(BuildError, match="refers to the current or a later build stage"):
        stages_of("FROM busybox\nCOPY --from=0 /a /b\n")
    with pytest.raises(BuildError, match="file with no instructions"):
        stages_of("# nothing\n")
