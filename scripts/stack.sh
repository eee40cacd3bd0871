#!/usr/bin/env bash
# Starts the local Clockify (sim) and the add-on server, and installs both add-ons into the
# simulated workspace through their manifest URLs. Used by `make run` and the end-to-end tests.
#
#   scripts/stack.sh            foreground; Ctrl-C stops both
#   scripts/stack.sh --detach   background; writes $DATA_DIR/stack.pids (stop with --stop)
#   scripts/stack.sh --stop
#
# Environment: ADDON_PORT (3000), SIM_PORT (4000), DATA_DIR (./data), PROFILE (debug|release).
# The simulator also reads its own SIM_* variables (see `sim --help`), e.g. SIM_PRESET=benchmark
# for the large workspace, SIM_RATE_LIMIT, SIM_ERROR_RATE, SIM_LATENCY_MS, SIM_MALFORMED_RATE,
# SIM_TASKS, SIM_TIME_ENTRIES, ... (faults can also be switched at run time: PUT /sim/faults).
set -euo pipefail
cd "$(dirname "$0")/.."

ADDON_PORT=${ADDON_PORT:-3000}
SIM_PORT=${SIM_PORT:-4000}
DATA_DIR=${DATA_DIR:-data}
PROFILE=${PROFILE:-debug}
PIDS="$DATA_DIR/stack.pids"
ADDON_URL="http://127.0.0.1:$ADDON_PORT"
SIM_URL="http://127.0.0.1:$SIM_PORT"

stop() {
  if [ -f "$PIDS" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$PIDS"
    rm -f "$PIDS"
  fi
}

if [ "${1:-}" = "--stop" ]; then stop; exit 0; fi

mkdir -p "$DATA_DIR/sim"
stop

./target/$PROFILE/sim --listen "127.0.0.1:$SIM_PORT" --data-dir "$DATA_DIR/sim" \
  --install "$ADDON_URL/api-studio/manifest" --install "$ADDON_URL/universal-webhook/manifest" \
  > "$DATA_DIR/sim.log" 2>&1 &
echo $! > "$PIDS"

for _ in $(seq 1 200); do
  [ -s "$DATA_DIR/sim/sim-public-key.pem" ] && break
  sleep 0.1
done
[ -s "$DATA_DIR/sim/sim-public-key.pem" ] || { echo "the simulator did not start; see $DATA_DIR/sim.log"; cat "$DATA_DIR/sim.log"; stop; exit 1; }

LISTEN_ADDR="127.0.0.1:$ADDON_PORT" PUBLIC_BASE_URL="$ADDON_URL" \
DATABASE_URL="${DATABASE_URL:-sqlite://$DATA_DIR/addons.db}" DATA_DIR="$DATA_DIR" \
CLOCKIFY_PUBLIC_KEY_PATH="$DATA_DIR/sim/sim-public-key.pem" \
FRAME_ANCESTORS="$SIM_URL,http://localhost:$SIM_PORT" \
LEPTOS_SITE_ROOT=target/site \
  ./target/$PROFILE/server > "$DATA_DIR/server.log" 2>&1 &
echo $! >> "$PIDS"

installed=0
for _ in $(seq 1 600); do
  installed=$(grep -c "^installed " "$DATA_DIR/sim.log" || true)
  [ "$installed" -ge 2 ] && break
  if grep -q "install of .* failed" "$DATA_DIR/sim.log"; then break; fi
  sleep 0.1
done
if [ "$installed" -lt 2 ]; then
  echo "the add-ons were not installed; logs:"; tail -n 20 "$DATA_DIR/sim.log" "$DATA_DIR/server.log"; stop; exit 1
fi

echo
echo "  Both add-ons are installed in the simulated Clockify workspace."
echo "  Open: $SIM_URL/workspace"
echo "  (logs: $DATA_DIR/server.log, $DATA_DIR/sim.log)"
echo

if [ "${1:-}" = "--detach" ]; then exit 0; fi
trap 'stop; exit 0' INT TERM
wait
