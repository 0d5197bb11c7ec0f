"""`etwinning`: the operators' command line. `etwinning --help` lists the commands."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import httpx

from shared.settings import DEV_JWT_SECRET
from tools import dlq, error_catalog, jobs, mint_token, provider_token, publish, seed, trace
from tools.demo_story import ProviderTokens, Tokens, TokenSource
from tools.progress import Progress

# The platform `make run` starts: its vhost is `etwinning`, as under docker compose.
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/etwinning"
SERVICES = ("registration", "projects", "awards", "notifications")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="etwinning", description=__doc__)
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", DEFAULT_AMQP_URL),
        help="RabbitMQ URL (default: $AMQP_URL, or the vhost etwinning of the local broker)",
    )  # fmt: skip
    parser.add_argument(
        "--no-progress", action="store_true",
        help="no progress on stderr (by default a bar on a terminal, otherwise a line every "
        "few seconds of long work)",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dlq_parser = commands.add_parser(
        "dlq", help="inspect and redrive dead-lettered messages", description=dlq.__doc__
    )
    dlq_commands = dlq_parser.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    for name, help_text in (
        ("list", "one line per dead letter: id, type, reason, original routing key"),
        ("show", "everything about the dead letters, body included"),
        ("redrive", "move dead letters back to the service's queue (idempotent)"),
    ):
        sub = dlq_commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("service", choices=SERVICES)
        sub.add_argument(
            "--limit", type=int, default=None if name == "redrive" else 50,
            help="at most this many (default: all)" if name == "redrive" else "default: 50",
        )  # fmt: skip
        if name in ("show", "redrive"):
            sub.add_argument("--message-id", help="only this message")

    commands.add_parser(
        "token",
        help="mint a development-mode token, or fetch a real one with --provider "
        "(etwinning token --help, etwinning token --provider --help)",
        add_help=False,
    )

    trace_parser = commands.add_parser(
        "trace", help="timeline of one flow: a correlation id, project id or teacher id",
        description=trace.__doc__,
    )  # fmt: skip
    trace_parser.add_argument("key", help="a correlation id, project id or teacher id")
    trace_parser.add_argument(
        "--mongodb-url", default=os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017/"),
        help="default: $MONGODB_URL or the local server",
    )  # fmt: skip
    trace_parser.add_argument(
        "--database-template", default="etw_{service}", help="default: etw_{service}"
    )

    publish_parser = commands.add_parser(
        "publish", help="validate an event file and publish it as an external system would",
        description=publish.__doc__,
    )  # fmt: skip
    publish_parser.add_argument("--file", type=Path, required=True, help="an event envelope")

    jobs_parser = commands.add_parser(
        "jobs", help="long work of a service (the EQL round, the School Label run)",
        description=jobs.__doc__,
    )  # fmt: skip
    jobs_parser.add_argument(
        "--base-url", default=os.environ.get("AWARDS_URL", jobs.DEFAULT_BASE_URL),
        help=f"the service running the jobs (default: $AWARDS_URL or {jobs.DEFAULT_BASE_URL})",
    )  # fmt: skip
    jobs_commands = jobs_parser.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    jobs_list = jobs_commands.add_parser("list", help="one line per job, newest first")
    jobs_list.add_argument("--status", choices=("queued", "running", "succeeded", "failed",
                                                "cancelled"))  # fmt: skip
    jobs_list.add_argument("--limit", type=int, default=50)
    for name, help_text in (
        ("show", "the job as JSON: status, progress, result or error"),
        ("watch", "follow the job: progress bar, rate, time left; exit 0 if it succeeded"),
    ):
        jobs_commands.add_parser(name, help=help_text).add_argument("job_id")
    errors_parser = commands.add_parser(
        "errors", help="the error codes of the HTTP APIs (docs/errors.md), or one of them",
        description=error_catalog.__doc__,
    )  # fmt: skip
    errors_parser.add_argument("code", nargs="?", help="show this code only, with its meaning")

    seed_parser = commands.add_parser(
        "seed", help="load example data into a running platform", description=seed.__doc__
    )
    seed_commands = seed_parser.add_subparsers(dest="seed_command", required=True, metavar="DATA")
    demo = seed_commands.add_parser(
        "demo", help="the NETWORK story of `make demo`", description=seed.__doc__
    )
    demo.add_argument(
        "--host", default="127.0.0.1",
        help="where the services listen on their usual ports 8001-8004 (default: 127.0.0.1)",
    )  # fmt: skip
    for service in seed.SERVICES:
        demo.add_argument(
            f"--base-url-{service}", metavar="URL",
            help=f"{service}'s base URL (default: http://HOST:{seed.DEFAULT_PORTS[service]})",
        )  # fmt: skip
    demo.add_argument("--tag", default="", help="load another copy: e-mails get +TAG")
    demo.add_argument(
        "--provider", action="store_true",
        help="the story's people log in at $OIDC_ISSUER with the password $OIDC_PASSWORD "
        "(Keycloak's demo users, deploy/keycloak/); default: development tokens",
    )  # fmt: skip
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each effect")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "token":
        print(mint_token.main(rest))
        return 0
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "trace":
        return asyncio.run(_trace(args))
    if args.command == "jobs":
        return asyncio.run(_jobs(args))
    if (problem := publish.amqp_url_problem(args.amqp_url)) is not None:
        print(f"etwinning: {problem}", file=sys.stderr)
        return 2
    if args.command == "publish":
        return asyncio.run(_publish(args))
    if args.command == "seed":
        return asyncio.run(_seed(args))
    if args.command == "errors":
        return error_catalog.print_catalog(args.code)
    return asyncio.run(_dlq(args))


async def _trace(args: argparse.Namespace) -> int:
    events = await trace.trace(args.mongodb_url, args.key, args.database_template)
    for event in events:
        print(event.line())
    print(f"{len(events)} event(s)", file=sys.stderr)
    return 0 if events else 1


async def _jobs(args: argparse.Namespace) -> int:
    async with httpx.AsyncClient(base_url=args.base_url, timeout=30.0) as client:
        if args.jobs_command == "list":
            for job in await jobs.list_jobs(client, args.status, args.limit):
                print(jobs.line(job))
            return 0
        if args.jobs_command == "show":
            print(jobs.dumps(await jobs.show_job(client, args.job_id)))
            return 0
        with Progress("job", enabled=not args.no_progress, show_rate=True) as progress:
            job = await jobs.watch_job(client, args.job_id, progress)
    print(jobs.line(job))
    if job.get("error"):
        print(job["error"], file=sys.stderr)
    return 0 if job["status"] == "succeeded" else 1


async def _publish(args: argparse.Namespace) -> int:
    try:
        envelope = publish.load_event(args.file)
    except publish.InvalidEvent as error:
        print(f"not published: {error}", file=sys.stderr)
        return 2
    try:
        await publish.publish(args.amqp_url, envelope)
    except publish.NotPublished as error:
        print(f"not published: {error}", file=sys.stderr)
        return 1
    print(f"published {envelope.event_type} {envelope.event_id}", file=sys.stderr)
    return 0


async def _seed(args: argparse.Namespace) -> int:
    overrides = {s: getattr(args, f"base_url_{s}") for s in seed.SERVICES}
    urls = seed.base_urls(args.host, overrides)
    tokens: TokenSource = Tokens(
        os.environ.get("JWT_SECRET", DEV_JWT_SECRET),
        os.environ.get("JWT_ISSUER", "etwinning-platform"),
    )
    if args.provider:
        issuer = os.environ.get("OIDC_ISSUER")
        if not issuer:
            print("--provider needs OIDC_ISSUER (and OIDC_PASSWORD)", file=sys.stderr)
            return 2
        tokens = ProviderTokens(provider_token.password_login(issuer))
    with Progress("demo story", seed.STORY_STEPS, enabled=not args.no_progress) as progress:
        outcome = await seed.run(
            urls, tokens, tag=args.tag, wait_seconds=args.timeout, progress=progress.update
        )
    for line in outcome.lines:
        print(line)
    return outcome.exit_code


async def _dlq(args: argparse.Namespace) -> int:
    if args.dlq_command == "redrive":
        with Progress("redrive", enabled=not args.no_progress) as progress:
            moved = await dlq.redrive(
                args.amqp_url, args.service, limit=args.limit, message_id=args.message_id,
                progress=progress.update,
            )  # fmt: skip
        print(f"redrove {moved} message(s) to {args.service}.events", file=sys.stderr)
        return 0
    with Progress("dead letters read", enabled=not args.no_progress) as progress:
        letters = await dlq.peek(args.amqp_url, args.service, args.limit, progress=progress.update)
    if args.dlq_command == "list":
        for letter in letters:
            print(
                f"{letter.message_id}  {letter.event_type or '-'}  {letter.reason}  "
                f"{letter.original_routing_key or '-'}  {letter.failed_at or '-'}"
            )
        print(f"{len(letters)} dead letter(s) shown", file=sys.stderr)
        return 0
    for letter in letters:
        if args.message_id and letter.message_id != args.message_id:
            continue
        shown = {**vars(letter), "body": letter.body.decode("utf-8", "replace")}
        print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
