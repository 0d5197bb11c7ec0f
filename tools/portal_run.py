"""The portal in `make run`: an OpenID provider for local sign-in (oidc-provider-mock, in a
thread), the story's people as its users, and the portal process in front of the services.

`make run` then prints the portal's URL and whom to sign in as: type the subject (e.g.
`lucia`) on the provider's page and press Authorize."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from shared.http.auth import Principal, mint_token

ROOT = Path(__file__).resolve().parent.parent
PORTAL_PORT = int(os.environ.get("PORTAL_PORT", "8000"))
PROVIDER_PORT = int(os.environ.get("OIDC_PROVIDER_PORT", "8090"))
PORTAL_URL = os.environ.get("PORTAL_BASE_URL", f"http://127.0.0.1:{PORTAL_PORT}")
STAFF = {
    "nso-es": {"name": "NSO Spain", "role": "nso", "country": "ES"},
    "nso-pt": {"name": "NSO Portugal", "role": "nso", "country": "PT"},
    "nso-tr": {"name": "NSO Türkiye", "role": "nso", "country": "TR"},
    "css": {"name": "Central Support Service", "role": "css"},
    "operator": {"name": "Platform operator", "role": "operator"},
    "newcomer": {"name": "A new teacher", "email": "newcomer@example.org"},
}
SUBJECTS = {"ES": "lucia", "PT": "joao", "TR": "ayse"}


@dataclass
class RunningPortal:
    url: str
    provider_url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    provider: AbstractContextManager[Any]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()
        self.provider.__exit__(None, None, None)


def start_portal(service_urls: dict[str, str], env: dict[str, str], log_dir: Path) -> RunningPortal:
    from oidc_provider_mock import run_server_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per provider request

    provider = run_server_in_thread(port=PROVIDER_PORT)
    server = provider.__enter__()
    provider_url = f"http://127.0.0.1:{server.server_port}"
    log = (log_dir / "portal.log").open("wb")
    portal_env = {
        **env, "SERVICE_NAME": "portal", "HTTP_PORT": str(PORTAL_PORT),
        "PORTAL_BASE_URL": PORTAL_URL, "OIDC_ISSUER": provider_url,
        "AUTHLIB_INSECURE_TRANSPORT": "1",  # the local provider speaks plain HTTP on loopback
        **{f"{name.upper()}_URL": url for name, url in service_urls.items()},
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "services.portal"], cwd=ROOT, env=portal_env,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    running = RunningPortal(PORTAL_URL, provider_url, process, log, provider)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the portal exited at start-up (see {log_dir / 'portal.log'})")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{PORTAL_PORT}/health/live", timeout=1).is_success:
                return running
        time.sleep(0.2)
    raise SystemExit("the portal did not start within 30 s")


def register_people(
    provider_url: str, registration_url: str, secret: str, issuer: str
) -> list[tuple[str, str]]:
    """The provider's users: the story's teachers (found by country in registration), their
    NSOs, the CSS, an operator and a newcomer who registers from scratch."""
    operator = mint_token(Principal(subject="operator:localrun", role="operator"),
                          secret=secret, issuer=issuer)  # fmt: skip
    people: list[tuple[str, str]] = []
    for country, subject in SUBJECTS.items():
        answer = httpx.get(
            f"{registration_url}/teachers", params={"country": country, "status": "VALIDATED"},
            headers={"Authorization": f"Bearer {operator}"}, timeout=5,
        )  # fmt: skip
        teachers = answer.json() if answer.is_success else []
        if not teachers:
            continue
        teacher = teachers[-1]
        claims = {"name": teacher["name"], "email": teacher["email"], "role": "teacher",
                  "teacher_id": teacher["id"], "country": country}  # fmt: skip
        httpx.put(f"{provider_url}/users/{subject}", json=claims, timeout=5)
        people.append((subject, f"{teacher['name']}, teacher ({country})"))
    for subject, claims in STAFF.items():
        httpx.put(f"{provider_url}/users/{subject}", json=claims, timeout=5)
        role = str(claims.get("role", "first registration"))
        people.append((subject, f"{claims['name']} ({role})"))
    return people
