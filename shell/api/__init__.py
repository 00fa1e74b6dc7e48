"""The Docker Engine API over a unix socket (`dockerlings engine serve`): a second door
into the same engine. Every route translates HTTP to one of the Engine methods the
command line calls, and the engine's answer to Docker's JSON; no behaviour lives here.

It sits in the shell, not the engine, because the list rows Docker's API returns (a
container's Status words, `ps` filters) are the command line's views: shell -> engine."""
