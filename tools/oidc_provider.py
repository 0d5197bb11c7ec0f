"""A local OpenID Connect provider for development and tests, and the client calls to use it.

The provider is `oidc-provider-mock` (a real OIDC server: discovery, JWKS, authorization code,
refresh) run as its own process, with three additions the platform needs:

- access tokens are RS256 JWTs (the mock's are opaque), with a configured `aud` and the user's
  `groups` claim, so services verify them as they would verify Keycloak's;
- PKCE (RFC 7636, S256) is checked at the token endpoint;
- `POST /_local/rotate-key` replaces the signing key, so tests can rotate keys under running
  services.

    python -m tools.oidc_provider serve --port 9400 --audience etwinning-services
    python -m tools.oidc_provider user --issuer http://127.0.0.1:9400 nso-es-1 --groups nso-ES
    python -m tools.oidc_provider token --issuer http://127.0.0.1:9400 nso-es-1

`login()` goes through the authorization-code flow with PKCE exactly as a browser would (the
mock's login form takes the subject; it asks for no password), so it is the flow under test.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

DEFAULT_AUDIENCE = "etwinning-services"
DEFAULT_CLIENT_ID = "etwinning-cli"
DEFAULT_REDIRECT_URI = "http://127.0.0.1/callback"
COPIED_CLAIMS = ("groups",)
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


# --- the provider (runs in its own process) ------------------------------------------------


def build_app(
    *,
    audience: str = DEFAULT_AUDIENCE,
    copied_claims: Sequence[str] = COPIED_CLAIMS,
    access_token_ttl: timedelta = timedelta(hours=1),
) -> Any:
    """The mock's Flask app, issuing JWT access tokens and checking PKCE."""
    # The mock needs these before it is imported; https is not worth it on a loopback port.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    warnings.filterwarnings("ignore", module="authlib")
    import flask
    import oidc_provider_mock._app as mock_app
    from authlib import jose
    from authlib.oauth2.rfc7636 import CodeChallenge
    from oidc_provider_mock._storage import User, storage

    challenges: dict[str, tuple[str, str]] = {}

    class RememberedChallenge(CodeChallenge):  # type: ignore[misc]
        """The mock's codes do not keep the challenge; the provider keeps it aside."""

        def get_authorization_code_challenge(self, authorization_code: Any) -> str | None:
            return challenges.get(authorization_code.code, ("", ""))[0] or None

        def get_authorization_code_challenge_method(self, authorization_code: Any) -> str:
            return challenges.get(authorization_code.code, ("", "S256"))[1] or "S256"

    class PkceAuthorizationCodeGrant(mock_app.AuthorizationCodeGrant):  # type: ignore[misc]
        # Public clients (the CLI, a browser app) have no secret: PKCE is what binds them.
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            RememberedChallenge(required=True)(self)

        def save_authorization_code(self, code: str, request: Any) -> None:
            super().save_authorization_code(code, request)
            data = request.payload.data
            if data.get("code_challenge"):
                challenges[code] = (
                    data["code_challenge"],
                    data.get("code_challenge_method") or "plain",
                )

    mock_app.AuthorizationCodeGrant = PkceAuthorizationCodeGrant

    def jwt_access_token(client: Any, grant_type: str, user: Any, scope: str, **_: Any) -> str:
        now = int(time.time())
        key = storage.jwk
        claims: dict[str, Any] = {
            "iss": flask.request.host_url.rstrip("/"),
            "sub": user.sub,
            "aud": audience,
            "azp": client.get_client_id(),
            "client_id": client.get_client_id(),
            "scope": scope or "",
            "iat": now,
            "nbf": now,
            "exp": now + int(access_token_ttl.total_seconds()),
            "jti": uuid.uuid4().hex,
        }
        claims |= {name: user.claims[name] for name in copied_claims if name in user.claims}
        header = {"alg": "RS256", "typ": "at+jwt", "kid": key.as_dict()["kid"]}
        token: bytes = jose.jwt.encode(header, claims, key)
        return token.decode()

    app = flask.Flask(mock_app.__name__)  # the package's templates come with its name
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = jwt_access_token
    mock_app.init_app(app, access_token_max_age=access_token_ttl)
    app.secret_key = secrets.token_bytes(16)

    @app.post("/_local/rotate-key")
    def rotate_key() -> Any:
        storage.jwk = jose.RSAKey.generate_key(is_private=True)
        return flask.jsonify({"kid": storage.jwk.as_dict()["kid"]})

    _ = User  # users are created over HTTP (`PUT /users/<sub>`), see put_user()
    return app


def serve(
    host: str, port: int, audience: str, copied_claims: Sequence[str], token_seconds: float
) -> None:
    import werkzeug.serving

    ttl = timedelta(seconds=token_seconds)
    app = build_app(audience=audience, copied_claims=copied_claims, access_token_ttl=ttl)
    server = werkzeug.serving.make_server(host, port, app, threaded=True)
    print(f"OIDC provider at http://{host}:{server.server_port} (audience {audience})", flush=True)
    server.serve_forever()


# --- clients of the provider ---------------------------------------------------------------


def put_user(issuer: str, subject: str, claims: Mapping[str, object]) -> None:
    """Create or replace a person and the claims the provider will put in their tokens."""
    response = httpx.put(f"{issuer}/users/{subject}", json=dict(claims), timeout=10)
    response.raise_for_status()


def rotate_key(issuer: str) -> str:
    """Replace the provider's signing key; returns the new key's id."""
    response = httpx.post(f"{issuer}/_local/rotate-key", timeout=30)
    response.raise_for_status()
    kid: str = response.json()["kid"]
    return kid


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str | None
    refresh_token: str | None


def login(
    issuer: str,
    subject: str,
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    redirect_uri: str = DEFAULT_REDIRECT_URI,
    code_verifier: str | None = None,
) -> Tokens:
    """Authorization code + PKCE against the local provider, the form filled in as a person
    would. `code_verifier` overrides the one sent at the token step (to test PKCE)."""
    with httpx.Client(timeout=10) as http:
        config = http.get(f"{issuer}/.well-known/openid-configuration").json()
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(12)
        query = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid profile email",
            "state": state,
            "nonce": secrets.token_urlsafe(12),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        http.get(config["authorization_endpoint"], params=query).raise_for_status()
        answer = http.post(config["authorization_endpoint"], params=query, data={"sub": subject})
        if answer.status_code != 302:
            raise RuntimeError(f"login refused: {answer.status_code} {answer.text[:200]}")
        returned = parse_qs(urlparse(answer.headers["location"]).query)
        if returned.get("state") != [state]:
            raise RuntimeError("login returned another state")
        token = http.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": returned["code"][0],
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "code_verifier": code_verifier or verifier,
            },
        )
        if token.status_code != 200:
            raise RuntimeError(f"token refused: {token.status_code} {token.text[:200]}")
        body = token.json()
        return Tokens(body["access_token"], body.get("id_token"), body.get("refresh_token"))


# --- the provider as a process ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    audience: str
    process: subprocess.Popen[bytes]

    def put_user(self, subject: str, claims: Mapping[str, object]) -> None:
        put_user(self.issuer, subject, claims)

    def login(self, subject: str, **options: Any) -> Tokens:
        return login(self.issuer, subject, **options)

    def token(self, subject: str) -> str:
        return self.login(subject).access_token

    def rotate_key(self) -> str:
        return rotate_key(self.issuer)


def start_provider(
    port: int | None = None,
    *,
    audience: str = DEFAULT_AUDIENCE,
    token_seconds: float = 3600,
    log: Path | None = None,
    startup_seconds: float = 20.0,
) -> RunningProvider:
    """Start the provider as a child process and wait until its discovery document answers."""
    port = port or free_port()
    output = log.open("ab") if log else subprocess.DEVNULL
    command = [sys.executable, "-m", "tools.oidc_provider", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--audience", audience, "--token-seconds", str(token_seconds)],
        cwd=REPOSITORY_ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                return RunningProvider(issuer, audience, process)
        time.sleep(0.1)
    stop_provider(process)
    raise RuntimeError(f"the OIDC provider did not answer on port {port}")


def stop_provider(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_provider(port: int | None = None, **options: Any) -> Iterator[RunningProvider]:
    provider = start_provider(port, **options)
    try:
        yield provider
    finally:
        stop_provider(provider.process)


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the provider in the foreground")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=9400)
    run.add_argument("--audience", default=DEFAULT_AUDIENCE)
    run.add_argument("--copy-claim", action="append", help="user claim put in access tokens")
    run.add_argument("--token-seconds", type=float, default=3600, help="access token lifetime")
    user = commands.add_parser("user", help="create or replace a person")
    user.add_argument("subject")
    user.add_argument("--issuer", default="http://127.0.0.1:9400")
    user.add_argument("--groups", nargs="*", default=[])
    user.add_argument("--claim", action="append", default=[], help="name=value")
    token = commands.add_parser("token", help="log a person in; print their access token")
    token.add_argument("subject")
    token.add_argument("--issuer", default="http://127.0.0.1:9400")
    token.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    args = parser.parse_args(argv)
    if args.command == "serve":
        claims = args.copy_claim or COPIED_CLAIMS
        serve(args.host, args.port, args.audience, claims, args.token_seconds)
    elif args.command == "user":
        person: dict[str, object] = dict(item.split("=", 1) for item in args.claim)
        person["groups"] = args.groups
        put_user(args.issuer, args.subject, person)
        print(json.dumps({"sub": args.subject, **person}))
    else:
        print(login(args.issuer, args.subject, client_id=args.client_id).access_token)


if __name__ == "__main__":
    main()
