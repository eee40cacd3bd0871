#!/usr/bin/env bash
# Command 2: every check and test. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s   [disk: %s free]\n' "$*" "$(disk_free)"; }
disk_free() { df -h --output=avail . 2>/dev/null | tail -1 | tr -d ' '; }
# A compiler that panics or a tool that dies for want of disk says so only obliquely, so a failed
# run ends with how full the disk was and how much of it target/ took.
report_disk_on_failure() {
  local status=$1
  if [ "$status" -ne 0 ]; then
    printf '\n*** failed (exit %s); disk: %s free; target/: %s ***\n' "$status" "$(disk_free)" \
      "$(du -sh target 2>/dev/null | cut -f1)"
  fi
}
trap 'report_disk_on_failure $?' EXIT

scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
if [ -n "${CI:-}" ]; then
  export REQUIRE_POSTGRES=1   # CI must run the Postgres half of the suite
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "*** WARNING: Postgres is not reachable on 127.0.0.1:5432: the Postgres tests will be SKIPPED ***"
fi

step "unit and integration tests (SQLite and Postgres)"
# One invocation with the server-side features; `cargo leptos test` would skip the app crate.
cargo test -p addon-core -p app -p server -p sim --features addon-core/server,app/ssr

step "end-to-end tests (Playwright, Chromium, through the simulator's iframe page)"
cargo leptos build
cargo build -p sim
export ADDON_PORT=${E2E_ADDON_PORT:-3100} SIM_PORT=${E2E_SIM_PORT:-4100}
export DATA_DIR
DATA_DIR=$(mktemp -d)
trap 'status=$?; scripts/stack.sh --stop; rm -rf "$DATA_DIR"; report_disk_on_failure $status' EXIT
scripts/stack.sh --detach
(cd end2end && SIM_URL="http://127.0.0.1:$SIM_PORT" ADDON_URL="http://127.0.0.1:$ADDON_PORT" npx playwright test)

step "all checks passed"
