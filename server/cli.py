"""The ``trunkql`` command: serve, migrate, export-schema, token."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from server.logging_setup import configure_logging
from server.settings import Settings, SettingsError

log = logging.getLogger("trunkql")


def _migrate(settings: Settings) -> None:
    from server.migrate import apply_migrations

    applied = asyncio.run(apply_migrations(settings.database_url))
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    else:
        log.info("database schema is up to date")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.secrets import load_keys

    keys = load_keys(settings)
    if keys.generated_in is not None:
        log.warning(
            "no TRUNKQL_JWT_SECRET/TRUNKQL_SECRET_KEY set: generated keys and kept them in %s "
            "(mode 0600). Mint an access token with: trunkql token --role PROJECT_SUPER_ADMIN",
            keys.generated_in,
        )
    if settings.migrate_on_start and not args.no_migrate:
        _migrate(settings)
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    log.info("serving GraphQL on http://%s:%s/graphql", host, port)
    uvicorn.run(
        "server.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        # Our own access log (server.request_id) leaves out query strings, which may hold secrets.
        access_log=False,
        proxy_headers=False,
        # On SIGTERM: stop accepting, let in-flight requests finish for this long, then close the
        # database and carrier sessions (the app's lifespan) and exit.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        # uvicorn's own loggers go through ours (JSON lines), in every worker process.
        log_config=None,
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _migrate(settings)
    return 0


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema.schema import schema_sdl

    sdl = schema_sdl(federation=args.federation)
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from server.auth import mint_token, token_policy
    from server.secrets import load_keys
    from services.principals import Role

    if settings.jwt_algorithm != "HS256":
        sys.stderr.write(
            f"trunkql: with TRUNKQL_JWT_ALGORITHM={settings.jwt_algorithm} tokens come from your "
            "issuer; trunkql mints HS256 tokens only\n"
        )
        return 2
    ttl = args.ttl if args.ttl is not None else settings.token_ttl_seconds
    if not 60 <= ttl <= settings.token_max_ttl_seconds:
        sys.stderr.write(
            f"trunkql: --ttl must be between 60 and {settings.token_max_ttl_seconds} seconds "
            "(TRUNKQL_TOKEN_MAX_TTL_SECONDS)\n"
        )
        return 2
    keys = load_keys(settings)
    roles = [Role(r) for r in args.role]
    token = mint_token(keys.jwt_secret, args.subject, roles, ttl, token_policy(settings))
    sys.stdout.write(token + "\n")
    return 0


def cmd_fake_telnyx(args: argparse.Namespace, settings: Settings) -> int:
    from carriers.fake_telnyx import run_fake_telnyx

    forbidden: dict[str, list[str]] = {}
    for spec in args.forbidden_key or []:
        key, _, endpoints = spec.partition("=")
        if not key or not endpoints:
            sys.stderr.write("trunkql: --forbidden-key takes KEY=endpoint[,endpoint]\n")
            return 2
        forbidden[key] = endpoints.split(",")
    run_fake_telnyx(args.host, args.port, valid_keys=args.valid_key, forbidden_keys=forbidden)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trunkql",
        description="GraphQL API server for SIP trunk providers. Settings come from TRUNKQL_* "
        "environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve /graphql (migrates the database first)")
    serve.add_argument("--host", help="bind address (default TRUNKQL_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default TRUNKQL_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--no-migrate", action="store_true", help="do not apply pending migrations at start-up"
    )
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations and exit")
    migrate.set_defaults(handler=cmd_migrate)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", "-o", help="write to this file instead of standard output")
    export.add_argument(
        "--federation",
        action="store_true",
        help="print the Apollo Federation 2 subgraph SDL (@link, @key on Provider and Route) "
        "that TRUNKQL_FEDERATION=true serves as _service { sdl }",
    )
    export.set_defaults(handler=cmd_export_schema)

    token = commands.add_parser(
        "token", help="mint an access token signed with the configured secret"
    )
    token.add_argument(
        "--role",
        action="append",
        required=True,
        choices=["PROJECT_SUPER_ADMIN", "PROJECT_VIEWER"],
        help="role to grant (repeatable)",
    )
    token.add_argument("--subject", default="admin", help="who the token is for (default admin)")
    token.add_argument(
        "--ttl", type=int, help="lifetime in seconds (default TRUNKQL_TOKEN_TTL_SECONDS or 3600)"
    )
    token.set_defaults(handler=cmd_token)

    fake = commands.add_parser(
        "fake-telnyx",
        help="serve a fake Telnyx API on loopback, for local development and tests",
        description="A fake of the Telnyx v2 endpoints trunkql uses, with fault injection under "
        "/_fake/. Point TRUNKQL_TELNYX_BASE_URL at the URL it prints.",
    )
    fake.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    fake.add_argument("--port", type=int, default=8089, help="port (default 8089)")
    fake.add_argument(
        "--valid-key", action="append", required=True, help="an API key it accepts (repeatable)"
    )
    fake.add_argument(
        "--forbidden-key",
        action="append",
        metavar="KEY=ENDPOINTS",
        help="a key that authenticates but gets 403 on these endpoints, e.g. "
        "KEY=credential_connections (repeatable)",
    )
    fake.set_defaults(handler=cmd_fake_telnyx)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.stderr.write(f"trunkql: {exc}\n")
        return 2
    configure_logging(settings.log_level, settings.log_format)
    handler = args.handler
    result: int = handler(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
