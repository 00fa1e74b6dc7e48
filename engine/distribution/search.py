"""`docker search`, the daemon's half: the filters checked and applied, the limit, the
registry's v1 search API asked (Docker Hub's index, or the registry the term names).
The command line and the Engine API both call `search`; the table is the client's."""
from __future__ import annotations

import os
import urllib.parse

from ..errors import EngineError, InvalidParameter
from ..images import reference
from .registry import Registry, RegistryError, Unreachable, host_of, insecure

ACCEPTED = ("is-automated", "is-official", "stars")
DEFAULT_LIMIT = 25


def search(term: str, limit: int = 0, filters: dict | None = None,
           environ=os.environ) -> list[dict]:
    """The results (moby's registry.SearchResult documents) for `term`; `filters` as
    {"stars": ["3"], "is-official": ["true"]} (the API's filters, the CLI's -f)."""
    filters = filters or {}
    for key in filters:
        if key not in ACCEPTED:
            raise InvalidParameter(f"invalid filter '{key}'")
    if _bool(filters, "is-automated"):       # deprecated: nothing is automated any more
        return []
    official = _bool(filters, "is-official")
    stars = 0
    for value in filters.get("stars", ()):
        try:
            stars = max(stars, int(value))
        except ValueError:
            raise InvalidParameter(f"invalid filter 'stars={value}': strconv.Atoi: parsing "
                                   f'"{value}": invalid syntax') from None
    if "://" in term:
        raise InvalidParameter(f"invalid repository name: repository name ({term}) should "
                               "not have a scheme")
    limit = limit or DEFAULT_LIMIT
    if not 1 <= limit <= 100:
        raise InvalidParameter(f"limit {limit} is outside the range of [1, 100]")
    results = [dict(r, is_automated=False) for r in _fetch(term, limit, environ)
               if int(r.get("star_count") or 0) >= stars and
               ("is-official" not in filters or bool(r.get("is_official")) == official)]
    return results[:limit]        # (a registry that ignores n= still gives `limit` rows)


def _bool(filters: dict, key: str) -> bool:
    """moby's GetBoolOrDefault: 1/true or 0/false, and not both."""
    if key not in filters:
        return False
    values = set(filters[key])
    yes, no = bool(values & {"1", "true"}), bool(values & {"0", "false"})
    if yes == no:
        raise InvalidParameter(f"invalid filter '{key}=[{' '.join(filters[key])}]'")
    return yes


def split_term(term: str) -> tuple[str, str]:
    """(registry domain, what to search there): a first part with a dot or a colon, or
    localhost, names a registry; anything else is Docker Hub's."""
    first, sep, rest = term.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return "docker.io", term


def _fetch(term: str, limit: int, environ) -> list[dict]:
    from ..images.ops import remote_allowed
    domain, query = split_term(term)
    if domain == "docker.io":
        query = query.removeprefix("library/")
        base = "https://index.docker.io"
    else:
        base = (f"http://{host_of(domain)}" if insecure(host_of(domain), {}) else
                f"https://{domain}")
    url = f"{base}/v1/search?" + urllib.parse.urlencode({"q": query, "n": limit})
    ref = reference.parse(f"{domain}/x" if domain != "docker.io" else "x")
    if not remote_allowed(ref, environ):
        raise EngineError(f'Get "{url}": dial tcp: lookup {urllib.parse.urlsplit(url).hostname}: '
                          "no such host", hint="dockerlings is offline here: search needs "
                          "Docker Hub. `docker images` lists what you have; busybox and "
                          "hello-world are always there to pull.")
    reg = Registry(domain, environ)
    try:
        resp = reg.raw("GET", url, {"X-Docker-Token": "true"})
    except Unreachable as e:
        raise EngineError(e.message, hint="search asks Docker Hub over the network; this "
                          "machine cannot reach it. busybox and hello-world work offline.") \
            from None
    try:
        if resp.status != 200:
            raise EngineError(f"unexpected status code {resp.status}")
        doc = resp.json()
    except RegistryError as e:
        raise EngineError(e.message) from None
    finally:
        resp.close()
    results = doc.get("results") if isinstance(doc, dict) else None
    return [r for r in results or [] if isinstance(r, dict)]
