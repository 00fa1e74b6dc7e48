"""Images that travel: archives (`docker save` / `load`, `export` / `import`) and, later,
registries. Everything lands through the same content-addressed store as commit and
build, so an interrupted load leaves only what fsck already knows how to clean."""
