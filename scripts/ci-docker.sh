#!/usr/bin/env bash
# Makes a real Docker engine available for the docker backend tests (DESIGN §9) and builds the LS
# simulator image with `docker import`. Idempotent: installs docker.io only when dockerd is missing,
# starts dockerd only when the engine does not answer, builds the image only when its tag is missing.
# The last line of stdout is the image tag (labelfleet/ls-sim:<content hash>).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LOG_DIR="${TMPDIR:-/tmp}"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

exec 9>"$LOG_DIR/labelfleet-ci-docker.lock"
flock 9

if ! command -v dockerd >/dev/null 2>&1; then
  echo "installing docker.io" >&2
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y docker.io >&2
fi

if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (log: $LOG_DIR/labelfleet-dockerd.log)" >&2
  # 9>&-: the daemon must not inherit the lock's descriptor, or it would hold the lock for its
  # whole life and every later run would wait on flock forever.
  $SUDO sh -c "nohup dockerd >'$LOG_DIR/labelfleet-dockerd.log' 2>&1 9>&- &"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -20 "$LOG_DIR/labelfleet-dockerd.log" >&2; exit 1; }
fi

# The image: node (this machine's binary and the libraries it links) plus the simulator bundled into
# one ESM file. Nothing is downloaded; the tag is a hash of what goes in, so a simulator change builds
# a new image and an unchanged one is reused.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
NODE_BIN="$(readlink -f "$(command -v node)")"
"$ROOT/node_modules/.bin/esbuild" "$ROOT/apps/ls-sim/src/main.ts" --bundle --platform=node --format=esm \
  --target=node20 --log-level=warning --outfile="$WORK/ls-sim.mjs" \
  --banner:js="import{createRequire as __lfRequire}from'node:module';const require=__lfRequire(import.meta.url);" >&2
HASH="$( (sha256sum "$WORK/ls-sim.mjs"; "$NODE_BIN" --version) | sha256sum | cut -c1-12)"
TAG="labelfleet/ls-sim:$HASH"

if ! docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "building $TAG" >&2
  ROOTFS="$WORK/rootfs"
  mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/app" "$ROOTFS/tmp" "$ROOTFS/label-studio/data" "$ROOTFS/etc"
  cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
  for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*'); do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done
  cp "$WORK/ls-sim.mjs" "$ROOTFS/app/ls-sim.mjs"
  chmod 1777 "$ROOTFS/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
  # Like the LS image: port 8080 on all interfaces, data in /label-studio/data (contract §2.1).
  tar -C "$ROOTFS" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . |
    docker import \
      -c 'ENTRYPOINT ["/usr/local/bin/node", "/app/ls-sim.mjs"]' \
      -c 'CMD ["start", "--internal-host", "0.0.0.0", "--port", "8080", "--no-browser"]' \
      -c 'EXPOSE 8080' \
      -c 'ENV LABEL_STUDIO_BASE_DATA_DIR=/label-studio/data' \
      - "$TAG" >&2
  # Older simulator images are dead weight (~100 MB each); one still used by a container stays.
  for old in $(docker images labelfleet/ls-sim --format '{{.Repository}}:{{.Tag}}' | grep -vxF "$TAG"); do
    docker rmi "$old" >/dev/null 2>&1 || true
  done
fi
echo "$TAG"
