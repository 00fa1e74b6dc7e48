#!/usr/bin/env bash
# The project's baseline: podman (with runc) beside dockerlings, for the benches (bench/*.py
# measure ratios against it in the same run) and the parity tests (tests/parity: the real
# docker CLI in front of podman's Docker-compatible API). Busybox is imported from the host's
# static busybox, so no registry is needed. Podman's containers default to no network here,
# so nothing it does touches the host's interfaces or firewall.
#
# Usage (as root, idempotent; prints what it set up):
#   bench/baseline.sh                       podman + runc + localhost/busybox in podman's own store
#   bench/baseline.sh --store DIR ...       use a store of its own under DIR (DIR/root, DIR/runroot)
#                                           instead of the host's: tests pass this, so they never read
#                                           or change the machine's podman images and containers
#   bench/baseline.sh --runc-bundle DIR     a runc bundle running /bin/true:  (cd DIR && runc run ID)
#   bench/baseline.sh --docker-api SOCK     also serve podman's Docker-compatible API on SOCK, so the
#                                           real docker CLI shows its own output formats:
#                                           DOCKER_HOST=unix://SOCK docker ps -a
set -euo pipefail
store="" bundle="" api=""
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store=${2:?--store needs a folder}; shift 2 ;;
    --runc-bundle) bundle=${2:?--runc-bundle needs a folder}; shift 2 ;;
    --docker-api) api=${2:?--docker-api needs a socket path}; shift 2 ;;
    *) echo "usage: $0 [--store DIR] [--runc-bundle DIR | --docker-api SOCK]" >&2; exit 2 ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }
static_busybox() { [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static; }
if ! have podman || ! have runc || ! have file || ! static_busybox; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq podman runc busybox-static file >/dev/null
fi

# The open-files limit here is lower than podman's default ulimits, and crun does not handle
# the hybrid cgroup layout of these machines: runc, and ulimits that fit.
hard_nofile=$(ulimit -Hn); [ "$hard_nofile" = unlimited ] && hard_nofile=1048576
conf_dir=/etc/containers
if [ -n "$store" ]; then
  mkdir -p "$store/root" "$store/runroot"
  conf_dir=$store
  export CONTAINERS_CONF="$store/containers.conf"
fi
mkdir -p "$conf_dir"
cat > "$conf_dir/containers.conf" <<CONF
[containers]
default_ulimits = [ "nofile=${hard_nofile}:${hard_nofile}", "nproc=4096:4096" ]
netns = "none"
[engine]
runtime = "runc"
CONF
podman_args=()
[ -z "$store" ] || podman_args=(--root "$store/root" --runroot "$store/runroot" --storage-driver overlay)
podman_() { podman "${podman_args[@]}" "$@"; }

rootfs() {  # $1: an empty folder to fill with busybox, a passwd and a group
  mkdir -p "$1"/{bin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$1/bin/busybox"
  for a in $("$1/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$1/etc/group"
}

if [ -n "$bundle" ]; then
  rm -rf "$bundle"; mkdir -p "$bundle"; rootfs "$bundle/rootfs"
  (cd "$bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/; s/"sh"/"true"/' config.json)
  echo "runc bundle ready: (cd $bundle && runc run bench-\$RANDOM)"
  exit 0
fi

if ! podman_ image exists localhost/busybox:latest; then
  tmp=$(mktemp -d); rootfs "$tmp/r"
  tar -C "$tmp/r" -c . | podman_ import -q - localhost/busybox:latest >/dev/null
  rm -rf "$tmp"
fi
podman_ run --rm --network none localhost/busybox true

if [ -n "$api" ]; then
  nohup setsid podman "${podman_args[@]}" system service --time=0 "unix://$api" >/dev/null 2>&1 &
  for _ in $(seq 50); do [ -S "$api" ] && break; sleep 0.1; done
  echo "podman's Docker API on $api (pid $!):  export DOCKER_HOST=unix://$api"
fi
echo "baseline ready: $(podman --version), $(runc --version | head -1), image localhost/busybox:latest${store:+ in $store}"
