#!/usr/bin/env bash
# One idempotent setup for every paydomain job: installs the Debian packages
# and npm packages the build and tests need. Quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  antlr4 libantlr4-runtime-dev
  libsqlite3-dev sqlite3 libssl-dev
  libhowardhinnant-date-dev tzdata
  postgresql libpq-dev
  nlohmann-json3-dev libcli11-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  clang libclang-rt-14-dev
  curl libcurl4-openssl-dev wrk
  chromium
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# PostgreSQL refuses to run as root, and the tests (run as root on the CI
# machines) start throwaway clusters: they run them as this unprivileged
# system user (tests/postgres/cluster.h). Debian's package starts no cluster
# we use; the tests make their own in temporary directories.
if [ "$(id -u)" -eq 0 ] && ! id paydomain-pg >/dev/null 2>&1; then
  echo "setup: creating the system user paydomain-pg (runs the tests' PostgreSQL)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin paydomain-pg
fi

# Node.js and npm come with the machine image (a newer build than Debian's);
# fall back to Debian's only where neither is present.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing Debian's nodejs and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nodejs npm
fi

# The web editor's npm packages (present once the editor exists).
if [ -f web_editor/package.json ]; then
  if [ ! -d web_editor/node_modules ] || [ web_editor/package-lock.json -nt web_editor/node_modules/.package-lock.json ]; then
    echo "setup: installing npm packages for web_editor"
    (cd web_editor && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # Build dist/ (for `serve --editor web_editor/dist` while developing; the
  # binary compiles its own build in, server/CMakeLists.txt) when it is
  # missing or older than a source.
  if [ ! -f web_editor/dist/app.js ] || [ -n "$(find web_editor/src web_editor/build.mjs web_editor/gen-api.mjs \
       web_editor/package-lock.json server/openapi.json -newer web_editor/dist/app.js -print -quit 2>/dev/null)" ]; then
    echo "setup: building the web editor"
    (cd web_editor && npm run --silent build)
  fi
fi
