#!/usr/bin/env bash
# Run vcio locally: migrate, load demo data if the database is empty, then run
# the background worker and the web server together until Ctrl-C.
#
# Used by `make run`; HOST and PORT come from the environment (defaults
# 127.0.0.1:8000), VCIO may point at another vcio executable.
#
# Both processes are started by this script and stopped by its EXIT trap, so
# Ctrl-C, `kill <this script>` or either process dying always takes the other
# one down too: no orphaned worker left claiming jobs in the background.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
VCIO=${VCIO:-.venv/bin/vcio}
STOP_TIMEOUT=${STOP_TIMEOUT:-10}   # seconds to wait after SIGTERM before SIGKILL

"$VCIO" migrate --noinput -v 0
"$VCIO" demo --if-empty --quiet

pids=()

stop_all() {
    trap - EXIT INT TERM
    local pid alive i
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Give them time to finish the job in hand; then insist.
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
stop_on_signal() {
    echo
    echo "Stopping vcio..."
    # Ctrl-C (or SIGTERM from a supervisor) is the documented way to stop, not
    # a failure: exit 0 so `make run` ends without an error line. (make, which
    # got the same Ctrl-C from the terminal, still stops on its own account.)
    exit 0
}
trap stop_all EXIT
# A trapped signal interrupts `wait` at once; the exit then runs stop_all.
trap stop_on_signal INT TERM

# The local web server the demo monitors check (their targets use the same
# port, VCIO_DEMO_TARGET_PORT, default 8790). Started before the worker so
# its first checks find it listening; stopped with the others. Its dying
# (say, the port is taken) does not stop vcio: only the demo goes red.
DEMO_TARGET_PORT=${VCIO_DEMO_TARGET_PORT:-8790}
# Monitors may not target this server itself; the demo's target is the one
# exception, allowed explicitly (unless the environment already says otherwise).
export VCIO_MONITOR_ALLOWED_TARGETS=${VCIO_MONITOR_ALLOWED_TARGETS:-127.0.0.1:$DEMO_TARGET_PORT}
"$VCIO" demo_target --port "$DEMO_TARGET_PORT" &
pids+=("$!")

# Both run as background jobs so that this shell stays free to react to
# signals (bash postpones traps while a foreground child runs). In a script,
# background jobs ignore SIGINT, which is why stop_all sends SIGTERM.
"$VCIO" worker &
worker_pid=$!
pids+=("$worker_pid")
"$VCIO" serve --host "$HOST" --port "$PORT" &
server_pid=$!
pids+=("$server_pid")

# Announce the address once the server accepts connections (or after 30 s,
# in case something between here and the port refuses our probe).
for ((i = 0; i < 300; i++)); do
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
    echo
    echo "vcio is running at http://$HOST:$PORT — Ctrl-C stops it"
    if (exec 3<>"/dev/tcp/127.0.0.1/$DEMO_TARGET_PORT") 2>/dev/null; then
        echo "demo target (what the demo monitors check): http://127.0.0.1:$DEMO_TARGET_PORT/"
    fi
    "$VCIO" demo --logins
    echo
fi

status=0
wait -n -p exited "$worker_pid" "$server_pid" || status=$?
if [[ ${exited:-} == "$worker_pid" ]]; then
    echo "vcio: the worker stopped (exit status $status); stopping the server" >&2
else
    echo "vcio: the server stopped (exit status $status); stopping the worker" >&2
fi
exit $((status == 0 ? 1 : status))
