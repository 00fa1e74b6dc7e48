"""The docker CLI's ``--format`` handling for list commands.

Mirrors docker/cli ``cli/command/formatter/formatter.go`` (``Context.Write``),
used by ``ps``, ``images``, ``history``, ``network ls``, ``volume ls`` ...:

* ``table <template>``: the template renders each row; a header line, made by
  running the same template over the column titles, goes on top and the
  whole text is aligned with tabwriter (minwidth 10, padding 3).
* ``json``: each row as one line of ``{{json .}}``.
* anything else: the template per row, each followed by a newline.

The literal two-character sequences ``\\t`` and ``\\n`` in a format become a
tab and a newline before parsing, as in docker.  Errors read like docker's:
``template parsing error: template: :1: unclosed action``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import gotemplate
from .gotemplate import HEADER_FUNCS, TemplateError
from .tabwriter import tabulate

__all__ = ["FormatError", "format_rows", "is_table"]

TABLE_KEY = "table"
JSON_KEY = "json"
JSON_FORMAT = "{{json .}}"


class FormatError(TemplateError):
    """A --format string docker would reject; str() is docker's message."""


def is_table(fmt: str) -> bool:
    # docker checks the raw prefix: " table ..." is not a table format.
    return fmt.startswith(TABLE_KEY)


def _pre_format(fmt: str) -> str:
    """docker's Context.preFormat: strip the table key, expand \\t and \\n."""
    if is_table(fmt):
        fmt = fmt[len(TABLE_KEY):]
    elif fmt == JSON_KEY:
        fmt = JSON_FORMAT
    fmt = fmt.strip(" ")  # only spaces, exactly like strings.Trim(f, " ")
    return fmt.replace("\\t", "\t").replace("\\n", "\n")


def _parse(fmt: str) -> gotemplate.Template:
    try:
        return gotemplate.compile(_pre_format(fmt))
    except TemplateError as exc:
        raise FormatError(f"template parsing error: {exc}") from None


def _row_data(row: Any) -> Any:
    """A row as the template sees it.

    docker's row contexts marshal to JSON through a map, so ``{{json .}}``
    lists their keys sorted; a key-sorted copy of a dict row does the same.
    """
    if isinstance(row, Mapping):
        return dict(sorted(row.items(), key=lambda kv: str(kv[0])))
    return row


class _HeaderContext(dict):
    """docker's SubHeaderContext: the column titles, plus the title of a
    `{{.Label "com.example.some-name"}}` column ("some name")."""

    def Label(self, name: str) -> str:  # noqa: N802 - a Go template method
        return name.split(".")[-1].replace("-", " ").replace("_", " ")


def _render_header(tmpl: gotemplate.Template, headers: Mapping[str, str]) -> str:
    """Run the row template over the column titles, as docker does.

    Fields missing from ``headers`` print ``<no value>`` and a failing header
    just stops early: docker ignores the header's execution error.
    """
    try:
        return tmpl.execute(_HeaderContext(headers), funcs=HEADER_FUNCS)
    except TemplateError as exc:
        return exc.partial_output


def format_rows(
    fmt: str,
    rows: list,
    headers: Mapping[str, str],
    *,
    default_table: str | None = None,
) -> str:
    """Render ``rows`` for a ``--format`` value exactly like the docker CLI.

    ``headers`` maps field names to column titles (docker's header context,
    e.g. ``{"ID": "CONTAINER ID", "Image": "IMAGE"}``).  ``default_table`` is
    the command's own table format, which docker substitutes when the user
    passes just ``--format table``; without one, a bare ``table`` is rejected.

    Raises FormatError with docker's wording for bad templates and for rows
    that fail to render (docker then prints nothing at all).
    """
    if fmt == TABLE_KEY:
        if default_table is None:
            raise FormatError('template parsing error: format "table" needs a template, '
                              'e.g. "table {{.ID}}\\t{{.Names}}"')
        fmt = default_table
    tmpl = _parse(fmt)
    body = []
    for row in rows:
        try:
            body.append(tmpl.execute(_row_data(row)))
        except TemplateError as exc:
            raise FormatError(f"template parsing error: {exc}") from None
        body.append("\n")
    if not is_table(fmt):
        return "".join(body)
    return tabulate(_render_header(tmpl, headers) + "\n" + "".join(body))

