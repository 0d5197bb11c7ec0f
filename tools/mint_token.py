"""Mint a development-mode bearer token: `python -m tools.mint_token --role nso --country ES`.

Only services with AUTH_DEV_MODE=true accept these (HS256, signed with JWT_SECRET, the role
inside). `--provider` fetches a real token from the OpenID Connect provider instead
(tools/provider_token.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from shared.http.auth import ROLES, Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from tools import provider_token


def main(argv: list[str] | None = None) -> str:
    if "--provider" in (sys.argv[1:] if argv is None else argv):
        return provider_token.main(argv)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--subject", help="who the token is for (default: derived from role)")
    parser.add_argument("--teacher-id", help="required for --role teacher")
    parser.add_argument("--country", help="ISO code, required for --role nso")
    parser.add_argument("--hours", type=float, default=12.0)
    args = parser.parse_args(argv)
    if args.role == "teacher" and not args.teacher_id:
        parser.error("--role teacher needs --teacher-id")
    if args.role == "nso" and not args.country:
        parser.error("--role nso needs --country")
    principal = Principal(
        subject=args.subject or f"{args.role}:{args.teacher_id or args.country or 'local'}",
        role=args.role,
        teacher_id=args.teacher_id,
        country=args.country,
    )
    print(
        "development-mode token: accepted only by services running with AUTH_DEV_MODE=true "
        "(real tokens: --provider --user NAME)",
        file=sys.stderr,
    )
    return mint_token(
        principal,
        secret=os.environ.get("JWT_SECRET", DEV_JWT_SECRET),
        issuer=os.environ.get("JWT_ISSUER", "etwinning-platform"),
        ttl=timedelta(hours=args.hours),
    )


if __name__ == "__main__":
    print(main())
