"""shell/xray.py's drawing: plain lines off a terminal, a tree on one."""
from shell import xray


def test_wrapped_lines_read_plain_and_join_in_the_tree():
    lines = ["web (abc), from busybox, running", "Cgroup", "  memory  1MiB",
             *xray._wrap("Capabilities (14): ", ", ".join(["CHOWN"] * 20))]
    text = xray.plain(lines)
    assert xray.MORE not in text and max(len(l) for l in text.splitlines()) <= 80
    drawn = xray.tree(lines, 200, color=False).splitlines()
    assert drawn[0] == "web (abc), from busybox, running"
    assert drawn[1] == "├── Cgroup" and drawn[2] == "│   └── memory  1MiB"
    assert drawn[3].startswith("└── Capabilities (14): CHOWN,") and len(drawn) == 4
