#!/usr/bin/env bash
# Validates the files in deploy/ with the real tools, without installing or starting anything:
#   systemd-analyze verify   commune-bot.service, commune-bot-backup.service, commune-bot-backup.timer
#   nginx -t                 nginx-commune-bot.conf (with a throw-away self-signed certificate)
#   caddy validate           Caddyfile, province/Caddyfile
#   docker compose config    compose.yaml, province/compose.yaml (docker-compose v1 works too; no Docker engine is needed)
# A missing tool is reported and skipped; with STRICT=1 (as .ci/run sets) it fails the check.
# Debian: apt-get install --no-install-recommends systemd nginx caddy docker-compose openssl
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

ok() { echo "ok    $1"; }
bad() { echo "FAIL  $1"; sed 's/^/      /' "$tmp/out"; failed=1; }
missing() {
  if [ "${STRICT:-0}" = 1 ]; then echo "FAIL  $1: $2 is not installed"; failed=1; else echo "skip  $1: $2 is not installed"; fi
}

# --- systemd units: paths under /opt/commune-bot point at a stand-in install -------------------
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$tmp/app/.venv/bin" "$tmp/units"
  ln -s "$(command -v python3)" "$tmp/app/.venv/bin/python"
  for unit in "$here"/*.service "$here"/*.timer; do
    sed "s#/opt/commune-bot#$tmp/app#g" "$unit" >"$tmp/units/$(basename "$unit")"
  done
  # verify warns about unknown keys yet exits 0: any output counts as a failure
  if (cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./*.service ./*.timer) >"$tmp/out" 2>&1 \
    && [ ! -s "$tmp/out" ]; then ok "systemd units"; else bad "systemd units"; fi
else
  missing "systemd units" systemd-analyze
fi

# --- nginx site: a minimal main config that includes it ------------------------------------------
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bot.example.gov.vn \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
  sed -e "s#/etc/letsencrypt/live/bot.example.gov.vn/fullchain.pem#$tmp/cert.pem#" \
    -e "s#/etc/letsencrypt/live/bot.example.gov.vn/privkey.pem#$tmp/key.pem#" \
    "$here/nginx-commune-bot.conf" >"$tmp/site.conf"
  cat >"$tmp/nginx.conf" <<EOF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    include $tmp/site.conf;
}
EOF
  if nginx -t -q -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf" >"$tmp/out" 2>&1; then ok "nginx site"; else bad "nginx site"; fi
else
  missing "nginx site" "nginx (or openssl)"
fi

# --- Caddyfile -----------------------------------------------------------------------------------
if command -v caddy >/dev/null; then
  if HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
    caddy validate --config "$here/Caddyfile" --adapter caddyfile >"$tmp/out" 2>&1; then
    ok "Caddyfile"
  else bad "Caddyfile"; fi
  if HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
    caddy validate --config "$here/province/Caddyfile" --adapter caddyfile >"$tmp/out" 2>&1; then
    ok "province/Caddyfile"
  else bad "province/Caddyfile"; fi
else
  missing "Caddyfile" caddy
fi

# --- compose file: laid out as in a clone, with .env made from .env.example ----------------------
compose=()
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null; then compose=(docker-compose); fi
if [ ${#compose[@]} -gt 0 ]; then
  mkdir -p "$tmp/clone/deploy"
  cp "$here/compose.yaml" "$tmp/clone/deploy/"
  { cat "$repo/.env.example"; echo "POSTGRES_PASSWORD=check-only"; } >"$tmp/clone/.env"
  if "${compose[@]}" --env-file "$tmp/clone/.env" -f "$tmp/clone/deploy/compose.yaml" config -q >"$tmp/out" 2>&1; then
    ok "compose.yaml (${compose[*]})"
  else bad "compose.yaml"; fi
  mkdir -p "$tmp/clone/deploy/province"
  cp "$here/province/compose.yaml" "$here/province/Caddyfile" "$tmp/clone/deploy/province/"
  for f in common tan-lap dong-tien; do cp "$repo/.env.example" "$tmp/clone/deploy/province/$f.env"; done
  echo "POSTGRES_PASSWORD=check-only" >>"$tmp/clone/deploy/province/common.env"
  if "${compose[@]}" --env-file "$tmp/clone/deploy/province/common.env" \
    -f "$tmp/clone/deploy/province/compose.yaml" config -q >"$tmp/out" 2>&1; then
    ok "province/compose.yaml (${compose[*]})"
  else bad "province/compose.yaml"; fi
else
  missing "compose.yaml" "docker compose"
fi

exit $failed
