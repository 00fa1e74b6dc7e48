"""Dockerfile builds: the parser (dockerfile.py), the build context (context.py,
ignore.py), the cache (cache.py) and the builder that runs the steps (builder.py)."""
