"""The Dockerfile parser, the builder's variable substitution, .dockerignore patterns
and the words of BuildKit's history and error output: no root, no containers."""
from __future__ import annotations

import pytest

from engine.build import dockerfile, ignore, metadata
from engine.build.errors import BuildError, ParseError
from engine.build.expand import expand, expand_raw, split_words
from engine.build.hints import cd_hints
from shell.commands.build import source_block


def parse(text: str):
    return dockerfile.parse(text.encode()).instructions


def one(text: str):
    (inst,) = parse(text)
    return inst


def parse_error(text: str) -> ParseError:
    with pytest.raises(BuildError) as e:
        dockerfile.parse(text.encode())
    return e.value


# --- lines, comments, continuations -----------------------------------------------------

def test_comments_blank_lines_and_case_insensitive_keywords():
    insts = parse("# a comment\n\nfrom busybox\n  # indented comment\nRun echo hi\ncmd [\"sh\"]\n")
    assert [i.cmd for i in insts] == ["FROM", "RUN", "CMD"]
    assert [i.start for i in insts] == [3, 5, 6]
    assert insts[1].keyword == "Run" and insts[1].args == ["echo hi"]


def test_line_continuations_keep_the_next_lines_indentation():
    inst = one("RUN apk add \\\n    curl \\\n    git\n")
    assert inst.args == ["apk add     curl     git"]
    assert (inst.start, inst.end) == (1, 3)


def test_comment_and_empty_lines_inside_a_continuation_are_skipped():
    insts = parse("RUN echo a \\\n# not part of it\n\n    && echo b\nCMD x\n")
    assert insts[0].args == ["echo a     && echo b"]
    assert insts[0].end == 4 and insts[1].start == 5


def test_crlf_line_endings_and_a_byte_order_mark():
    insts = dockerfile.parse("\ufeffFROM busybox\r\nRUN echo hi\r\n".encode()).instructions
    assert [i.args for i in insts] == [["busybox"], ["echo hi"]]


def test_escape_directive_switches_to_backtick():
    df = dockerfile.parse(b"# escape=`\nFROM busybox\nRUN echo a `\n    b\n")
    assert df.escape == "`" and df.directives == {"escape": "`"}
    assert df.instructions[1].args == ["echo a     b"]


def test_syntax_directive_is_read_and_directives_stop_at_the_first_other_line():
    df = dockerfile.parse(b"# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\n")
    assert df.directives == {"syntax": "docker/dockerfile:1", "escape": "`"}
    late = dockerfile.parse(b"# a comment\n# escape=`\nFROM busybox\nRUN a \\\n b\n")
    assert late.escape == "\\" and late.instructions[1].args == ["a  b"]


def test_bad_and_repeated_directives():
    assert "invalid escape token '!' does not match ` or \\" in str(
        parse_error("# escape=!\nFROM busybox\n"))
    assert "only one escape parser directive can be used" in str(
        parse_error("# escape=`\n# escape=\\\nFROM busybox\n"))


# --- errors with the line and a suggestion ------------------------------------------------

def test_unknown_instruction_names_the_line_and_suggests():
    err = parse_error("FROM busybox\n\nRUNN echo hi\n")
    assert str(err) == "dockerfile parse error on line 3: unknown instruction: RUNN (did you mean RUN?)"
    assert err.lines == (3, 3)
    assert "(did you mean COPY?)" in str(parse_error("FROM busybox\ncopyy a b\n"))
    assert "(did you mean WORKDIR?)" in str(parse_error("FROM busybox\nWORKDIT /app\n"))


def test_unknown_instruction_far_from_any_keyword_gets_no_suggestion():
    assert str(parse_error("FROM busybox\necho hi\n")) == \
        "dockerfile parse error on line 2: unknown instruction: echo"


@pytest.mark.parametrize("text, message", [
    ("FROM\n", "FROM requires either one or three arguments"),
    ("FROM a b\n", "FROM requires either one or three arguments"),
    ("FROM a TO b\n", 'Expected AS, got "TO"'),
    ("FROM a AS 1x\n", 'invalid name for build stage: "1x", name can\'t start with a number'),
    ("FROM a\nCOPY onlyone\n", "COPY requires at least two arguments, but only one was provided"),
    ("FROM a\nWORKDIR\n", "WORKDIR requires exactly one argument"),
    ("FROM a\nENV\n", "ENV requires at least one argument"),
    ("FROM a\nENV ONLYKEY\n", "ENV must have two arguments"),
    ("FROM a\nENV a=1 b\n", 'Syntax error - can\'t find = in "b". Must be of the form: name=value'),
    ("FROM a\nLABEL =x\n", "LABEL names can not be blank"),
    ("FROM a\nSHELL /bin/bash -c\n", "SHELL requires the arguments to be in JSON form"),
    ("FROM a\nCMD [\"a\", 1]\n", "arrays must be comprised of strings only"),
    ("FROM a\nONBUILD ONBUILD RUN x\n", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
    ("FROM a\nONBUILD FROM b\n", "FROM isn't allowed as an ONBUILD trigger"),
    ("FROM a\nHEALTHCHECK WHAT x\n", 'Unknown type "WHAT" in HEALTHCHECK (try CMD)'),
    ("FROM a\nCOPY --chwon=1 a b\n", "unknown flag: chwon"),
    ("FROM a\nRUN\n", "RUN requires at least one argument"),
])
def test_argument_errors_in_dockers_words(text, message):
    err = parse_error(text)
    assert message in str(err)
    assert str(err).startswith(f"dockerfile parse error on line {err.lines[0]}: ")


# --- forms ------------------------------------------------------------------------------------

def test_exec_and_shell_forms():
    insts = parse('FROM a\nCMD ["node", "up.js"]\nCMD node up.js\nENTRYPOINT [ "x" ]\n'
                  "RUN ['single', 'quotes']\n")
    assert (insts[1].json, insts[1].args) == (True, ["node", "up.js"])
    assert (insts[2].json, insts[2].args) == (False, ["node up.js"])
    assert insts[3].json and insts[3].args == ["x"]
    assert not insts[4].json and insts[4].args == ["['single', 'quotes']"]


def test_env_forms():
    new = one('ENV A=1 B="two words" C=three\\ words\n')
    assert new.pairs == [("A", "1"), ("B", '"two words"'), ("C", "three\\ words")]
    assert not new.legacy
    old = one("ENV MY_VAR my value with spaces\n")
    assert old.pairs == [("MY_VAR", "my value with spaces")] and old.legacy


def test_arg_forms():
    inst = one("ARG A B=2 C=\"x y\"\n")
    assert inst.pairs == [("A", None), ("B", "2"), ("C", '"x y"')]


def test_flags_are_read_before_the_arguments():
    inst = one('COPY --from=builder --chown="1000:1000" --link /out /app\n')
    assert inst.flags == {"from": "builder", "chown": "1000:1000", "link": True}
    assert inst.args == ["/out", "/app"]
    hc = one("HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/\n")
    assert hc.flags == {"interval": "5m", "timeout": "3s"}
    assert hc.args == ["CMD", "curl -f http://localhost/"]


def test_copy_json_form_allows_spaces_in_names():
    assert one('COPY ["my file.txt", "/dest dir/"]\n').args == ["my file.txt", "/dest dir/"]


def test_onbuild_holds_its_trigger():
    inst = one("ONBUILD RUN echo built from me\n")
    assert inst.trigger.cmd == "RUN" and inst.args == ["RUN echo built from me"]


def test_heredocs_for_run_and_copy():
    insts = parse("FROM a\nRUN <<EOF\necho one\necho two\nEOF\nCOPY <<-'X' /f\n\tkeep $HOME\n\tX\nCMD y\n")
    run, copy = insts[1], insts[2]
    assert run.heredocs[0].content == "echo one\necho two\n" and run.end == 5
    assert copy.heredocs[0].content == "keep $HOME\n" and not copy.heredocs[0].expand
    assert insts[3].start == 9


def test_unterminated_heredoc():
    assert "unterminated heredoc EOF" in str(parse_error("FROM a\nRUN <<EOF\necho hi\n"))


# --- lint warnings --------------------------------------------------------------------------

def test_build_check_warnings():
    df = dockerfile.parse(b"FROM a as Builder\nENV k v\nMAINTAINER me\nCMD echo hi\n")
    rules = [(w[0], w[2]) for w in df.warnings]
    assert rules == [("FromAsCasing", 1), ("StageNameCasing", 1),
                     ("LegacyKeyValueFormat", 2), ("MaintainerDeprecated", 3),
                     ("JSONArgsRecommended", 4)]


# --- words and variables ----------------------------------------------------------------------

def test_split_words_keeps_quotes_together():
    assert split_words('a="b c" d \'e f\' g\\ h') == ['a="b c"', "d", "'e f'", "g\\ h"]


@pytest.mark.parametrize("word, want", [
    ("$A", "1"), ("${A}x", "1x"), ("$UNSET", ""), ("${UNSET:-dflt}", "dflt"),
    ("${A:-dflt}", "1"), ("${EMPTY:-dflt}", "dflt"), ("${EMPTY-dflt}", ""),
    ("${A:+set}", "set"), ("${UNSET:+set}", ""), ("'$A'", "$A"), ('"$A b"', "1 b"),
    ("\\$A", "$A"), ("a\\ b", "a b"), ('"a \\"q\\""', 'a "q"'), ("$", "$"), ("$1x", "x"),
    ("${A}${A}", "11"),
])
def test_expand(word, want):
    assert expand(word, {"A": "1", "EMPTY": ""}) == want


def test_expand_required_variable():
    with pytest.raises(BuildError, match="NEEDED: set it"):
        expand("${NEEDED:?set it}", {})


def test_expand_raw_keeps_quotes():
    assert expand_raw('say "$A" \'$A\' \\$A', {"A": "hi"}) == 'say "hi" \'hi\' $A'


# --- .dockerignore ---------------------------------------------------------------------------

def test_dockerignore_rules():
    m = ignore.Matcher(ignore.read("# comment\n*.log\n/build\nnode_modules\n**/*.tmp\n"
                                   "docs/**\n!docs/keep.md\n"))
    assert m.ignored("app.log") and not m.ignored("sub/app.log")
    assert m.ignored("build") and m.ignored("build/out/x.o")
    assert m.ignored("node_modules/pkg/index.js")
    assert m.ignored("a.tmp") and m.ignored("deep/er/b.tmp")
    assert m.ignored("docs/guide.md") and not m.ignored("docs/keep.md")
    assert not m.ignored("src/main.c")


def test_dockerignore_patterns_are_cleaned():
    assert ignore.read("  ./a/../b  \n/c/\n! d\n\n") == ["b", "c", "!d"]


def test_dockerignore_last_match_wins():
    m = ignore.Matcher(["*.md", "!README.md", "README*"])
    assert m.ignored("README.md") and m.ignored("x.md")


# --- BuildKit's words -----------------------------------------------------------------------

def test_history_words():
    assert metadata.go_quoted_list(["node", "timers/up.js"]) == '["node" "timers/up.js"]'
    assert metadata.go_quoted_list(['say "hi"']) == '["say \\"hi\\""]'
    assert metadata.go_list(["/data", "/logs"]) == "[/data /logs]"
    assert metadata.go_duration(30_000_000_000) == "30s"
    assert metadata.go_duration(90_000_000_000) == "1m30s"
    assert metadata.go_duration(3_600_000_000_000) == "1h0m0s"
    assert metadata.go_duration(500_000_000) == "500ms"
    assert metadata.go_quote_rune(3) == "'\\x03'" and metadata.go_quote_rune(10) == "'\\n'"
    assert metadata.parse_duration("1m30s") == 90_000_000_000
    with pytest.raises(BuildError):
        metadata.parse_duration("5 minutes")


def test_expose_specs():
    assert metadata._port_specs("80") == ["80/tcp"]
    assert metadata._port_specs("53/UDP") == ["53/udp"]
    assert metadata._port_specs("8000-8002") == ["8000/tcp", "8001/tcp", "8002/tcp"]
    with pytest.raises(BuildError, match="invalid containerPort: http"):
        metadata._port_specs("http")


def test_source_block_like_buildkit():
    src = "FROM busybox\nRUN a\nRUN b\nRUN c\nRUN d\nRUN e\n"
    assert source_block(src, "Dockerfile", (4, 4)) == "\n".join([
        "Dockerfile:4", "--------------------",
        "   2 |     RUN a", "   3 |     RUN b", "   4 | >>> RUN c", "   5 |     RUN d",
        "   6 |     RUN e", "--------------------"])
    multi = source_block(src, "Dockerfile", (2, 3))
    assert multi.splitlines()[2:6] == ["   1 |     FROM busybox", "   2 | >>> RUN a",
                                      "   3 | >>> RUN b", "   4 |     RUN c"]


# --- hints -----------------------------------------------------------------------------------

def test_run_cd_hint_when_later_steps_rely_on_it():
    insts = parse("FROM a\nRUN mkdir /app && cd /app\nCOPY x .\n")
    (hint,) = cd_hints(insts[1:])
    assert hint.startswith("Dockerfile:2: the `cd /app` in this RUN is forgotten")
    assert "WORKDIR /app" in hint


def test_no_cd_hint_when_the_cd_is_used_inside_its_run_or_workdir_follows():
    assert cd_hints(parse("FROM a\nRUN cd /app && make\nRUN make install\n")[1:]) == []
    assert cd_hints(parse("FROM a\nRUN cd /app\nWORKDIR /app\nRUN make\n")[1:]) == []
    assert cd_hints(parse("FROM a\nRUN cd /app\nENV A=1\n")[1:]) == []
