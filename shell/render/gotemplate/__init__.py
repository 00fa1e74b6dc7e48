"""Go's text/template, reimplemented for docker-style ``--format`` strings.

The docker CLI renders ``--format`` with Go's text/template plus a few extra
functions (docker/cli ``templates/templates.go``).  This module parses and
executes the same language on plain Python data so the teaching shell prints
what docker prints, error messages included.

Python data is read through Go's eyes:

* a ``dict`` (any Mapping) is a Go map: ``.Key`` looks the key up and a
  missing key is Go's "invalid value", printed ``<no value>``;
* ``list``/``tuple`` are slices, ``str`` a string, ``int`` an int, ``float``
  a float64, ``bool`` a bool, ``complex`` a complex128;
* ``None`` is a nil pointer: it prints ``<nil>``, is false in ``if`` and
  ranges like an empty list;
* any other object is a struct: ``.Field`` reads a public attribute, and an
  attribute that is a bound method is called with the template's arguments
  (``{{.Label "com.example"}}``).  A class may set ``__go_type__`` to the type
  name shown in error messages, and define ``__json__()`` for ``json``.

Public API: :func:`compile`, :class:`Template`, :class:`TemplateError`,
:data:`HEADER_FUNCS` (docker's table-header overrides), plus the Go ``fmt``
helpers :func:`go_sprint` and :func:`go_sprintf` and :func:`go_json`.

The package follows Go's own layout: values (Go's view of Python data),
fmt, gojson, lexer, literals, nodes, parser, funcs and exec.
"""
from __future__ import annotations

from .values import NO_VALUE, TemplateError, go_quote, go_type_name  # noqa: F401
from .fmt import go_sprint, go_sprintf  # noqa: F401
from .gojson import go_json  # noqa: F401
from .funcs import DOCKER_FUNCS, FuncError, GoFunc, HEADER_FUNCS  # noqa: F401
from .exec import Template, compile  # noqa: F401


__all__ = [
    "DOCKER_FUNCS",
    "HEADER_FUNCS",
    "NO_VALUE",
    "FuncError",
    "GoFunc",
    "Template",
    "TemplateError",
    "compile",
    "go_json",
    "go_quote",
    "go_sprint",
    "go_sprintf",
    "go_type_name",
]
