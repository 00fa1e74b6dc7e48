"""`docker system df`: what the store's images, containers, volumes and build cache
take on disk, measured now (the daemon's /system/df answer, in the engine's terms).

Sizes are the overlay2 driver's: a layer's diff directory, a container's upper
directory, a volume's data directory, each counted by fsutil.dir_size.
"""
from __future__ import annotations

from collections import namedtuple

from ..util.fsutil import dir_size

ImageUse = namedtuple("ImageUse", "image size shared containers")
ContainerUse = namedtuple("ContainerUse", "container size_rw")
VolumeUse = namedtuple("VolumeUse", "volume size refs")
CacheUse = namedtuple("CacheUse", "key created size shared")
Usage = namedtuple("Usage", "layers_size images containers volumes build_cache")


def usage(engine) -> Usage:
    images = engine.list_images()
    containers = engine.containers(all=True)
    layer_size = {}
    owners: dict[str, int] = {}
    for img in images:
        for chain in dict.fromkeys(img.layers):
            if chain not in layer_size and engine.layers.exists(chain):
                layer_size[chain] = engine.layers.get(chain).size
            owners[chain] = owners.get(chain, 0) + 1
    by_image: dict[str, int] = {}
    for c in containers:
        by_image[c.image_id] = by_image.get(c.image_id, 0) + 1
    image_rows = [ImageUse(img, img.size,
                           sum(layer_size.get(l, 0) for l in dict.fromkeys(img.layers)
                               if owners.get(l, 0) > 1),
                           by_image.get(img.id, 0)) for img in images]
    container_rows = [ContainerUse(c, dir_size(engine.paths.container(c.id) / "upper"))
                      for c in containers]
    users = engine.volume_users()
    volume_rows = [VolumeUse(v, dir_size(v["Mountpoint"]), len(users.get(v["Name"], ())))
                   for v in engine.volumes()]
    return Usage(sum(layer_size.values()), image_rows, container_rows, volume_rows,
                 _build_cache(engine, layer_size))


def _build_cache(engine, image_layers: dict) -> list[CacheUse]:
    """The builder's records: each the layer its step made; shared when an image has
    that layer too (then pruning the cache frees nothing of it)."""
    from ..build.cache import BuildCache, Record
    from ..util.fsutil import read_json
    cache = BuildCache(engine)
    if not cache.dir.exists():
        return []
    out = []
    for path in sorted(cache.dir.glob("*.json")):
        try:
            rec = Record.from_json(read_json(path))
        except (OSError, ValueError, KeyError, IndexError):
            continue
        chain = (rec.layer or {}).get("chain")
        size = engine.layers.get(chain).size if chain and engine.layers.exists(chain) else 0
        out.append(CacheUse(path.stem, rec.created, size, chain in image_layers))
    return out
