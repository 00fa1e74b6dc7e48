"""gzip for pushed layers, on every core: the layer is cut into 1 MiB pieces, each
deflated on its own (zlib lets go of the GIL while it works) and joined as one gzip
member, as pigz does. Pieces end with a sync flush, so the joined stream is an ordinary
gzip file any reader takes; the same layer always gives the same bytes (the same digest,
so a registry that has it says so)."""
from __future__ import annotations

import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

PIECE = 1 << 20
LEVEL = 1
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"      # no name, mtime 0, unknown OS


SAMPLE = 64 << 10


def _level(data: bytes) -> int:
    """Pieces that do not compress (random or already compressed data) are stored, not
    deflated: deflating them costs ten times as much for nothing (klauspost's flate,
    which podman uses, skips them the same way). Decided from a sample, so the same
    piece always gets the same treatment."""
    sample = data[:SAMPLE]
    if sample and len(zlib.compress(sample, 1)) > len(sample) * 0.98:
        return 0
    return LEVEL


def _deflate(data: bytes, last: bool) -> bytes:
    z = zlib.compressobj(_level(data), zlib.DEFLATED, -15)
    return z.compress(data) + z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def gzip_file(src: str, write, workers: int | None = None) -> None:
    """Compress the file `src` into write() calls, in order."""
    size = os.path.getsize(src)
    crc = 0
    write(HEADER)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with open(src, "rb") as f, ThreadPoolExecutor(workers) as pool:
        pending = []
        offset = 0
        while True:
            piece = f.read(PIECE)
            offset += len(piece)
            last = offset >= size
            if piece or not pending:
                crc = zlib.crc32(piece, crc)
                pending.append(pool.submit(_deflate, piece, last))
            while pending and (len(pending) > workers * 2 or last or not piece):
                write(pending.pop(0).result())
            if last or not piece:
                break
    write(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def zstd_reader(fileobj):
    """A reader of the zstd stream in `fileobj`, through the zstandard package (Python
    3.11's standard library has no zstd); Unavailable, naming the package, without it."""
    try:
        import zstandard
    except ImportError:
        from ..errors import Unavailable
        raise Unavailable("zstd-compressed data needs the zstandard package",
                          hint="install it into dockerlings' environment: "
                               "pip install zstandard") from None
    return zstandard.ZstdDecompressor().stream_reader(fileobj, read_across_frames=True)


def errors() -> tuple:
    """What decompressing bad data raises, besides OSError and EOFError."""
    import lzma
    found: tuple = (zlib.error, lzma.LZMAError, ValueError)
    try:
        import zstandard
        found += (zstandard.ZstdError,)
    except ImportError:
        pass
    return found
