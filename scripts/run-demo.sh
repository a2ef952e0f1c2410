#!/usr/bin/env bash
# make run: starts the host, ingests two generated sample bags (one valid, one invalid), prints
# their outcomes, then keeps the host in the foreground until Ctrl-C (forwarded to the host).
set -uo pipefail
export Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true
bin/bus-host &
host=$!
trap 'kill -TERM $host 2>/dev/null; wait $host; exit 0' INT TERM
url=${Bus__Host__HealthUrl:-http://127.0.0.1:8480}
for _ in $(seq 1 120); do
  curl -fs "$url/health/ready" >/dev/null 2>&1 && break
  kill -0 $host 2>/dev/null || { echo "bus-host exited during start-up" >&2; exit 1; }
  sleep 0.5
done
institution=${DEMO_INSTITUTION:-demo.edu}
bin/busctl institutions add "$institution" --name "Demo institution" >/dev/null 2>&1 || true
export BUS_SUBMITTED_BY=${BUS_SUBMITTED_BY:-depositor@$institution}
bin/busctl users add "$BUS_SUBMITTED_BY" --institution "$institution" --role depositor >/dev/null 2>&1 || true
read -r valid invalid < <(scripts/sample-bags.sh artifacts/samples)
for bag in "$valid" "$invalid"; do
  out=$(bin/busctl ingest submit "$bag" --institution "$institution" --wait --json --timeout 300)
  code=$?
  echo "=== $(basename "$bag"): exit $code"
  printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("state:", d.get("state"), "| ingest:", d.get("ingestId"), "| object:", d.get("objectIdentifier")); [print("  reason:", r["code"], "-", r["message"]) for r in d.get("rejections") or []]' 2>/dev/null || printf '%s\n' "$out"
done
echo "=== host still running (pid $host); Ctrl-C stops it"
wait $host
