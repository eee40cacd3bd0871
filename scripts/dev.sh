#!/usr/bin/env bash
# Development: the simulator in the background and `cargo leptos watch` for the add-ons
# (rebuilds and reloads on every change). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build -p sim
mkdir -p data/sim
./target/debug/sim --listen 127.0.0.1:4000 --data-dir data/sim \
  --install http://127.0.0.1:3000/api-studio/manifest --install http://127.0.0.1:3000/universal-webhook/manifest &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do [ -s data/sim/sim-public-key.pem ] && break; sleep 0.1; done
echo "open http://127.0.0.1:4000/workspace once the add-on server is up"
CLOCKIFY_PUBLIC_KEY_PATH=data/sim/sim-public-key.pem FRAME_ANCESTORS=http://127.0.0.1:4000 \
  cargo leptos watch
