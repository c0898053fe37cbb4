#!/usr/bin/env bash
# Packages already-built binaries for Linux:
#   dist/routex_<debver>_<arch>.deb                 the desktop app (build/bin/routex)
#   dist/routex-headless_<version>_linux_<arch>.tar.gz  the server (build/bin/routex-headless)
# Run through `make package`, which builds both first.
#   VERSION  the version the binaries were built with (default: git describe)
#   BIN      where the binaries are (default: build/bin)
#   OUT      where the packages go (default: dist)
# `scripts/package-deb.sh debversion V` prints V as a Debian version.
set -euo pipefail
cd "$(dirname "$0")/.."

# deb_version turns a git-describe version into a valid Debian one:
# v1.2.3 → 1.2.3; v1.2.0-rc1 → 1.2.0~rc1 (sorts before 1.2.0);
# v1.2.3-4-gabc123 → 1.2.3+git4.gabc123 (after 1.2.3); a bare commit
# (no tag yet) → 0.0.0~gitabc123; -dirty → +dirty; dev → 0.0.0~dev.
deb_version() {
  local v=${1#v} suffix=""
  if [[ $v == *-dirty ]]; then v=${v%-dirty}; suffix="+dirty"; fi
  if [[ $v =~ ^(.+)-([0-9]+)-g([0-9a-f]+)$ ]]; then
    v=${BASH_REMATCH[1]}
    suffix="+git${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}$suffix"
  fi
  v=${v//-/\~}
  v=${v//_/.}
  if [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then v="0.0.0~git$v"; elif [[ ! $v =~ ^[0-9] ]]; then v="0.0.0~$v"; fi
  v="$v$suffix"
  v=${v//[^A-Za-z0-9.+~]/.}
  printf '%s\n' "$v"
}

if [ "${1:-}" = debversion ]; then deb_version "${2:?usage: package-deb.sh debversion VERSION}"; exit 0; fi

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
BIN=${BIN:-build/bin}
OUT=${OUT:-dist}
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
debver=$(deb_version "$VERSION")
if command -v dpkg >/dev/null 2>&1 && ! dpkg --validate-version "$debver" 2>/dev/null; then
  echo "package: $debver (from $VERSION) is not a valid Debian version" >&2; exit 1
fi
for b in routex routex-headless; do
  [ -x "$BIN/$b" ] || { echo "package: $BIN/$b is missing: run make build build-headless first" >&2; exit 1; }
done
command -v dpkg-deb >/dev/null || { echo "package: dpkg-deb is needed (Debian/Ubuntu)" >&2; exit 1; }
command -v convert >/dev/null || { echo "package: ImageMagick's convert is needed for the icons (apt-get install imagemagick)" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the .deb ---------------------------------------------------------------
root=$work/deb
install -D -m 0755 "$BIN/routex" "$root/usr/bin/routex"
install -D -m 0644 build/linux/routex.desktop "$root/usr/share/applications/routex.desktop"
install -D -m 0644 build/linux/routex.service "$root/usr/lib/systemd/user/routex.service"
for size in 16 22 24 32 48 64 128 256 512; do
  dir=$root/usr/share/icons/hicolor/${size}x${size}/apps
  mkdir -p "$dir"
  # -strip and no date chunks: the same icon gives the same bytes every build.
  convert build/appicon.png -resize "${size}x${size}" -strip -define png:exclude-chunks=date,time "$dir/routex.png"
done
install -D -m 0644 README.md "$root/usr/share/doc/routex/README.md"
if [ -f LICENSE ]; then install -D -m 0644 LICENSE "$root/usr/share/doc/routex/copyright"; fi
mkdir -p "$root/DEBIAN"
size_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$debver/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size_kb/" \
  build/linux/deb/control >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
find "$root" -type d -exec chmod 0755 {} +
deb=$OUT/routex_${debver}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "package: $deb"

# --- the headless archive -----------------------------------------------------
name=routex-headless_${VERSION#v}_linux_${arch}
stage=$work/$name
mkdir -p "$stage"
install -m 0755 "$BIN/routex-headless" "$stage/routex"
install -m 0644 README.md "$stage/README.md"
install -m 0644 build/linux/INSTALL-headless.md "$stage/INSTALL.md"
if [ -f LICENSE ]; then install -m 0644 LICENSE "$stage/LICENSE"; fi
sed 's|^ExecStart=/usr/bin/routex |ExecStart=/usr/local/bin/routex |' build/linux/routex.service >"$stage/routex.service"
tgz=$OUT/$name.tar.gz
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tgz" "$name"
echo "package: $tgz"
