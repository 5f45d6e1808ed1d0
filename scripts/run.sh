#!/usr/bin/env bash
# The main job: until the service exists, check the example domain and print
# a summary of it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
"$BUILD/cli/paydomain" check examples/acme
