"""Pushed layers' gzip: pieces deflated in parallel join into one ordinary gzip stream,
the same bytes every time."""
from __future__ import annotations

import gzip
import io
import os

import pytest

from engine.distribution import compress


@pytest.mark.parametrize("size", [0, 1, compress.PIECE, compress.PIECE * 3 + 17])
def test_pieces_join_into_one_gzip_stream(tmp_path, size):
    src = tmp_path / "layer.tar"
    src.write_bytes(os.urandom(size // 2) + b"a" * (size - size // 2))
    out, again = io.BytesIO(), io.BytesIO()
    compress.gzip_file(str(src), out.write)
    compress.gzip_file(str(src), again.write, workers=1)
    assert gzip.decompress(out.getvalue()) == src.read_bytes()
    assert out.getvalue() == again.getvalue()          # deterministic, whatever the workers
