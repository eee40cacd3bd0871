#!/usr/bin/env bash
# Command 1: build and run the add-ons with the local Clockify (or, with PRODUCTION=1 or
# --production, the add-on server alone with the configuration from the environment).
set -euo pipefail
cd "$(dirname "$0")/.."

production=${PRODUCTION:-0}
[ "${1:-}" = "--production" ] && production=1

scripts/setup.sh
if [ "$production" = "1" ]; then
  cargo leptos build --release
  echo "[run] production: DATABASE_URL, PUBLIC_BASE_URL and SECRET_KEY come from the environment; Clockify's published key is trusted"
  PRODUCTION=true LEPTOS_SITE_ROOT=target/site exec ./target/release/server
fi
cargo leptos build
cargo build -p sim
exec scripts/stack.sh
