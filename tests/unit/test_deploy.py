"""Deployment files, checked without docker or network: compose structure, .env.example,
and deploy/rabbitmq/definitions.json against shared/topology.py."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import ServiceSettings
from shared.topology import (
    ALERTS,
    DEAD_LETTER_EXCHANGE_NAME,
    EVENTS_EXCHANGE_NAME,
    SUBSCRIPTIONS,
    ServiceQueues,
    bound_queues,
)
from tools import rabbitmq_definitions as rd

ROOT = Path(__file__).resolve().parents[2]
APP_PORTS = {"registration": 8001, "projects": 8002, "awards": 8003, "notifications": 8004}
INFRA = ("rabbitmq", "mongo", "mailpit", "keycloak", "gateway")
PORTAL_PORT = 8000  # the portal (services/portal): behind the gateway, calls the four services
APP_ENV = (
    "SERVICE_NAME",
    "AMQP_URL",
    "MONGODB_URL",
    "MONGODB_DATABASE",
    "HTTP_HOST",
    "HTTP_PORT",
    "PUBLIC_BASE_URL",
    "LOG_JSON",
    "LOG_LEVEL",
    "JWT_SECRET",
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "AMQP_PREFETCH",
    "GRACEFUL_TIMEOUT_SECONDS",
)
# Keys of a service in the compose specification (compose-spec.json) that a file like ours
# may use; anything else is a typo that `docker compose` would reject.
COMPOSE_SERVICE_KEYS = {
    "build", "cap_add", "cap_drop", "command", "configs", "cpus", "depends_on", "deploy",
    "entrypoint", "env_file", "environment", "expose", "extra_hosts", "healthcheck", "hostname",
    "image", "init", "labels", "logging", "mem_limit", "networks", "ports", "profiles",
    "read_only", "restart", "secrets", "security_opt", "stop_grace_period", "stop_signal",
    "tmpfs", "ulimits", "user", "volumes", "working_dir",
}  # fmt: skip
# Short port syntax: [HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]
COMPOSE_PORT = re.compile(
    r"^(?:(?:\d{1,3}\.){3}\d{1,3}:)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:/(?:tcp|udp))?$"
)
# Short volume syntax: SOURCE:TARGET[:MODE]; SOURCE may be an interpolation.
COMPOSE_MOUNT = re.compile(r"^(?P<source>\$\{[^}]*\}|[^:$]+):(?P<target>/[^:]*)(?::(?:ro|rw))?$")
# ${VAR}, ${VAR:-default}, ${VAR:?error}; `$${...}` is an escaped literal.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(rd.DEFINITIONS_PATH.read_text())
    return loaded


def seconds(duration: str) -> float:
    """Compose durations such as "30s", "1m30s", "500ms"."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_has_exactly_the_expected_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {*INFRA, *APP_PORTS, "portal"}
    assert set(APP_PORTS) == set(SUBSCRIPTIONS)


def test_portal_service(services: dict[str, dict[str, Any]]) -> None:
    portal = services["portal"]
    assert portal["command"] == ["python", "-m", "services.portal"]
    assert "/health/ready" in " ".join(portal["healthcheck"]["test"])
    assert set(portal["depends_on"]) == {*APP_PORTS, "mongo"}
    env = portal["environment"]
    assert int(env["HTTP_PORT"]) == PORTAL_PORT
    # Sign-in: the browser is sent to the public issuer, discovery read over the network.
    assert env["OIDC_DISCOVERY_URL"].startswith("http://keycloak:8080/realms/etwinning/")
    assert "keycloak" not in env["OIDC_ISSUER"]
    # Its sessions, in its own database, as its own MongoDB user (no service's data).
    assert env["MONGODB_DATABASE"] == "etw_portal"
    assert env["MONGODB_URL"].startswith("mongodb://portal:${PORTAL_MONGO_PASSWORD")
    assert "PORTAL_MONGO_PASSWORD" in services["mongo"]["environment"]
    users = (ROOT / "deploy/mongo/initdb/10-service-users.js").read_text()
    assert '"portal"' in users
    for name, port in APP_PORTS.items():  # the services' own names, not the gateway's ports
        assert env[f"{name.upper()}_URL"] == f"http://{name}:{port}"
    assert "ports" not in portal and portal["expose"] == [str(PORTAL_PORT)]


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service(services: dict[str, dict[str, Any]], name: str) -> None:
    service = services[name]
    assert service["command"] == ["python", "-m", f"services.{name}"]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"][0] == "CMD"
    assert "/health/ready" in " ".join(service["healthcheck"]["test"])
    needed = {"rabbitmq", "mongo", "keycloak"} | ({"mailpit"} if name == "notifications" else set())
    assert set(service["depends_on"]) == needed
    assert all(dep["condition"] == "service_healthy" for dep in service["depends_on"].values())

    env = service["environment"]
    assert set(APP_ENV) <= set(env)
    assert env["SERVICE_NAME"] == name
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert int(env["HTTP_PORT"]) == APP_PORTS[name]
    assert env["LOG_JSON"] == "1"
    assert env["MONGODB_DATABASE"] == f"etw_{name}"
    assert env["AMQP_URL"].startswith(f"amqp://{name}:${{")
    assert env["AMQP_URL"].endswith(f"@rabbitmq:5672/{rd.VHOST}?heartbeat=15")
    assert env["MONGODB_URL"].startswith(f"mongodb://{name}:${{")
    assert "@mongo:27017/" in env["MONGODB_URL"]
    assert "replicaSet=rs0" in env["MONGODB_URL"]
    assert "authSource=admin" in env["MONGODB_URL"]
    if name == "notifications":
        assert env["SMTP_URL"] == "smtp://mailpit:1025"
        assert "MAIL_FROM" in env
    # Reached through the gateway; a host port here would stop `--scale` (see below).
    assert "ports" not in service
    assert service["expose"] == [str(APP_PORTS[name])]


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_stop_grace_period_exceeds_graceful_timeout(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    default = ServiceSettings.model_fields["graceful_timeout_seconds"].default
    graceful = float(service["environment"].get("GRACEFUL_TIMEOUT_SECONDS", default))
    assert seconds(service["stop_grace_period"]) > graceful


@pytest.mark.parametrize("name", INFRA)
def test_infrastructure_service(services: dict[str, dict[str, Any]], name: str) -> None:
    service = services[name]
    tag = service["image"].partition(":")[2]
    assert re.match(r"v?\d+\.\d+", tag), f"{name}: pin the image version, not {tag!r}"
    assert service["healthcheck"]["test"]
    assert service["restart"] == "unless-stopped"


def test_every_service_can_be_scaled(services: dict[str, dict[str, Any]]) -> None:
    """`docker compose up --scale <service>=3`: a second replica cannot take a fixed name or a
    fixed host port that the first one holds."""
    for name, service in services.items():
        assert "container_name" not in service, name
    for name in APP_PORTS:
        for port in services[name].get("ports", []):
            host_part = str(port).rsplit(":", 1)[0] if ":" in str(port) else ""
            assert not re.search(r"(^|:)\d+$", host_part), f"{name}: fixed host port in {port}"


def test_gateway_publishes_each_service_and_balances_over_its_replicas(
    services: dict[str, dict[str, Any]],
) -> None:
    gateway = services["gateway"]
    published = [*sorted(APP_PORTS.values()), PORTAL_PORT]
    assert gateway["ports"] == [f"127.0.0.1:{p}:{p}" for p in published]
    assert set(gateway["depends_on"]) == {*APP_PORTS, "portal"}
    assert all(d["condition"] == "service_healthy" for d in gateway["depends_on"].values())
    assert "./deploy/gateway/nginx.conf:/etc/nginx/nginx.conf:ro" in gateway["volumes"]
    conf = (ROOT / "deploy/gateway/nginx.conf").read_text()
    # Docker's DNS, re-resolved per request: replicas added by --scale are used.
    assert re.search(r"^\s*resolver 127\.0\.0\.11 valid=\d+s", conf, re.M)
    routes = re.findall(r"listen (\d+);\s*location / \{\s*set \$service ([a-z]+):(\d+);", conf)
    assert {int(port): (name, int(target)) for port, name, target in routes} == {
        port: (name, int(services[name]["environment"]["HTTP_PORT"]))
        for name, port in {**APP_PORTS, "portal": PORTAL_PORT}.items()
    }
    assert conf.count("proxy_pass http://$service;") == len(APP_PORTS) + 1
    healthcheck = " ".join(gateway["healthcheck"]["test"])
    assert re.search(r"listen 8080;\s*location = /healthz", conf) and ":8080/healthz" in healthcheck


def test_compose_file_is_well_formed(compose: dict[str, Any]) -> None:
    """What `docker compose config` would reject, checked without docker: keys and values of
    the compose specification that this file uses."""
    top_level = {key for key in compose if not key.startswith("x-")}  # x-*: extensions
    assert top_level <= {"name", "services", "volumes", "networks", "configs", "secrets"}
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        unknown = set(service) - COMPOSE_SERVICE_KEYS
        assert not unknown, f"{name}: not compose service keys: {unknown}"
        assert ("image" in service) or ("build" in service), name
        assert service.get("restart", "no") in {"no", "always", "on-failure", "unless-stopped"}
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in compose["services"], f"{name} depends on unknown {dependency}"
            assert spec["condition"] in {
                "service_started", "service_healthy", "service_completed_successfully"
            }  # fmt: skip
        healthcheck = service.get("healthcheck", {})
        assert set(healthcheck) <= {"test", "interval", "timeout", "retries", "start_period",
                                    "start_interval", "disable"}, name  # fmt: skip
        for key in ("interval", "timeout", "start_period"):
            if key in healthcheck:
                seconds(healthcheck[key])
        if "stop_grace_period" in service:
            seconds(service["stop_grace_period"])
        for port in service.get("ports", []):
            assert COMPOSE_PORT.match(str(port)), f"{name}: port {port!r}"
        for port in service.get("expose", []):
            assert re.fullmatch(r"\d+(-\d+)?(/(tcp|udp))?", str(port)), f"{name}: {port!r}"
        for mount in service.get("volumes", []):
            parsed = COMPOSE_MOUNT.match(str(mount))
            assert parsed, f"{name}: volume {mount!r}"
            source = parsed["source"]
            if not source.startswith((".", "/", "$")):
                assert source in declared_volumes, f"{name}: undeclared volume {source}"
            elif source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: no file {source}"
        environment = service.get("environment", {})
        assert isinstance(environment, dict), name
        assert all(isinstance(value, str) for value in environment.values()), (
            f"{name}: quote environment values (compose wants strings)"
        )


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_compose_environment_is_read_by_the_service(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    """Every variable compose sets is a setting of that service (pydantic-settings reads
    names case-insensitively): a misspelt one would be silently ignored."""
    settings = importlib.import_module(f"services.{name}.config")
    settings_class = next(
        value
        for value in vars(settings).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    )  # fmt: skip
    fields = {field.lower() for field in settings_class.model_fields}
    assert {var.lower() for var in services[name]["environment"]} - fields == set()


def test_local_runner_starts_what_compose_declares(services: dict[str, dict[str, Any]]) -> None:
    """`make run` starts each service with compose's command and port (tools/localrun.py)."""
    from tools import localrun

    started = localrun.compose_services()
    assert list(started) == list(APP_PORTS)
    for name, spec in started.items():
        assert spec["command"] == services[name]["command"]
        assert spec["environment"]["HTTP_PORT"] == services[name]["environment"]["HTTP_PORT"]


def test_every_published_port_is_bound_to_localhost(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_rabbitmq_service(services: dict[str, dict[str, Any]]) -> None:
    rabbitmq = services["rabbitmq"]
    assert rabbitmq["hostname"] == "rabbitmq"  # the data directory is named after it
    assert rabbitmq["image"].startswith("rabbitmq:4.1") and "management" in rabbitmq["image"]
    assert rabbitmq["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    for key in ("interval", "retries", "start_period"):
        assert key in rabbitmq["healthcheck"]
    mounts = rabbitmq["volumes"]
    assert "rabbitmq-data:/var/lib/rabbitmq" in mounts
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro" in mounts
    assert any(m.endswith(":/etc/rabbitmq/definitions.json:ro") for m in mounts)
    conf = (ROOT / "deploy/rabbitmq/rabbitmq.conf").read_text()
    assert re.search(r"^definitions\.local\.path = /etc/rabbitmq/definitions\.json$", conf, re.M)
    assert re.search(r"^definitions\.skip_if_unchanged = true$", conf, re.M)


def test_mongo_service(services: dict[str, dict[str, Any]]) -> None:
    mongo = services["mongo"]
    assert mongo["hostname"] == "mongo"
    assert mongo["image"].startswith("mongo:8.0")
    command = mongo["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--bind_ip_all" in command and "--keyFile" in command
    assert {"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"} <= set(mongo["environment"])
    assert "start_period" in mongo["healthcheck"]
    healthcheck = (ROOT / "deploy/mongo/healthcheck.js").read_text()
    assert '{ _id: 0, host: "mongo:27017" }' in healthcheck
    users = (ROOT / "deploy/mongo/initdb/10-service-users.js").read_text()
    for name in APP_PORTS:
        assert f'"{name}"' in users
        assert f"{name.upper()}_MONGO_PASSWORD" in mongo["environment"]


def test_compose_variables_are_defined_in_env_example() -> None:
    used = set(COMPOSE_VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    defined = set(rd.read_env_file(ROOT / ".env.example"))
    assert used, "expected ${VAR} interpolation in docker-compose.yml"
    assert used - defined == set()


def test_env_example_jwt_secret_is_long_enough() -> None:
    assert len(rd.read_env_file(ROOT / ".env.example")["JWT_SECRET"]) >= 32


def test_dockerfile_and_runtime_lock() -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements/runtime.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    assert "useradd -r -u 10001" in dockerfile and "\nUSER app\n" in dockerfile
    assert "PYTHONUNBUFFERED=1" in dockerfile and "HEALTHCHECK" in dockerfile
    lock = (ROOT / "requirements/runtime.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\$", lock, re.M)
    assert {"faststream", "pymongo", "fastapi", "uvicorn"} <= set(pins)
    assert lock.count("--hash=sha256:") >= len(pins)


# --- deploy/rabbitmq/definitions.json -----------------------------------------------------


def test_definitions_are_up_to_date() -> None:
    assert rd.main(["--check"]) == 0, "run: python -m tools.rabbitmq_definitions --deterministic"


def test_definitions_vhost_and_users(definitions: dict[str, Any]) -> None:
    assert [v["name"] for v in definitions["vhosts"]] == [rd.VHOST]
    users = {u["name"]: u for u in definitions["users"]}
    assert set(users) == {*APP_PORTS, "admin", "intake_example", "alerts"}
    assert "guest" not in users
    assert users["admin"]["tags"] == ["administrator"]
    assert all(u["hashing_algorithm"] == "rabbit_password_hashing_sha256" for u in users.values())


def test_definitions_exchanges_match_topology(definitions: dict[str, Any]) -> None:
    exchanges = {
        e["name"]: (e["vhost"], e["type"], e["durable"], e["auto_delete"], e["arguments"])
        for e in definitions["exchanges"]
    }
    assert exchanges == {
        EVENTS_EXCHANGE_NAME: (rd.VHOST, "topic", True, False, {}),
        DEAD_LETTER_EXCHANGE_NAME: (rd.VHOST, "direct", True, False, {}),
    }


def test_definitions_queues_match_topology(definitions: dict[str, Any]) -> None:
    expected: dict[str, dict[str, Any]] = {}
    for queues in bound_queues():
        expected[queues.events_queue_name] = queues.events_queue_arguments()
        expected[queues.dead_letter_queue_name] = {"x-queue-type": "quorum"}
    actual = {q["name"]: q["arguments"] for q in definitions["queues"]}
    assert actual == expected
    assert all(q["vhost"] == rd.VHOST and q["durable"] for q in definitions["queues"])


def test_definitions_bindings_match_topology(definitions: dict[str, Any]) -> None:
    expected = set()
    for queues in bound_queues():
        expected |= {(EVENTS_EXCHANGE_NAME, queues.events_queue_name, p) for p in queues.bindings}
        expected.add(
            (
                DEAD_LETTER_EXCHANGE_NAME,
                queues.dead_letter_queue_name,
                queues.dead_letter_queue_name,
            )
        )
    bindings = definitions["bindings"]
    actual = [(b["source"], b["destination"], b["routing_key"]) for b in bindings]
    assert len(actual) == len(set(actual))
    assert set(actual) == expected
    assert all(b["destination_type"] == "queue" and b["vhost"] == rd.VHOST for b in bindings)


def _permissions(definitions: dict[str, Any]) -> dict[str, dict[str, str]]:
    entries = definitions["permissions"]
    assert all(p["vhost"] == rd.VHOST for p in entries)
    return {p["user"]: p for p in entries}


def _queue_names(service: str) -> list[str]:
    queues = ServiceQueues(service)
    return [queues.events_queue_name, queues.dead_letter_queue_name]


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_service_permissions_are_least_privilege(definitions: dict[str, Any], service: str) -> None:
    permission = _permissions(definitions)[service]
    for kind in ("configure", "write", "read"):
        regex = re.compile(permission[kind])
        for name in (*_queue_names(service), EVENTS_EXCHANGE_NAME, DEAD_LETTER_EXCHANGE_NAME):
            assert regex.search(name), f"{service} {kind} must allow {name}"
        for other in set(APP_PORTS) - {service}:
            for name in _queue_names(other):
                assert not regex.search(name), f"{service} {kind} must not allow {name}"
        for name in ("amq.default", "amq.topic", "intake.events", "other.exchange"):
            assert not regex.search(name), f"{service} {kind} must not allow {name}"


def test_intake_user_may_only_publish_intake_routing_keys(definitions: dict[str, Any]) -> None:
    permission = _permissions(definitions)["intake_example"]
    resources = [EVENTS_EXCHANGE_NAME, DEAD_LETTER_EXCHANGE_NAME]
    for service in APP_PORTS:
        resources += _queue_names(service)
    for kind in ("configure", "read"):
        assert not any(re.search(permission[kind], name) for name in resources), kind
    assert [n for n in resources if re.search(permission["write"], n)] == [EVENTS_EXCHANGE_NAME]

    topic = [t for t in definitions["topic_permissions"] if t["user"] == "intake_example"]
    assert len(topic) == 1
    assert topic[0]["exchange"] == EVENTS_EXCHANGE_NAME and topic[0]["vhost"] == rd.VHOST
    assert topic[0]["write"].startswith(r"^intake\.")
    assert re.search(topic[0]["write"], "intake.school.submitted")
    for key in ("registration.teacher.registered", "projects.project.completed", "intakes.x"):
        assert not re.search(topic[0]["write"], key)
    assert not re.search(topic[0]["read"], "intake.school.submitted")


def test_the_alerting_user_may_only_read_the_operators_alerts_queue(
    definitions: dict[str, Any],
) -> None:
    permission = _permissions(definitions)["alerts"]
    resources = [EVENTS_EXCHANGE_NAME, DEAD_LETTER_EXCHANGE_NAME, ALERTS.dead_letter_queue_name]
    for service in APP_PORTS:
        resources += _queue_names(service)
    for kind in ("configure", "write"):
        assert not re.search(permission[kind], ALERTS.events_queue_name), kind
        assert not any(re.search(permission[kind], name) for name in resources), kind
    assert re.search(permission["read"], ALERTS.events_queue_name)
    assert not any(re.search(permission["read"], name) for name in resources)


# --- password hashes ----------------------------------------------------------------------


def test_password_hash_matches_rabbitmq_reference_vector() -> None:
    # The example in RabbitMQ's passwords guide: salt 908DC60A, password "test12".
    expected = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
    assert rd.hash_password("test12", bytes.fromhex("908DC60A")) == expected
    assert rd.verify_password(expected, "test12")
    assert not rd.verify_password(expected, "test13")


def test_committed_hashes_are_of_the_development_passwords(definitions: dict[str, Any]) -> None:
    passwords = rd.development_passwords()
    for user in definitions["users"]:
        assert rd.verify_password(user["password_hash"], passwords[user["name"]]), user["name"]
        assert not rd.verify_password(user["password_hash"], "guest")


def test_random_salts_unless_deterministic() -> None:
    passwords = rd.development_passwords()
    first = rd.build_definitions(passwords, deterministic=False)["users"]
    second = rd.build_definitions(passwords, deterministic=False)["users"]
    assert [u["password_hash"] for u in first] != [u["password_hash"] for u in second]
    for user in first:
        assert rd.verify_password(user["password_hash"], passwords[user["name"]])


def test_passwords_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for user in rd.USERS:
        monkeypatch.setenv(rd.password_env_var(user), f"secret-{user}")
    output = tmp_path / "definitions.json"
    assert rd.main(["--passwords-from-env", "--output", str(output)]) == 0
    generated = json.loads(output.read_text())
    for user in generated["users"]:
        assert rd.verify_password(user["password_hash"], f"secret-{user['name']}")
    monkeypatch.delenv(rd.password_env_var("admin"))
    assert rd.main(["--passwords-from-env", "--output", str(output)]) == 2


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "definitions.json"
    stale.write_text(
        rd.render(rd.build_definitions(rd.development_passwords(), deterministic=False))
    )
    assert rd.main(["--check", "--output", str(stale)]) == 1
