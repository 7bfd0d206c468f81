#!/usr/bin/env python3
"""Checks that a Compose file also deploys well on Docker Swarm (`docker stack deploy`).

    scripts/check-compose-swarm.py compose/compose.yml

`docker stack config` (run before this by scripts/validate-containers.sh) proves that Swarm's
loader accepts the file; these rules check what a loader accepts but Swarm then runs badly or
not at all, and what Waterline's discovery needs. Each rule prints `ok` or the services that
break it; the exit status is 1 when any rule fails. Needs PyYAML (requirements-dev.txt).
"""

import os
import re
import sys
from pathlib import Path

import yaml

# The services compose/compose.yml must define: the replica set, its initiator, the five;
# compose/compose.sharded.yml: the config servers, two shards, the routers, their
# initiator, the five.
WATERLINE_SERVICES = ["ingest", "preprocess", "model", "insight", "gateway"]
EXPECTED_SERVICES = ["mongo1", "mongo2", "mongo3", "mongo-init"] + WATERLINE_SERVICES
EXPECTED_SHARDED_SERVICES = ([f"cfg{i}" for i in (1, 2, 3)] + [f"shard-{s}{i}" for s in "ab" for i in (1, 2, 3)]
                             + ["mongos1", "mongos2", "sharded-init"] + WATERLINE_SERVICES)
RESTART_CONDITIONS = {"any", "on-failure", "none"}
# Compose's `restart` and the Swarm condition it matches.
RESTART_EQUIVALENT = {"no": "none", "always": "any", "unless-stopped": "any", "on-failure": "on-failure"}
STREAM_VARIABLE = re.compile(r"^WATERLINE_\w+_STREAM$")
ENDPOINT_HOST = re.compile(r"^tcp://([^:/]+):\d+$")
VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_]\w*))")


def interpolate(value):
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$`, from this
    environment; a required variable that is unset becomes `required`."""
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3)
        current = os.environ.get(name)
        if operator in (":-", "-"):
            use_default = current is None or (operator == ":-" and current == "")
            return argument if use_default else current
        if operator in (":?", "?"):
            return current if current else "required"
        return current or ""

    return VARIABLE.sub(replace, value)


def environment_of(service):
    """The environment as a dict, from either the mapping or the `KEY=VALUE` list form."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: interpolate(str(value)) for key, value in env.items()}


def ports_of(service):
    """(mode, published, target) for each port; the short syntax is always ingress."""
    ports = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            published = port.get("published")
            ports.append((port.get("mode", "ingress"), str(published) if published else None, str(port.get("target"))))
            continue
        text = interpolate(str(port)).split("/")[0]
        parts = text.rsplit(":", 2)  # [ip:]published:target
        published = parts[-2] if len(parts) >= 2 else None
        ports.append(("ingress", published or None, parts[-1]))
    return ports


def volume_mounts(service):
    """(type, source) for each volume entry of a service."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((volume.get("type", "volume"), str(volume.get("source", ""))))
            continue
        source = interpolate(str(volume)).split(":")[0] if ":" in str(volume) else ""
        kind = "bind" if source.startswith((".", "/", "~")) else ("volume" if source else "anonymous")
        mounts.append((kind, source))
    return mounts


def final_stage_healthcheck(dockerfile):
    """The HEALTHCHECK of a Dockerfile's last stage (the image that runs), or None."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    last_from = max((i for i, line in enumerate(instructions) if re.match(r"(?i)FROM\s", line)), default=-1)
    checks = [line for line in instructions[last_from + 1:] if re.match(r"(?i)HEALTHCHECK\s", line)]
    if not checks or re.match(r"(?i)HEALTHCHECK\s+NONE\b", checks[-1]):
        return None
    return checks[-1]


def condition_of(service):
    return ((service.get("deploy") or {}).get("restart_policy") or {}).get("condition")


def long_running(service):
    """A service Swarm keeps running; one-shots (condition on-failure or none) exit when done."""
    return condition_of(service) == "any"


def check(path):
    compose_dir = path.parent
    document = yaml.safe_load(path.read_text())
    services = document.get("services") or {}
    named_volumes = set((document.get("volumes") or {}).keys())
    configs = document.get("configs") or {}
    rules = []

    def rule(title, problems):
        rules.append((title, problems))

    expected = EXPECTED_SHARDED_SERVICES if "mongos1" in services else EXPECTED_SERVICES
    rule("the database's services, their initiator and the five services are defined",
         [f"{name}: missing" for name in expected if name not in services])

    rule("every service names an `image` (Swarm ignores `build` and pulls the image)",
         [f"{name}: no image" for name, s in services.items() if not interpolate(s.get("image") or "").strip()])

    rule("no `container_name` (Swarm ignores it; Compose cannot scale a service that has one)",
         [f"{name}: container_name {s['container_name']!r}" for name, s in services.items() if "container_name" in s])

    rule("`depends_on` is a list (`docker stack deploy` rejects the long form with conditions)",
         [f"{name}: depends_on is a {type(s['depends_on']).__name__}" for name, s in services.items()
          if "depends_on" in s and not isinstance(s["depends_on"], list)])

    problems = []
    for name, s in services.items():
        replicas = (s.get("deploy") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            problems.append(f"{name}: deploy.replicas is {replicas!r}")
    rule("every service sets `deploy.replicas`", problems)

    problems = []
    for name, s in services.items():
        limits = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        missing = [key for key in ("cpus", "memory") if key not in limits]
        if missing:
            problems.append(f"{name}: no deploy.resources.limits.{' or '.join(missing)}")
    rule("every service has `deploy.resources.limits` (cpus and memory)", problems)

    problems = []
    for name, s in services.items():
        condition = condition_of(s)
        if condition not in RESTART_CONDITIONS:
            problems.append(f"{name}: deploy.restart_policy.condition is {condition!r} "
                            f"(one of {', '.join(sorted(RESTART_CONDITIONS))})")
            continue
        restart = s.get("restart")
        if restart is not None:
            compose = RESTART_EQUIVALENT.get(str(restart).split(":")[0])
            if compose != condition:
                problems.append(f"{name}: restart {restart!r} (Compose) disagrees with condition {condition!r} (Swarm)")
    rule("every service has `deploy.restart_policy` (Swarm ignores `restart`), matching `restart`", problems)

    problems = []
    for name, s in services.items():
        if not long_running(s):
            continue
        healthcheck = s.get("healthcheck")
        if healthcheck is not None:
            test = healthcheck.get("test")
            if healthcheck.get("disable") or test in ("NONE", ["NONE"]):
                problems.append(f"{name}: healthcheck disabled")
            continue
        build = s.get("build")
        if build is None:
            problems.append(f"{name}: no healthcheck, and no Dockerfile to take one from")
            continue
        context = compose_dir / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        shown = os.path.relpath(dockerfile.resolve())
        if not dockerfile.is_file():
            problems.append(f"{name}: {shown} not found")
        elif final_stage_healthcheck(dockerfile) is None:
            problems.append(f"{name}: no healthcheck, and the last stage of {shown} has no HEALTHCHECK")
    rule("every long-running service has a health check (in the file or its image's Dockerfile)", problems)

    problems = []
    for name, s in services.items():
        if not long_running(s):
            continue
        update = (s.get("deploy") or {}).get("update_config")
        if not update:
            problems.append(f"{name}: no deploy.update_config")
        elif "parallelism" not in update or update.get("order") not in ("start-first", "stop-first"):
            problems.append(f"{name}: deploy.update_config needs parallelism and order (start-first or stop-first)")
    rule("every long-running service has `deploy.update_config` (parallelism, order)", problems)

    problems = []
    for name, s in services.items():
        volumes = [source for kind, source in volume_mounts(s) if kind == "volume" and source in named_volumes]
        if not volumes:
            continue
        deploy = s.get("deploy") or {}
        if deploy.get("replicas") != 1:
            problems.append(f"{name}: mounts {volumes[0]} but deploy.replicas is {deploy.get('replicas')!r}, not 1")
        if (deploy.get("update_config") or {}).get("order") != "stop-first":
            problems.append(f"{name}: mounts {volumes[0]} but its update order is not stop-first")
    rule("a service with a named volume runs one task and updates stop-first (no two tasks on one volume)",
         problems)

    problems = []
    for name, s in services.items():
        mode = (s.get("deploy") or {}).get("endpoint_mode", "vip")
        if mode not in ("vip", "dnsrr"):
            problems.append(f"{name}: endpoint_mode {mode!r}")
        elif mode == "dnsrr":
            problems += [f"{name}: dnsrr, but publishes {published or '(any)'}:{target} through ingress"
                         for port_mode, published, target in ports_of(s) if port_mode == "ingress"]
    rule("`endpoint_mode: dnsrr` services publish no ingress ports (Swarm refuses them)", problems)

    # Stream subscribers connect to every address a name resolves to: in Swarm only dnsrr
    # names resolve to every task (tasks.<name> does too, for any service).
    followed = {}
    for name, s in services.items():
        for key, value in environment_of(s).items():
            if not STREAM_VARIABLE.match(key):
                continue
            for endpoint in value.split(","):
                match = ENDPOINT_HOST.match(endpoint.strip())
                if match and match.group(1) in services:
                    followed.setdefault(match.group(1), []).append(f"{name} ({key})")
    problems = []
    for target, subscribers in sorted(followed.items()):
        deploy = services[target].get("deploy") or {}
        if deploy.get("endpoint_mode", "vip") == "dnsrr":
            continue
        ingress = any(mode == "ingress" for mode, _, _ in ports_of(services[target]))
        if not ingress:
            problems.append(f"{target}: followed by {', '.join(subscribers)} but not dnsrr")
        elif deploy.get("replicas") != 1:
            problems.append(f"{target}: vip (publishes ports) with {deploy.get('replicas')!r} replicas; "
                            f"{', '.join(subscribers)} would follow one of them only")
    rule("a service whose stream is followed by name is dnsrr, or (publishing ports, so vip) runs one replica",
         problems)

    problems = []
    for name, s in services.items():
        problems += [f"{name}: bind mount of {source}" for kind, source in volume_mounts(s) if kind == "bind"]
        for entry in s.get("configs") or []:
            source = entry if isinstance(entry, str) else entry.get("source")
            if source not in configs:
                problems.append(f"{name}: config {source!r} is not defined under top-level configs")
    for config_name, config in configs.items():
        file = (config or {}).get("file")
        if file and not (compose_dir / interpolate(file)).is_file():
            problems.append(f"configs.{config_name}: {file} not found beside {path.name}")
    rule("no bind mounts (a Swarm task may run on any node): files come in as `configs` that exist",
         problems)

    seen, problems = {}, []
    for name, s in services.items():
        for _, published, target in ports_of(s):
            if published is None:
                continue
            if published in seen:
                problems.append(f"{name}: publishes {published}, already published by {seen[published]}")
            seen[published] = name
    rule("every published port belongs to one service", problems)

    failed = 0
    for title, problems in rules:
        print(f"  {'ok  ' if not problems else 'FAIL'} {title}")
        for problem in problems:
            print(f"         {problem}")
        failed += bool(problems)
    print(f"swarm rules: {len(rules) - failed} of {len(rules)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check-compose-swarm.py COMPOSE_FILE")
    sys.exit(check(Path(sys.argv[1])))
