"""shell.render.gotemplate against Go's text/template as the docker CLI runs it.

DOCKER_OUTPUTS and DOCKER_ERRORS were recorded from the real docker CLI (client
28.2.2, no daemon) with `docker context inspect --format TEMPLATE default`, which
renders the default context's metadata through the same template engine and
functions as every other --format.  CONTEXT mirrors that object.
test_cli_agrees re-checks both tables when a docker binary is on this machine.
"""
from __future__ import annotations

import datetime
import math
import os
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shell.render import gotemplate
from shell.render.gotemplate import (
    HEADER_FUNCS,
    NO_VALUE,
    Template,
    TemplateError,
    go_json,
    go_sprint,
    go_sprintf,
    go_type_name,
)


class EndpointMetaBase:
    __go_type__ = "context.EndpointMetaBase"

    def __init__(self) -> None:
        self.Host = "unix:///var/run/docker.sock"
        self.SkipTLSVerify = False


class StorageInfo:
    __go_type__ = "store.StorageInfo"

    def __init__(self) -> None:
        self.MetadataPath = "<IN MEMORY>"
        self.TLSPath = "<IN MEMORY>"


class ContextListing:
    """What `docker context inspect default` hands to the template."""

    __go_type__ = "context.contextWithTLSListing"

    def __init__(self) -> None:
        self.Name = "default"
        self.Endpoints = {"docker": EndpointMetaBase()}
        self.TLSMaterial = {}
        self.Storage = StorageInfo()


CONTEXT = ContextListing()


def render(text: str, data=CONTEXT, **kwargs) -> str:
    return gotemplate.compile(text).execute(data, **kwargs)


def error_of(text: str, data=CONTEXT) -> str:
    with pytest.raises(TemplateError) as info:
        render(text, data)
    return str(info.value)


# (template, what docker printed)
DOCKER_OUTPUTS = [
    ('{{.Name}}', 'default'),
    ('{{.Name | upper}}', 'DEFAULT'),
    ('{{.Endpoints.nope}}', '<no value>'),
    ('{{.Endpoints.nope.x}}', '<no value>'),
    ('{{.Endpoints.docker.Host}}', 'unix:///var/run/docker.sock'),
    ('{{truncate "abcdef" 3}}|{{truncate "ab" 3}}', 'abc|ab'),
    ('{{range 3}}[{{.}}]{{end}}', '[0][1][2]'),
    ('{{range 0}}x{{else}}empty{{end}}', 'empty'),
    ('{{with .Endpoints.nope}}x{{else with .Name}}[{{.}}]{{end}}', '[default]'),
    ('{{print 1 2 "a" "b" 3 nil true}}', '1 2ab3 <nil> true'),
    (
        '{{println 1 "a"}}|',
        '1 a\n'
        '|',
    ),
    (
        '{{printf "%05s|%-5d|%+d|%x|%X|%o|%q|%c|%U|%#U|%e|%g|%G|%8.3f" "ab" 3 4 255 "hi" 8 65 65 65 9731 1234.5678 0.00001234 1e21 3.14159}}',
        "000ab|3    |+4|ff|6869|10|'A'|A|U+0041|U+2603 '☃'|1.234568e+03|1.234e-05|1E+21|   3.142",
    ),
    ('{{printf "%d %s %t" "x" 1 3}}', '%!d(string=x) %!s(int=1) %!t(int=3)'),
    ('{{printf "%d"}}', '%!d(MISSING)'),
    ('{{printf "%d" 1 2}}', '1%!(EXTRA int=2)'),
    ('{{printf "%z" 1}}', '%!z(int=1)'),
    (
        '{{printf "%v %v" (split "a,b" ",") .Endpoints}}',
        '[a b] map[docker:{unix:///var/run/docker.sock false}]',
    ),
    ('{{$x := 1}}{{$x = 2}}{{$x}}', '2'),
    ('{{.Name\n}}', 'default'),
    (
        '{{html "<a&\\"\'>"}} {{js "<a=\\"b\\">\\n\'é"}} {{urlquery "a b&c/é"}}',
        '&lt;a&amp;&#34;&#39;&gt; \\u003Ca\\u003D\\"b\\"\\u003E\\u000A\\\'é a+b%26c%2F%C3%A9',
    ),
    (
        '{{json 1e-7}} {{json 100000000000000000000.0}} {{json 0.1}} {{json -0.0}}',
        '1e-7 100000000000000000000 0.1 -0',
    ),
    (
        '{{upper "ßtraße"}} {{title "hello wORLD-foo_bar x.y"}} {{lower "ÀÉ"}}',
        'ßTRAßE Hello WORLD-Foo_bar X.Y àé',
    ),
    ('{{split "abc" ""}} {{len (split "" ",")}}', '[a b c] 1'),
    (
        '{{printf "%6.2f|%-8q|%x|% x|%#x|%08.3f|%+.1e|%5t|%v|%d" 3.14159 "hi" "hi" "hi" 255 -3.14159 12345.678 true 1.5 -5}}',
        '  3.14|"hi"    |6869|68 69|0xff|-003.142|+1.2e+04| true|1.5|-5',
    ),
    ('{{printf "%s %v %d" nil .Endpoints.nope (split "a" ",")}}', '%!s(<nil>) <nil> [%!d(string=a)]'),
    (
        '{{printf "%[2]d %[1]d" 1 2}} {{printf "%*d|%-*d|" 5 1 3 2}} {{printf "%.*f" 2 3.14159}} {{printf "%!" 1}} {{printf "abc%"}}',
        '2 1     1|2  | 3.14 %!!(int=1) abc%!(NOVERB)',
    ),
    ('{{print nil}} {{print .Endpoints.nope}} {{html .Endpoints.nope}}', '<nil> <nil> &lt;no value&gt;'),
    ('{{json "<a&b>"}}', '"<a&b>"'),
    ('{{json .Storage}}', '{"MetadataPath":"<IN MEMORY>","TLSPath":"<IN MEMORY>"}'),
    (
        "{{1.0}} {{1e6}} {{1e21}} {{3.14}} {{0x10}} {{1_000}} {{'a'}} {{-0}} {{1i}}",
        '1 1e+06 1e+21 3.14 16 1000 97 0 (0+1i)',
    ),
    ('{{printf "%v %v %v" 1.0 1e21 0.000001}}', '1 1e+21 1e-06'),
    ('{{printf "%T" .}}', 'context.contextWithTLSListing'),
    (
        '{{printf "%T %T %T %T %T %T" .Name .Endpoints .Storage 1 1.5 nil}}',
        'string map[string]interface {} store.StorageInfo int float64 <nil>',
    ),
    ('{{.Storage}}', '{<IN MEMORY> <IN MEMORY>}'),
    ('{{.Endpoints}}', 'map[docker:{unix:///var/run/docker.sock false}]'),
    ('{{.Endpoints.docker}}', '{unix:///var/run/docker.sock false}'),
    ('{{printf "%+v" .Endpoints.docker}}', '{Host:unix:///var/run/docker.sock SkipTLSVerify:false}'),
    ('{{printf "%#v" .Name}}', '"default"'),
    ('a  {{- .Name -}}  b', 'adefaultb'),
    ('a  {{- .Name}}  b', 'adefault  b'),
    ('a  {{.Name -}}  b', 'a  defaultb'),
    ('a \n\t{{- /* c */ -}}\n b', 'ab'),
    ('{{/* c */}}x', 'x'),
    ('{{- /* c */ -}}', ''),
    ('{{-3}}', '-3'),
    ('{{- 3}}', '3'),
    ('{{3 -}}', '3'),
    ('{{ 3 -}}', '3'),
    ('{{.Name -}}', 'default'),
    ('{{range $k, $v := .Endpoints}}{{$k}}:{{$v.Host}}{{end}}', 'docker:unix:///var/run/docker.sock'),
    ('{{range $v := .Endpoints}}{{$v.SkipTLSVerify}}{{end}}', 'false'),
    ('{{range .Endpoints}}{{.Host}}{{end}}', 'unix:///var/run/docker.sock'),
    ('{{range $i, $c := split "a,b,c" ","}}{{if $i}},{{end}}{{$c}}{{end}}', 'a,b,c'),
    ('{{range split "a,b,c" ","}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', 'ac'),
    ('{{range split "a,b,c" ","}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', 'a'),
    ('{{range .TLSMaterial}}x{{else}}none{{end}}', 'none'),
    ('{{range .Endpoints.nope}}x{{else}}none{{end}}', 'none'),
    ('{{$.Name}}', 'default'),
    ('{{with .Storage}}{{.TLSPath}} {{$.Name}}{{end}}', '<IN MEMORY> default'),
    ('{{if $x := .Name}}{{$x}}{{end}}', 'default'),
    ('{{$x := .Name}}{{if true}}{{$x = "y"}}{{end}}{{$x}}', 'y'),
    ('{{(.Endpoints).docker.Host}}', 'unix:///var/run/docker.sock'),
    ('{{(index .Endpoints "docker").Host}}', 'unix:///var/run/docker.sock'),
    ('{{index "abc" 1}}', '98'),
    ('{{index (split "a,b" ",") 1}}', 'b'),
    ('{{slice "abc"}} {{slice "abc" 1}} {{slice (split "a,b,c" ",") 1 2}}', 'abc bc [b]'),
    ('{{len .Endpoints}} {{len .TLSMaterial}} {{len "日本"}}', '1 0 6'),
    ('{{not .Name}} {{not ""}} {{not .Endpoints.nope}}', 'false true true'),
    (
        '{{and .Name .Endpoints.nope}}|{{or .Endpoints.nope .Name}}|{{and 1 2}}|{{or 0 ""}}|',
        '<no value>|default|2||',
    ),
    ('{{"x" | and 1}} {{"x" | or 0}} {{0 | or}}', 'x x 0'),
    (
        '{{eq .Name "default" "x"}} {{eq "a" "b" "c"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}}',
        'true false true true true true false',
    ),
    ('{{eq .Endpoints.nope nil}}', 'true'),
    ('{{eq nil nil}}', 'true'),
    ('{{eq .Endpoints.nope "x"}}', 'false'),
    ('{{eq .Storage .Storage}}', 'true'),
    ('{{printf "%s" .Name | printf "%q"}}', '"default"'),
    ('{{.Name | printf "%s-%s" "x"}}', 'x-default'),
    ('{{.Name | len}}', '7'),
    ('{{"abc" | printf "%.2s|%5.1s|%-4s|"}}', 'ab|%!s(MISSING)|%!s(MISSING)|'),
    (
        '{{printf "%5.1f|%-8.3e|%+d|% d|%x|%X|%#o|%b|%08b" 2.25 1234.5 5 5 -255 255 8 5 5}}',
        '  2.2|1.234e+03|+5| 5|-ff|FF|010|101|00000101',
    ),
    ('{{printf "%3c|%-4q|%U" 65 66 128512}}', "  A|'B' |U+1F600"),
    ('{{printf "%v|%d|%s" true true true}}', 'true|%!d(bool=true)|%!s(bool=true)'),
    ('{{printf "%t" "x"}}', '%!t(string=x)'),
    (
        '{{printf "%.3g|%g|%g|%g|%.10g|%G" 1234.5678 100000.0 1000000.0 0.0001 0.1 1e-10}}',
        '1.23e+03|100000|1e+06|0.0001|0.1|1E-10',
    ),
    (
        '{{printf "%e|%E|%.0e|%.0f|%.1f|%.2f" 0.0 1.0 1.5 2.5 0.05 1.005}}',
        '0.000000e+00|1.000000E+00|2e+00|2|0.1|1.00',
    ),
    ('{{printf "%x|%X|%.3x" 1.0 3.5 1.0}}', '0x1p+00|0X1.CP+01|0x1.000p+00'),
    ('{{printf "%v|%.2v|%10v|%-10v|" 3.14159 3.14159 3.14159 1.5}}', '3.14159|3.1|   3.14159|1.5       |'),
    ('{{printf "%08.2f|%-08.2f|%+08.2f|% .2f" -1.5 1.5 1.5 1.5}}', '-0001.50|1.50    |+0001.50| 1.50'),
    ('{{printf "%6d|%-6d|%06d|%.3d|%6.3d|%+.3d" 42 42 -42 7 7 7}}', '    42|42    |-00042|007|   007|+007'),
    ('{{printf "%.0d|%5.0d|" 0 0}}', '|     |'),
    (
        '{{printf "%x|% x|%#x|% #x|%X|%.1x" "hé" "hé" "hé" "hé" "hé" "hé"}}',
        '68c3a9|68 c3 a9|0x68c3a9|0x68 0xc3 0xa9|68C3A9|68',
    ),
    ('{{printf "%q|%+q|%#q|%#q" "héllo\\n" "héllo" "a`b" "ab"}}', '"héllo\\n"|"h\\u00e9llo"|"a`b"|`ab`'),
    ('{{printf "%10.3q|" "abcdef"}}', '     "abc"|'),
    ('{{printf "%v %v" (1+2i) 3i}}', '(1+2i) (0+3i)'),
    (
        '{{printf "%s" (split "a b" " ")}} {{printf "%q" (split "a b" " ")}} {{printf "%5s|" (split "a b" " ")}}',
        '[a b] ["a" "b"] [    a     b]|',
    ),
    (
        '{{printf "%d" .Endpoints}}',
        'map[%!d(string=docker):{%!d(string=unix:///var/run/docker.sock) %!d(bool=false)}]',
    ),
    (
        '{{printf "%v" .Storage}} {{printf "%+v" .Storage}} {{printf "%s" .Storage}}',
        '{<IN MEMORY> <IN MEMORY>} {MetadataPath:<IN MEMORY> TLSPath:<IN MEMORY>} {<IN MEMORY> <IN MEMORY>}',
    ),
    ('{{printf "%[3]d %d" 1 2 3}}', '3 %!d(MISSING)'),
    ('{{printf "%[5]d" 1}}', '%!d(BADINDEX)'),
    ('{{printf "%[0]d" 1}}', '%!d(BADINDEX)'),
    ('{{printf "%[x]d" 1}}', '%!d(BADINDEX)'),
    ('{{printf "%[1]*d" 3 4}}', '  4'),
    ('{{printf "%.*d" -1 4}}', '%!(BADPREC)4'),
    ('{{printf "%*d" "x" 4}}', '%!(BADWIDTH)4'),
    ('{{printf "%-*d|" -3 4}}', '4  |'),
    ('{{printf "%d %d" 1}}', '1 %!d(MISSING)'),
    ('{{printf "%!d" 1}}', '%!!(int=1)d'),
    ('{{printf "%%|%5%|%c" 65}}', '%|%|A'),
    ('{{printf "%v" nil}} {{printf "%5v|" nil}} {{printf "%T" nil}}', '<nil> <nil>| <nil>'),
    (
        '{{printf "%s" 1.5}} {{printf "%d" 1.5}} {{printf "%f" 1}}',
        '%!s(float64=1.5) %!d(float64=1.5) %!f(int=1)',
    ),
    (
        '{{print}}|{{println}}|{{print "a" 1 2 "b"}}|{{println "a" nil}}',
        '|\n'
        '|a1 2b|a <nil>\n',
    ),
    ('{{print .Endpoints.nope "x"}}', '<nil>x'),
    (
        '{{js "\\u2028 \\x01 é 日 \\t"}} {{html "a\\x00b"}} {{urlquery "~-_. +"}} {{js 1 2}} {{html 1 "a" 2}}',
        '\\u2028 \\u0001 é 日 \\u0009 a�b ~-_.+%2B 1 2 1a2',
    ),
    ('{{urlquery .Endpoints.nope}} {{js nil}}', '%3Cno+value%3E \\u003Cno value\\u003E'),
    (
        '{{json .Endpoints}} {{json (split "a,b" ",")}} {{json .Endpoints.nope}} {{json nil}} {{json true}} {{json 1}} {{json "é\\u2028\\t\\"\\\\"}}',
        '{"docker":{"Host":"unix:///var/run/docker.sock","SkipTLSVerify":false}} ["a","b"] null null true 1 "é\\u2028\\t\\"\\\\"',
    ),
    (
        '{{json 1.5e300}} {{json 1e20}} {{json 1e21}} {{json 123456789.0}} {{json 0.000001}} {{json 0.0000001}}',
        '1.5e+300 100000000000000000000 1e+21 123456789 0.000001 1e-7',
    ),
    ('{{split .Name "a"}} {{split "a,b,,c" ","}} {{len (split "" "")}}', '[def ult] [a b  c] 0'),
    ('{{join (split "x" ",") "-"}}', 'x'),
    (
        '{{title "élan vital éte"}} {{title "a1b c_d e-f g.h"}} {{upper "ǆx"}} {{lower "ǅ"}} {{title "ǆx"}}',
        'Élan Vital Éte A1b C_d E-F G.H ǄX ǆ ǅx',
    ),
    ('{{pad .Name 2 3}}| {{pad "" 2 3}}|', '  default   | |'),
    ('{{truncate "日本語" 4}}|{{truncate "日本語" 3}}|{{truncate "" 0}}|', '日�|日||'),
    ('{{truncate .Name 3.0}}', 'def'),
    ('{{join nil ","}}', ''),
    ('{{2 | truncate .Name}}', 'de'),
    ('{{.Name | upper | printf "<%s>"}}', '<DEFAULT>'),
    ('{{"" | printf "%s"}}', ''),
    ('{{(print "a" "b") | len}}', '2'),
    ('{{printf "%d" (len .Name)}}', '7'),
    ('{{true | not}}', 'false'),
    ('{{define "x"}}X{{.}}{{end}}{{template "x" .Name}}|{{template "x"}}', 'Xdefault|X<no value>'),
    ('{{define "x"}}{{end}}{{define "x"}}a{{end}}{{template "x"}}', 'a'),
    ('{{block "b" .Name}}[{{.}}]{{end}}', '[default]'),
    ('{{if eq .Name "x"}}x{{else if eq .Name "default"}}d{{else}}e{{end}}', 'd'),
    ('{{if false}}a{{else if false}}b{{else if true}}c{{end}}', 'c'),
    ('{{with .Name}}{{.}}{{else}}no{{end}}', 'default'),
    (
        '{{0b101}} {{0o17}} {{017}} {{0x_1F}} {{1_0.5}} {{.5}} {{5.}} {{1e3}} {{0x1p4}} {{-0x10}} {{+5}} {{-1.5}}',
        '5 15 15 31 10.5 0.5 5 1000 16 -16 5 -1.5',
    ),
    ('{{9223372036854775807}} {{-9223372036854775808}}', '9223372036854775807 -9223372036854775808'),
    ('{{1e19}}', '1e+19'),
    ("{{'\\n'}} {{'\\''}} {{'日'}} {{'\\x41'}} {{'\\u00e9'}} {{'\\377'}}", '10 39 26085 65 233 255'),
    ('{{"\\x41\\u00e9\\U0001F600\\101\\a\\t"}}', 'Aé😀A\x07\t'),
    ('{{1+2i}} {{2i}} {{0i}} {{1.5+0i}} {{-1-1i}}', '(1+2i) (0+2i) (0+0i) (1.5+0i) (-1-1i)'),
    ('{{printf "%T %T %T %T" 1+2i 1.0 1 \'a\'}}', 'complex128 float64 int int'),
    ('{{.Name|upper}}', 'DEFAULT'),
    ('{{.Name |upper}}', 'DEFAULT'),
    ('{{ .Name }}', 'default'),
    ('{{.Name\t}}', 'default'),
    ('{{$x:=1}}{{$x}}', '1'),
    ('{{$x :=1}}{{$x}}', '1'),
    ('{{$x := 1}}{{$x := 2}}{{$x}}', '2'),
    ('{{range $i, $x := split "a,b" ","}}{{$i}}{{$x}}{{end}}', '0a1b'),
    ('{{$i := 0}}{{range $i = split "a,b" ","}}{{$i}}{{end}}|{{$i}}', 'ab|b'),
    ('{{$i := 0}}{{$e := ""}}{{range $i, $e = split "a,b" ","}}{{end}}{{$i}}{{$e}}', '1b'),
    ('{{range $i, $e := .Endpoints}}{{$i}}{{end}}', 'docker'),
    ('{{range .Endpoints}}{{break}}x{{end}}done', 'done'),
    ('{{range .Endpoints}}{{continue}}x{{end}}done', 'done'),
    ('{{printf "%s" "a" "b"}}', 'a%!(EXTRA string=b)'),
    ('{{(.Name | printf "%s")}}', 'default'),
    ('{{((.Name))}}', 'default'),
    ('{{$.Endpoints.docker.Host}}', 'unix:///var/run/docker.sock'),
    ('{{$x := .Endpoints}}{{$x.docker.Host}}', 'unix:///var/run/docker.sock'),
    ('{{.Endpoints.docker.Host | printf "%.4s"}}', 'unix'),
    ('{{1 | printf "%d %d" 2}}', '2 1'),
    ('{{printf "%d" | len}}', '12'),
]

# (template, docker's error after "template parsing error: ")
DOCKER_ERRORS = [
    (
        '{{.Foo}}',
        'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    (
        '{{.Name.Foo}}',
        'template: :1:7: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string',
    ),
    (
        '{{.Endpoints.docker.Host 1}}',
        'template: :1:12: executing "" at <.Endpoints.docker.Host>: Host has arguments but cannot be invoked as function',
    ),
    (
        '{{.Name 1}}',
        'template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function',
    ),
    (
        '{{truncate "abc" -1}}',
        'template: :1:2: executing "" at <truncate "abc" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]',
    ),
    (
        '{{range $i, $e := 3}}{{end}}',
        'template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable',
    ),
    ('{{range "ab"}}[{{.}}]{{end}}', 'template: :1:8: executing "" at <"ab">: range can\'t iterate over ab'),
    (
        '{{with .Nope}}x{{else with .Name}}[{{.}}]{{end}}',
        'template: :1:7: executing "" at <.Nope>: can\'t evaluate field Nope in type context.contextWithTLSListing',
    ),
    ('{{.Name}', "template: :1: bad character U+007D '}'"),
    ('{{.Name }', 'template: :1: unexpected "}" in operand'),
    ('{{foo}}', 'template: :1: function "foo" not defined'),
    ('{{if .Name}}x', 'template: :1: unexpected EOF'),
    ('{{end}}', 'template: :1: unexpected {{end}}'),
    ('{{else}}', 'template: :1: unexpected {{else}}'),
    ('{{.Name | 3}}', 'template: :1: non executable command in pipeline stage 2'),
    ('{{$x}}', 'template: :1: undefined variable "$x"'),
    ('{{(1}}', 'template: :1: unclosed left paren'),
    ('{{1)}}', 'template: :1: unexpected right paren'),
    ('{{"abc}}', 'template: :1: unterminated quoted string'),
    ('{{`abc}}', 'template: :1: unterminated raw quoted string'),
    ("{{'ab'}}", "template: :1: malformed character constant: 'ab'"),
    ('{{0x1.8}}', 'template: :1: illegal number syntax: "0x1.8"'),
    ('{{99999999999999999999}}', 'template: :1: integer overflow: "99999999999999999999"'),
    ('{{1e400}}', 'template: :1: illegal number syntax: "1e400"'),
    ('{{/* x }}', 'template: :1: unclosed comment'),
    ('{{/* x */ }}', 'template: :1: comment ends before closing delimiter'),
    ('{{range $i, $j, $k := .}}{{end}}', 'template: :1: too many declarations in range'),
    ('{{break}}', 'template: :1: {{break}} outside {{range}}'),
    ('{{.Name.}}', 'template: :1: unexpected <.> in operand'),
    ('{{"\\q"}}', 'template: :1: invalid syntax'),
    ('{{3.Foo}}', 'template: :1: bad number syntax: "3.F"'),
    ('{{ }}', 'template: :1: missing value for command'),
    ('{{|}}', 'template: :1: unexpected "|" in command'),
    ('a\n{{.Name\n', 'template: :3: unclosed action started at :2'),
    (
        '{{define "a"}}A{{end}}{{template "a"}}{{template "b"}}',
        'template: :1:49: executing "" at <{{template "b"}}>: template "b" not defined',
    ),
    (
        '{{eq 1 1.0}}',
        'template: :1:2: executing "" at <eq 1 1.0>: error calling eq: incompatible types for comparison',
    ),
    (
        '{{eq 1 "a"}}',
        'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison',
    ),
    (
        '{{lt true false}}',
        'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison',
    ),
    (
        '{{lt .Endpoints 1}}',
        'template: :1:2: executing "" at <lt .Endpoints 1>: error calling lt: invalid type for comparison',
    ),
    (
        '{{index .Endpoints "nope"}}|{{index .Endpoints.docker 1}}',
        'template: :1:30: executing "" at <index .Endpoints.docker 1>: error calling index: can\'t index item of type context.EndpointMetaBase',
    ),
    (
        '{{len .Name}}{{len 3}}',
        'template: :1:15: executing "" at <len 3>: error calling len: len of type int',
    ),
    (
        '{{slice "abcdef" 1 3}} {{slice "abc" 2 1}}',
        'template: :1:25: executing "" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1',
    ),
    ('{{nil}}', 'template: :1:2: executing "" at <nil>: nil is not a command'),
    (
        '{{printf}}',
        'template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0',
    ),
    (
        '{{and 1 0 2}} {{or 0 "" 3}} {{not 0}} {{and}}',
        'template: :1:40: executing "" at <and>: wrong number of args for and: want at least 1 got 0',
    ),
    (
        '{{call .Name}}',
        'template: :1:2: executing "" at <call .Name>: error calling call: non-function .Name of type string',
    ),
    (
        '{{pad "ab" -1 2}}',
        'template: :1:2: executing "" at <pad "ab" -1 2>: error calling pad: strings: negative Repeat count',
    ),
    (
        '{{join (split "a b c" " ") ", "}} {{join .Name ","}}',
        'template: :1:41: executing "" at <.Name>: wrong type for value; expected []string; got string',
    ),
    (
        '{{len .Endpoints.nope}}',
        'template: :1:2: executing "" at <len .Endpoints.nope>: error calling len: reflect: call of reflect.Value.Type on zero Value',
    ),
    ('{{.Name-}}', "template: :1: bad character U+002D '-'"),
    ('{{range .Name}}x{{end}}', 'template: :1:8: executing "" at <.Name>: range can\'t iterate over default'),
    ('{{with $x := .Name}}{{$x}}{{end}}{{$x}}', 'template: :1: undefined variable "$x"'),
    (
        '{{(split "a.b" ".").x}}',
        'template: :1:15: executing "" at <".">: can\'t evaluate field x in type []string',
    ),
    ('{{(.Name).x}}', 'template: :1:3: executing "" at <.Name>: can\'t evaluate field x in type string'),
    ('{{$.Name.x}}', 'template: :1:3: executing "" at <$.Name.x>: can\'t evaluate field x in type string'),
    (
        '{{index .Endpoints "docker" "x"}}',
        'template: :1:2: executing "" at <index .Endpoints "docker" "x">: error calling index: can\'t index item of type context.EndpointMetaBase',
    ),
    (
        '{{index "abc" 3}}',
        'template: :1:2: executing "" at <index "abc" 3>: error calling index: reflect: string index out of range',
    ),
    (
        '{{index "abc" 4}}',
        'template: :1:2: executing "" at <index "abc" 4>: error calling index: index out of range: 4',
    ),
    (
        '{{index (split "a,b" ",") -1}}',
        'template: :1:2: executing "" at <index (split "a,b" ",") -1>: error calling index: index out of range: -1',
    ),
    (
        '{{index (split "a,b" ",") "x"}}',
        'template: :1:2: executing "" at <index (split "a,b" ",") "x">: error calling index: cannot index slice/array with type string',
    ),
    (
        '{{index nil 1}}',
        'template: :1:2: executing "" at <index nil 1>: error calling index: index of untyped nil',
    ),
    (
        '{{index .Endpoints.nope 1}}',
        'template: :1:2: executing "" at <index .Endpoints.nope 1>: error calling index: index of untyped nil',
    ),
    (
        '{{slice "abc" 1 2 3}}',
        'template: :1:2: executing "" at <slice "abc" 1 2 3>: error calling slice: cannot 3-index slice a string',
    ),
    (
        '{{slice 3 1}}',
        'template: :1:2: executing "" at <slice 3 1>: error calling slice: can\'t slice item of type int',
    ),
    (
        '{{lt .Endpoints.nope 1}}',
        'template: :1:2: executing "" at <lt .Endpoints.nope 1>: error calling lt: invalid type for comparison',
    ),
    ('{{eq}}', 'template: :1:2: executing "" at <eq>: wrong number of args for eq: want at least 1 got 0'),
    ('{{eq 1}}', 'template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison'),
    ('{{ne 1 2 3}}', 'template: :1:2: executing "" at <ne>: wrong number of args for ne: want 2 got 3'),
    (
        '{{eq .Endpoints .Endpoints}}',
        'template: :1:2: executing "" at <eq .Endpoints .Endpoints>: error calling eq: non-comparable type map[docker:{unix:///var/run/docker.sock %!s(bool=false)}]: map[string]interface {}',
    ),
    (
        '{{eq (split "a" ",") (split "a" ",")}}',
        'template: :1:2: executing "" at <eq (split "a" ",") (split "a" ",")>: error calling eq: non-comparable type [a]: []string',
    ),
    (
        '{{json (1+2i)}}|',
        'template: :1:2: executing "" at <json (1+2i)>: error calling json: json: unsupported type: complex128',
    ),
    ('{{truncate .Name 3.5}}', 'template: :1:17: executing "" at <3.5>: expected integer; found 3.5'),
    ('{{truncate .Name "3"}}', 'template: :1:17: executing "" at <"3">: expected integer; found "3"'),
    ('{{truncate 3 3}}', 'template: :1:11: executing "" at <3>: expected string; found 3'),
    ('{{upper 3}}', 'template: :1:8: executing "" at <3>: expected string; found 3'),
    (
        '{{upper .Endpoints.nope}}',
        'template: :1:18: executing "" at <.Endpoints.nope>: invalid value; expected string',
    ),
    ('{{upper nil}}', 'template: :1:8: executing "" at <nil>: cannot assign nil to string'),
    ('{{split "a" nil}}', 'template: :1:12: executing "" at <nil>: cannot assign nil to string'),
    ('{{join "a" ","}}', 'template: :1:7: executing "" at <"a">: can\'t handle "a" for arg of type []string'),
    (
        '{{join .Endpoints ","}}',
        'template: :1:7: executing "" at <.Endpoints>: wrong type for value; expected []string; got map[string]interface {}',
    ),
    ('{{.Name | truncate 2}}', 'template: :1:19: executing "" at <2>: expected string; found 2'),
    ('{{1 2}}', 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1'),
    (
        '{{.Name .Name}}',
        'template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function',
    ),
    ('{{$ 1}}', 'template: :1:2: executing "" at <$>: can\'t give argument to non-function $'),
    ('{{(1) 2}}', 'template: :1:2: executing "" at <(1) 2>: can\'t give argument to non-function 1'),
    ('{{.Name | $}}', 'template: :1:10: executing "" at <$>: can\'t give argument to non-function $'),
    ('{{template "x"}}', 'template: :1:11: executing "" at <{{template "x"}}>: template "x" not defined'),
    (
        '{{define "x"}}a{{end}}{{define "x"}}b{{end}}',
        'template: :1: template: multiple definition of template "x"',
    ),
    ('{{if false}}a{{else}}b{{else}}c{{end}}', 'template: :1: expected end; found {{else}}'),
    ('{{if false}}a{{else if}}b{{end}}', 'template: :1: missing value for if'),
    ('{{if}}{{end}}', 'template: :1: missing value for if'),
    ('{{range}}{{end}}', 'template: :1: missing value for range'),
    ('{{with}}{{end}}', 'template: :1: missing value for with'),
    ('{{if .Name}}{{end}}{{end}}', 'template: :1: unexpected {{end}}'),
    ('{{range .Endpoints}}{{else}}{{else}}{{end}}', 'template: :1: expected end; found {{else}}'),
    (
        'line1\nline2 {{.Nope}}',
        'template: :2:8: executing "" at <.Nope>: can\'t evaluate field Nope in type context.contextWithTLSListing',
    ),
    (
        'line1\n  {{.Name}} {{.Nope}}',
        'template: :2:14: executing "" at <.Nope>: can\'t evaluate field Nope in type context.contextWithTLSListing',
    ),
    (
        '{{.Name}}\n{{if .Name}}\n{{.Foo}}\n{{end}}',
        'template: :3:2: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    ('ab\n{{.Name | printf "%d %s" 1 | len | foo}}', 'template: :2: function "foo" not defined'),
    ('ab\n{{if .Name}}\nx', 'template: :3: unexpected EOF'),
    ('{{"a\nb"}}', 'template: :1: unterminated quoted string'),
    (
        '{{`a\nb`}}{{.Foo}}',
        'template: :2:6: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    (
        '{{/* a\nb */}}{{.Foo}}',
        'template: :2:8: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    (
        '{{.Name}}\n{{`x\ny` | printf "%s %s" .Nope}}',
        'template: :3:20: executing "" at <.Nope>: can\'t evaluate field Nope in type context.contextWithTLSListing',
    ),
    (
        'æ\x97¥æ\x9c¬{{.Foo}}',
        'template: :1:14: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    (
        '{{"æ\x97¥æ\x9c¬" | printf "%s" .Foo}}',
        'template: :1:31: executing "" at <.Foo>: can\'t evaluate field Foo in type context.contextWithTLSListing',
    ),
    ('{{1__0}}', 'template: :1: illegal number syntax: "1__0"'),
    ('{{0x}}', 'template: :1: illegal number syntax: "0x"'),
    ('{{08}}', 'template: :1: integer overflow: "08"'),
    ('{{1e}}', 'template: :1: illegal number syntax: "1e"'),
    ('{{1.2.3}}', 'template: :1: unexpected ".3" in operand'),
    (
        '{{9223372036854775808}}',
        'template: :1:2: executing "" at <9223372036854775808>: 9223372036854775808 overflows int',
    ),
    ('{{18446744073709551616}}', 'template: :1: integer overflow: "18446744073709551616"'),
    ("{{''}}", 'template: :1: invalid syntax'),
    ("{{'\\z'}}", 'template: :1: invalid syntax'),
    ('{{"\\\'"}}', 'template: :1: invalid syntax'),
    ('{{"\\400"}}', 'template: :1: invalid syntax'),
    ('{{1+2}}', 'template: :1: bad number syntax: "1+2"'),
    ('{{$x=1}}', "template: :1: bad character U+003D '='"),
    ('{{range $x := split "a,b" ","}}{{$x}}{{end}}{{$x}}', 'template: :1: undefined variable "$x"'),
    ('{{range $x, 1 := .}}{{end}}', 'template: :1: range can only initialize variables'),
    ('{{$x, $y := 1}}', 'template: :1: too many declarations in command'),
    ('{{.Name | $x := 1}}', 'template: :1: undefined variable "$x"'),
    ('{{break 1}}', 'template: :1: unexpected "1" in {{break}}'),
    ('{{define "t"}}{{break}}{{end}}', 'template: :1: {{break}} outside {{range}}'),
    ('{{if true}}{{break}}{{end}}', 'template: :1: {{break}} outside {{range}}'),
    ('{{define}}', 'template: :1: unexpected "}}" in define clause'),
    ('{{define "a"}}', 'template: :1: unexpected EOF'),
    ('{{define "a" "b"}}{{end}}', 'template: :1: unexpected "\\"b\\"" in define clause'),
    ('{{define "a"}}x{{else}}y{{end}}', 'template: :1: unexpected {{else}} in define clause'),
    ('{{template}}', 'template: :1: unexpected "}}" in template clause'),
    ('{{template .Name}}', 'template: :1: unexpected ".Name" in template clause'),
    (
        '{{template "a" 1 2}}',
        'template: :1:11: executing "" at <{{template "a" 1 2}}>: template "a" not defined',
    ),
    ('{{block}}', 'template: :1: unexpected "}}" in block clause'),
    ('{{block "x"}}{{end}}', 'template: :1: missing value for block clause'),
    ('{{nil.x}}', 'template: :1: unexpected . after term "nil"'),
    ('{{true.x}}', 'template: :1: unexpected . after term "true"'),
    ('{{"a".x}}', 'template: :1: unexpected . after term "\\"a\\""'),
    ('{{(nil).x}}', 'template: :1:3: executing "" at <nil>: nil is not a command'),
    ('{{..}}', 'template: :1: unexpected <.> in operand'),
    ('{{.Name..x}}', 'template: :1: unexpected <.> in operand'),
    ('{{$.}}', 'template: :1: unexpected <.> in operand'),
    ('{{.Name,}}', 'template: :1: unexpected "," in operand'),
    ('{{.Name:=1}}', 'template: :1: unexpected ":=" in operand'),
    ('{{$x:}}', 'template: :1: undefined variable "$x"'),
    ('{{@}}', 'template: :1: unexpected "@" in command'),
    ('{{.Name!}}', "template: :1: bad character U+0021 '!'"),
    ('{{é}}', 'template: :1: function "é" not defined'),
    (
        '{{.é}}',
        'template: :1:2: executing "" at <.é>: can\'t evaluate field é in type context.contextWithTLSListing',
    ),
    ('{{ab#}}', "template: :1: bad character U+0023 '#'"),
    ('{{\x01}}', 'template: :1: unrecognized character in action: U+0001'),
    ('{{\xa0}}', 'template: :1: unrecognized character in action: U+00A0'),
    (
        '{{(printf "%s" "a") (1)}}',
        'template: :1:2: executing "" at <(printf "%s" "a") (1)>: can\'t give argument to non-function printf "%s" "a"',
    ),
    (
        '{{.Name | (printf "%s")}}',
        'template: :1:2: executing "" at <.Name>: can\'t give argument to non-function printf "%s"',
    ),
    (
        '{{.Name | (.Name)}}',
        'template: :1:2: executing "" at <.Name>: can\'t give argument to non-function .Name',
    ),
    ('{{(.Name).x.y}}', 'template: :1:3: executing "" at <.Name>: can\'t evaluate field x in type string'),
    (
        '{{(.Endpoints).docker.Host.x}}',
        'template: :1:3: executing "" at <.Endpoints>: can\'t evaluate field x in type string',
    ),
    (
        '{{index . "Name"}}',
        'template: :1:2: executing "" at <index . "Name">: error calling index: can\'t index item of type context.contextWithTLSListing',
    ),
    (
        '{{"x" | .Name}}',
        'template: :1:8: executing "" at <.Name>: Name has arguments but cannot be invoked as function',
    ),
    ('{{"x" | $}}', 'template: :1:8: executing "" at <$>: can\'t give argument to non-function $'),
    ('{{"x" | (1)}}', 'template: :1:2: executing "" at <"x">: can\'t give argument to non-function 1'),
    (
        '{{len | printf "%d"}}',
        'template: :1:2: executing "" at <len>: wrong number of args for len: want 1 got 0',
    ),
]

@pytest.mark.parametrize(("text", "expected"), DOCKER_OUTPUTS)
def test_docker_output(text, expected):
    assert render(text) == expected


@pytest.mark.parametrize(("text", "expected"), DOCKER_ERRORS)
def test_docker_error(text, expected):
    assert error_of(text) == expected


def _docker_inspect(text: str, config_dir: str) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_CONFIG"] = config_dir
    proc = subprocess.run(
        ["docker", "context", "inspect", "--format", text, "default"],
        capture_output=True, env=env, timeout=30,
    )
    out = gotemplate.literals._decode_go_bytes(proc.stdout)
    err = gotemplate.literals._decode_go_bytes(proc.stderr).strip()
    if proc.returncode:
        return "ERR", err.removeprefix("template parsing error: ")
    return "OK", out.removesuffix("\n")


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on this machine")
def test_cli_agrees():
    with tempfile.TemporaryDirectory() as config_dir:
        for text, expected in DOCKER_OUTPUTS:
            assert _docker_inspect(text, config_dir) == ("OK", expected), text
        for text, expected in DOCKER_ERRORS:
            assert _docker_inspect(text, config_dir) == ("ERR", expected), text


# --- Python data seen through Go's eyes ---------------------------------------


class Container:
    """A row like docker's container context: fields and methods."""

    __go_type__ = "*formatter.ContainerContext"

    def __init__(self) -> None:
        self.ID = "4f66ad9a0b2e"
        self.Names = "web"
        self.Ports = ["80/tcp", "443/tcp"]
        self.Labels = {"com.example.team": "blue", "app": "web"}
        self.State = None
        self.Size = 1.5e6
        self.Running = True

    def Label(self, name):  # noqa: N802 - docker's template method name
        return self.Labels.get(name, "")

    def Command(self):  # noqa: N802
        return '"nginx -g daemon off;"'

    def Broken(self):  # noqa: N802
        raise RuntimeError("boom")

    @property
    def ShortID(self):  # noqa: N802
        return self.ID[:4]


ROW = Container()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{.ID}}", "4f66ad9a0b2e"),
        ('{{.Label "com.example.team"}}', "blue"),
        ('{{.Label "missing"}}|', "|"),
        ("{{.Command}}", '"nginx -g daemon off;"'),
        ("{{.ShortID}}", "4f66"),
        ("{{.Ports}}", "[80/tcp 443/tcp]"),
        ("{{join .Ports \", \"}}", "80/tcp, 443/tcp"),
        ("{{.Labels}}", "map[app:web com.example.team:blue]"),
        ('{{index .Labels "app"}}', "web"),
        ('{{index .Labels "nope"}}|', "|"),
        ("{{.Labels.app}}", "web"),
        ("{{.Labels.nope}}", "<no value>"),
        ("{{.Labels.nope.deeper}}", "<no value>"),
        ("{{.State}}", "<nil>"),
        ("{{if .State}}yes{{else}}no{{end}}", "no"),
        ("{{range .State}}x{{else}}empty{{end}}", "empty"),
        ("{{.Size}}", "1.5e+06"),
        ("{{.Running}}", "true"),
        ("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "app=web;com.example.team=blue;"),
        ("{{range .Labels}}{{.}};{{end}}", "web;blue;"),
        ("{{len .Labels}} {{len .Ports}}", "2 2"),
        ("{{with .Labels}}{{.app}}{{end}}", "web"),
        ("{{.ID | printf \"%.3s\" | upper}}", "4F6"),
        ("{{$.ID}}", "4f66ad9a0b2e"),
        ('{{printf "%-6s|%6s|" .Names .Names}}', "web   |   web|"),
    ],
)
def test_struct_like_objects(text, expected):
    assert render(text, ROW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{.Nope}}", 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type '
                      "*formatter.ContainerContext"),
        ("{{.Label}}", 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0'),
        ('{{.Label "a" "b"}}', 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 2'),
        ("{{.Broken}}", 'template: :1:2: executing "" at <.Broken>: error calling Broken: boom'),
        ("{{.ID 1}}", 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function'),
        ("{{.Labels.app 1}}", 'template: :1:9: executing "" at <.Labels.app>: app is not a method but has arguments'),
        ("{{.State.Health}}", 'template: :1:8: executing "" at <.State.Health>: nil pointer evaluating '
                              "interface {}.Health"),
        ("{{.__class__}}", 'template: :1:2: executing "" at <.__class__>: can\'t evaluate field __class__ in type '
                           "*formatter.ContainerContext"),
        ("{{.ID.upper}}", 'template: :1:5: executing "" at <.ID.upper>: can\'t evaluate field upper in type string'),
        ("{{.Ports.append}}", 'template: :1:8: executing "" at <.Ports.append>: can\'t evaluate field append in '
                              "type []string"),
    ],
)
def test_struct_like_object_errors(text, expected):
    assert error_of(text, ROW) == expected


def test_dicts_are_go_maps():
    data = {"b": 2, "a": [1, "x", None], "c": {"z": True, "y": 1.0}}
    assert render("{{.}}", data) == "map[a:[1 x <nil>] b:2 c:map[y:1 z:true]]"
    assert render("{{range $k, $v := .}}{{$k}}{{end}}", data) == "abc"
    assert render("{{.missing}} {{.c.missing}}", data) == "<no value> <no value>"
    assert render('{{index . "c" "y"}} {{index .a 1}}', data) == "1 x"


def test_map_keys_sort_like_go():
    assert render("{{.}}", {3: "c", 1: "a", 2: "b"}) == "map[1:a 2:b 3:c]"
    assert render("{{range $k, $v := .}}{{$k}}{{end}}", {"b": 0, "B": 0, "a": 0}) == "Bab"


def test_nil_data_has_no_value():
    assert render("{{.}}|{{.X}}", None) == "<no value>|<no value>"


def test_stringer_and_str_objects():
    class Digest:
        def String(self):  # noqa: N802
            return "sha256:abc"

    assert render("{{.}} {{printf \"%s|%q\" . .}}", Digest()) == 'sha256:abc sha256:abc|"sha256:abc"'
    stamp = datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert render("{{.}}", {"T": stamp, "x": 1}.get("T")) == "2024-01-02 03:04:05"


def test_failing_user_methods_become_template_errors():
    class Bad:
        def __str__(self):
            raise ValueError("no str")

        def __json__(self):
            raise ValueError("no json")

    assert render("{{.}}", Bad()) == "%!v(PANIC=String method: no str)"
    assert error_of("{{json .}}", Bad()) == (
        'template: :1:2: executing "" at <json .>: error calling json: '
        "json: error calling MarshalJSON for type Bad: no json"
    )


def test_plain_object_prints_like_a_struct():
    class Port:
        def __init__(self):
            self.PrivatePort = 80
            self.Type = "tcp"
            self._hidden = 1

    assert render("{{.}}", Port()) == "{80 tcp}"
    assert go_sprintf("%+v", [Port()]) == "{PrivatePort:80 Type:tcp}"


def test_index_zero_values_follow_the_map():
    assert render('[{{index . "x"}}]', {"a": "b"}) == "[]"
    assert render('[{{index . "x"}}]', {}) == "[]"
    assert render('[{{index . "x"}}]', {"a": 1}) == "[0]"
    assert render('[{{index . "x"}}]', {"a": 1, "b": "c"}) == "[<no value>]"


def test_call_runs_function_values():
    data = {"Double": lambda x: x * 2, "Name": "web"}
    assert render("{{call .Double 21}}", data) == "42"
    assert error_of("{{call .Double}}", data) == (
        'template: :1:2: executing "" at <call .Double>: error calling call: '
        "wrong number of args for .Double: got 0 want 1"
    )
    assert error_of("{{call .Name}}", data) == (
        'template: :1:2: executing "" at <call .Name>: error calling call: non-function .Name of type string'
    )
    assert error_of("{{.Double}}", data) == 'template: :1:2: executing "" at <{{.Double}}>: can\'t print ' \
        "{{.Double}} of type func()"


def test_methods_receive_piped_values_last():
    class Obj:
        def Join(self, a, b):  # noqa: N802
            return f"{a}+{b}"

    assert render('{{"y" | .Join "x"}}', Obj()) == "x+y"
    assert render("{{.Join 1 2.5}}", Obj()) == "1+2.5"


def test_range_break_continue_and_else():
    data = {"L": [1, 2, 3, 4]}
    text = "{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}"
    assert render(text, data) == "13"
    assert render("{{range .E}}x{{else}}none{{end}}", {"E": []}) == "none"
    assert render("{{range $i, $e := .L}}{{$i}}{{$e}}{{end}}", data) == "01122334"


def test_variables_scope_to_end():
    text = "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}{{with 3}}{{$x = .}}{{end}}{{$x}}"
    assert render(text, {}) == "213"


def test_whitespace_trimming():
    assert render("a \n {{- 1 -}} \n b", {}) == "a1b"
    assert render("{{- /* comment */ -}}\n x", {}) == "x"
    assert render("{{ -1 }}", {}) == "-1"


def test_define_template_and_block():
    text = '{{define "row"}}<{{.}}>{{end}}{{range .}}{{template "row" .}}{{end}}{{block "b" 1}}[{{.}}]{{end}}'
    assert render(text, ["a", "b"]) == "<a><b>[1]"


def test_header_functions_keep_titles():
    headers = {"Names": "NAMES", "Ports": "PORTS"}
    text = "{{upper .Names}}\t{{join .Ports \",\"}}\t{{truncate .Names 2}}\t{{pad .Names 1 1}}"
    assert render(text, headers, funcs=HEADER_FUNCS) == "NAMES\tPORTS\tNAMES\t NAMES "


def test_partial_output_survives_errors():
    with pytest.raises(TemplateError) as info:
        render("ab{{.Nope}}cd", ROW)
    assert info.value.partial_output == "ab"
    assert info.value.message == str(info.value)


def test_compile_returns_reusable_template():
    tmpl = gotemplate.compile("{{.Names}}")
    assert isinstance(tmpl, Template)
    assert tmpl.execute({"Names": "a"}) == "a"
    assert tmpl.execute({"Names": "b"}) == "b"


def test_error_columns_count_bytes_like_go():
    assert error_of("日本{{.Foo}}").startswith("template: :1:8: ")  # 6 bytes + "{{"
    assert error_of("ab\ncd {{.Foo}}").startswith("template: :2:5: ")


def test_docker_json_function():
    data = {"Name": "web", "Ports": [80, 443], "Labels": {"z": "1", "a": "<&>"}, "State": None}
    assert render("{{json .}}", data) == (
        '{"Name":"web","Ports":[80,443],"Labels":{"z":"1","a":"<&>"},"State":null}'
    )
    assert error_of("{{json .X}}", {"X": math.nan}) == (
        'template: :1:2: executing "" at <json .X>: error calling json: json: unsupported value: NaN'
    )


def test_json_of_objects():
    class WithHook:
        def __json__(self):
            return {"B": 1, "A": [True]}

    class Plain:
        def __init__(self):
            self.Z = 1
            self.A = "x"

    assert go_json(WithHook()) == '{"B":1,"A":[true]}'
    assert go_json(Plain()) == '{"Z":1,"A":"x"}'
    assert go_json([1.0, 1e21, 1e-7, "\u2028\t"]) == '[1,1e+21,1e-7,"\\u2028\\t"]'
    with pytest.raises(ValueError):
        go_json(1j)


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%d|%5d|%-5d|%05d|%x|%X|%o|%b", [42, 42, 42, -42, 255, 255, 8, 5], "42|   42|42   |-0042|ff|FF|10|101"),
        ("%s|%10s|%-10s|%.2s|%q", ["go", "go", "go", "gopher", 'a"b'], 'go|        go|go        |go|"a\\"b"'),
        ("%v %v %v %v", [None, True, [1, "a"], {"k": 1.5}], "<nil> true [1 a] map[k:1.5]"),
        ("%f|%.2f|%8.3f|%e|%g|%G", [3.14159, 3.14159, 3.14159, 1234.5678, 0.000012, 1e21],
         "3.141590|3.14|   3.142|1.234568e+03|1.2e-05|1E+21"),
        ("%v|%v|%v|%v", [1e6, 123456.0, 1e-5, 1e-4], "1e+06|123456|1e-05|0.0001"),
        ("%t %t", [True, False], "true false"),
        ("%c%c %U %#U", [72, 105, 0x1F600, 0x263A], "Hi U+1F600 U+263A '☺'"),
        ("%T %T %T %T %T %T", [1, 1.0, "s", ["s"], {}, None], "int float64 string []string map[string]interface {} <nil>"),
        ("%d", ["x"], "%!d(string=x)"),
        ("%s", [3], "%!s(int=3)"),
        ("%d %d", [1], "1 %!d(MISSING)"),
        ("%d", [1, "x"], "1%!(EXTRA string=x)"),
        ("%[2]s %[1]s", ["a", "b"], "b a"),
        ("%*d|%.*f", [4, 7, 1, 2.25], "   7|2.2"),
        ("100%%", [], "100%"),
        ("%", [], "%!(NOVERB)"),
        ("%x % X %#x", ["hi", "hi", "hi"], "6869 68 69 0x6869"),
        ("%q %+q %#q", ["é\n", "é", "`"], '"é\\n" "\\u00e9" "`"'),
        ("%6.2f%%", [99.5], " 99.50%"),
        ("%v", [float("inf")], "+Inf"),
        ("%5.1f|%-7.2e|", [-0.05, 12345.0], " -0.1|1.23e+04|"),
    ],
)
def test_go_sprintf(fmt, args, expected):
    assert go_sprintf(fmt, args) == expected


def test_go_sprint_spacing():
    assert go_sprint([1, 2, "a", "b", 3, None, True]) == "1 2ab3 <nil> true"
    assert render("{{println 1 \"a\"}}", {}) == "1 a\n"


def test_go_type_names():
    assert go_type_name(ROW) == "*formatter.ContainerContext"
    assert go_type_name({"a": "b"}) == "map[string]string"
    assert go_type_name([1, "a"]) == "[]interface {}"
    assert go_type_name(NO_VALUE) == "<nil>"
    assert go_type_name(1 + 2j) == "complex128"


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(TemplateError, match="max expression depth exceeded"):
        gotemplate.compile("{{" + "(" * 200 + "1" + ")" * 200 + "}}")
    recursive = '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}'
    assert "exceeded maximum template depth" in error_of(recursive, {})


# --- properties ------------------------------------------------------------------

TOKENS = [
    "{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", " ", "\n", "\t", ".", ".Names", ".Labels", ".Ports",
    ".State", ".Label", ".Missing", ".Size", "$", "$x", "$i", ":=", "=", "|", "(", ")", ",", "range",
    "if", "else", "end", "with", "break", "continue", "define", "template", "block", "nil", "true",
    "false", "1", "-2", "2.5", "1e3", "0x1F", "'a'", "2i", '"s"', '"%v"', '"%5.2f"', "`raw`", "printf",
    "print", "println", "json", "index", "slice", "len", "eq", "ne", "lt", "and", "or", "not", "call",
    "split", "join", "upper", "lower", "title", "pad", "truncate", "html", "js", "urlquery", "text", "é",
]

ANY_TEXT = st.text(max_size=60) | st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)

class Hostile:
    """Data whose Python hooks fail: must still only give TemplateErrors."""

    Names = "hostile"

    @property
    def Labels(self):  # noqa: N802
        raise KeyError("labels")

    def Label(self, *args):  # noqa: N802
        raise ValueError(args)

    def __str__(self):
        raise RuntimeError("str")

    def __json__(self):
        return {"self": self}


SAMPLE_DATA = [
    ROW,
    Hostile(),
    {"Names": lambda: 1, "Ports": [Hostile()], "Labels": {1: "int key", "a": None}},
    CONTEXT,
    {"Names": "web", "Labels": {"a": "1"}, "Ports": [80, None, "x"], "Size": -0.0, "State": {}},
    [1, "two", None, [3.5], {"k": 1j}],
    None,
    "text",
    0,
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_compile_only_raises_template_error(text):
    try:
        tmpl = gotemplate.compile(text)
    except TemplateError as exc:
        assert str(exc).startswith("template: ")
    else:
        assert isinstance(tmpl, Template)


OPERANDS = st.sampled_from([
    ".", ".Names", ".Labels", ".Ports", ".State", ".Size", ".Missing", ".Labels.a", ".Ports.x", "$",
    "$.Names", "1", "-1", "0", "2.5", '"a"', '""', "nil", "true", "'x'", "1i", "(len .Ports)",
    '(split "a,b" ",")', "(index .Ports 1)",
])
FUNCS = st.sampled_from([
    "printf \"%v %d %s\"", "print", "println", "json", "index", "slice", "len", "eq", "ne", "lt", "le",
    "gt", "ge", "and", "or", "not", "call", "split", "join", "upper", "lower", "title", "pad",
    "truncate", "html", "js", "urlquery", ".Label",
])
COMMANDS = st.one_of(
    OPERANDS,
    st.tuples(FUNCS, st.lists(OPERANDS, max_size=3)).map(lambda t: " ".join([t[0], *t[1]])),
)
PIPELINES = st.lists(COMMANDS, min_size=1, max_size=3).map(" | ".join)


def _templates(children):
    return st.one_of(
        st.tuples(PIPELINES).map(lambda t: "{{%s}}" % t),
        st.tuples(PIPELINES, children, children).map(lambda t: "{{if %s}}%s{{else}}%s{{end}}" % t),
        st.tuples(PIPELINES, children).map(lambda t: "{{with %s}}%s{{end}}" % t),
        st.tuples(PIPELINES, children).map(lambda t: "{{range $i, $e := %s}}{{$i}}%s{{end}}" % t),
        st.tuples(children, children).map("".join),
    )


TEMPLATES = st.recursive(st.sampled_from(["", "x", "\t", "{{.}}", "{{break}}"]), _templates, max_leaves=8)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEMPLATES, ANY_TEXT), st.sampled_from(SAMPLE_DATA))
def test_execute_only_raises_template_error(text, data):
    try:
        tmpl = gotemplate.compile(text)
    except TemplateError:
        return
    try:
        out = tmpl.execute(data)
    except TemplateError as exc:
        assert str(exc).startswith("template: ")
    else:
        assert isinstance(out, str)
