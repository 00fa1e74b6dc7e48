"""USER resolved from the image's own passwd and group files, with the supplementary
groups Docker gives: the primary group first (moby's oci_linux.go getUser), then the
groups that name the user, unless a group was given explicitly."""
from __future__ import annotations

import pytest

from engine.runtime import users


@pytest.fixture
def root(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
        "ann:x:1000:1000::/home/ann:/bin/sh\n")
    (tmp_path / "etc/group").write_text(
        "root:x:0:\nwheel:x:10:root\nann:x:1000:\nstaff:x:50:ann,bob\nnogroup:x:65534:\n")
    return str(tmp_path)


@pytest.mark.parametrize("spec,uid,gid,groups", [
    ("", 0, 0, (0, 10)),                    # docker run busybox id: groups=0(root),10(wheel)
    ("nobody", 65534, 65534, (65534,)),     # groups=65534(nogroup)
    ("ann", 1000, 1000, (1000, 50)),
    ("ann:staff", 1000, 50, (50,)),          # an explicit group: only that one
    ("1234", 1234, 0, (0,)),                # a uid the image does not know
    ("nobody:0", 65534, 0, (0,)),
])
def test_supplementary_groups_as_docker(root, spec, uid, gid, groups):
    u = users.resolve(spec, root)
    assert (u.uid, u.gid, u.groups) == (uid, gid, groups)
