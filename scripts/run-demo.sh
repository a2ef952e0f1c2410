#!/usr/bin/env bash
# make run: starts the host, makes the demo institution (demo.edu) with two institutional admins and
# a depositor, each with a personal API token in .local/demo/<name>.token (mode 600), ingests two
# generated sample bags (one valid, one invalid) through the API as the depositor, prints their
# outcomes and how to use the tokens, then keeps the host in the foreground until Ctrl-C (forwarded
# to the host). Rerunnable: what exists is kept, a token file is reused while the API accepts it.
set -uo pipefail
export Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true
bin/bus-host &
host=$!
trap 'kill -TERM $host 2>/dev/null; wait $host; exit 0' INT TERM
url=${Bus__Host__HealthUrl:-http://127.0.0.1:8480}
export BUS_API_URL=$url
for _ in $(seq 1 120); do
  curl -fs "$url/health/ready" >/dev/null 2>&1 && break
  kill -0 $host 2>/dev/null || { echo "bus-host exited during start-up" >&2; exit 1; }
  sleep 0.5
done

institution=${DEMO_INSTITUTION:-demo.edu}
demo=.local/demo
mkdir -p "$demo"
chmod 700 "$demo"
bin/busctl institutions add "$institution" --name "Demo institution" >/dev/null 2>&1 || true

# token_for NAME ROLE: user NAME@institution with ROLE, and a token file the API accepts.
token_for() {
  local name=$1 role=$2 email="$1@$institution" file="$demo/$1.token"
  bin/busctl users add "$email" --institution "$institution" --role "$role" >/dev/null 2>&1 || true
  # Reused while the API still takes it as this user (a file of another DEMO_INSTITUTION is replaced).
  if [ -s "$file" ] && curl -fs -H "Authorization: Bearer $(cat "$file")" "$url/api/v1/me" | grep -q "\"$email\""; then return 0; fi
  # Written under umask 077 and never echoed: the token is shown nowhere else.
  (umask 077 && bin/busctl users token create "$email" --expires 30d --json |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' > "$file.new") &&
    mv "$file.new" "$file" || { rm -f "$file.new"; echo "could not create a token for $email" >&2; return 1; }
}
token_for depositor depositor || exit 1
token_for admin institutional_admin || exit 1
token_for admin2 institutional_admin || exit 1

read -r valid invalid < <(scripts/sample-bags.sh artifacts/samples)
for bag in "$valid" "$invalid"; do
  out=$(bin/busctl ingest submit "$bag" --token-file "$demo/depositor.token" --wait --json --timeout 300)
  code=$?
  echo "=== $(basename "$bag"): exit $code"
  printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("state:", d.get("state"), "| ingest:", d.get("ingestId"), "| object:", d.get("objectIdentifier"), "| by:", d.get("submittedBy")); [print("  reason:", r["code"], "-", r["message"]) for r in d.get("rejections") or []]' 2>/dev/null || printf '%s\n' "$out"
done

cat <<USAGE
=== demo identities of $institution (tokens in $demo/, mode 600; busctl reads \$BUS_TOKEN or --token-file):
  depositor@$institution  (depositor)            $demo/depositor.token
  admin@$institution      (institutional_admin)  $demo/admin.token
  admin2@$institution     (institutional_admin)  $demo/admin2.token
Try, in another shell:
  BUS_TOKEN=\$(cat $demo/depositor.token) bin/busctl ingest list
  BUS_TOKEN=\$(cat $demo/depositor.token) bin/busctl objects show $institution/sample-valid
  bin/busctl delete request $institution/sample-valid --reason "demo" --token-file $demo/admin.token
  bin/busctl delete approve <requestId> --token-file $demo/admin2.token      # a second admin approves
  curl -sS -H "Authorization: Bearer \$(cat $demo/depositor.token)" $url/api/v1/ingests
API reference: $url/scalar/v1
Web console: $url/ (sign in by pasting a token, e.g. the content of $demo/depositor.token)
=== host still running (pid $host); Ctrl-C stops it
USAGE
wait $host
