"""The `portalql` command: migrate, demo, serve, token, mail, worker, apikey."""
import argparse
import asyncio
import os
import sys
from datetime import timedelta

from db.engine import Database
from db.migrate import upgrade
from server.database_check import DatabaseProblem, check_migrated, explain
from server.settings import Settings


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import socket  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415 - only the serving commands need it

    from server.workers import APP, UVICORN, listener, prepare_workers, run_workers  # noqa: PLC0415

    banner = (f"Portalql on http://{host}:{port}/graphql"
              + ("" if settings.production else " (GraphiQL: open it in a browser)"))
    if settings.portal:
        banner += f"\nThe customer portal: http://{host}:{port}/"
    prepare_workers(settings, workers)
    if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        return run_workers(host, port, workers, banner=banner)
    if workers > 1:
        print(banner, flush=True)
        uvicorn.run(APP, host=host, port=port, workers=workers, **UVICORN)
        return 0
    # Bound before saying where: a taken port is one line, and the line is printed only when true.
    try:
        sock = listener(host, port, shared=False)
    except OSError as e:
        print(f"cannot listen on {host}:{port}: {e.strerror}", file=sys.stderr)
        return 1
    print(banner, flush=True)
    server = uvicorn.Server(uvicorn.Config(APP, host=host, port=port, **UVICORN))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C after uvicorn's graceful stop, as uvicorn.run handles it
        pass
    return 0 if server.started else 3


async def _seed_demo(settings: Settings, scale: int) -> bool:
    from tqdm import tqdm  # noqa: PLC0415

    from server import demo_data  # noqa: PLC0415

    db = Database(settings.database_url)
    try:
        if not await demo_data.is_empty(db):
            print("database has data already: not seeding demo data")
            return False
        print(f"building demo data (scale {scale})", flush=True)
        rows = demo_data.build(demo_data.demo_now(), scale=scale)
        with tqdm(total=demo_data.total_rows(rows), unit="rows", desc="seeding") as bar:
            await demo_data.seed(db, rows, progress=bar.update)
        from integrations.storage_local import LocalDiskStorage  # noqa: PLC0415
        storage = LocalDiskStorage(settings.upload_dir)
        for key, (data, content_type) in demo_data.DEMO_FILES.items():  # the shared contract, the installer
            await storage.put(key, data, content_type)
        return True
    finally:
        await db.dispose()


async def _create_token(settings: Settings, email: str, hours: int) -> str:
    from db.repositories.users import user_by_email  # noqa: PLC0415
    from domain.auth import SCRIPT_SESSION, new_session  # noqa: PLC0415
    from domain.clock import SystemClock  # noqa: PLC0415

    db = Database(settings.database_url)
    try:
        async with db.transaction() as s:
            user = await user_by_email(s, email)
            if user is None:
                raise SystemExit(f"no user with email {email}")
            token, auth_session = new_session(user, SystemClock().now(), timedelta(hours=hours), method=SCRIPT_SESSION)
            s.add(auth_session)
        return token
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portalql", description="Self-hosted GraphQL customer portal API")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (DATABASE_URL, default SQLite portalql.db in "
                                   "the project's folder)")
    demo = sub.add_parser("demo", help="migrate, seed demo data when the database is empty, and serve")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--scale", type=int, default=1, help="N times more accounts and orders")
    demo.add_argument("--no-serve", action="store_true", help="seed only")
    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    persisted = sub.add_parser("persisted", help="register operations in PORTALQL_PERSISTED_QUERIES")
    persisted.add_argument("files", nargs="+", help=".graphql files, one operation document each")
    token = sub.add_parser("token", help="session tokens for ops and scripts")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="print a session token for a user")
    create.add_argument("--email", required=True)
    create.add_argument("--hours", type=int, default=12)
    from server import cli_identity  # noqa: PLC0415

    cli_identity.add_commands(sub)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command not in {"migrate", "demo", "persisted"}:
            asyncio.run(check_migrated(settings.database_url))
        return _run(parser, args, settings)
    except DatabaseProblem as e:
        print(e, file=sys.stderr)
        return 1
    except Exception as e:
        line = explain(e, settings.database_url)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        upgrade(settings.database_url)
        print("migrations applied")
    elif args.command == "demo":
        if args.scale < 1:
            parser.error("--scale must be at least 1")
        upgrade(settings.database_url)
        asyncio.run(_seed_demo(settings, args.scale))
        if not args.no_serve:
            from server.demo_data import LIST_PRICE_RATES, SELLER_ENV  # noqa: PLC0415
            # The served app reads its settings from the environment: the demo's EUR customers see
            # list prices in euros at the demo merchant's rate unless another is configured, and
            # its invoice PDFs name the demo merchant.
            os.environ.setdefault("PORTALQL_LIST_PRICE_RATES", LIST_PRICE_RATES)
            # The portal lists the demo users on its sign-in page, and emailed links (sign-in,
            # invoices, unsubscribe) point at this server.
            os.environ["PORTALQL_DEMO"] = "1"
            os.environ.setdefault("PORTALQL_FRONTEND_URL", f"http://{args.host}:{args.port}")
            os.environ.setdefault("PORTALQL_PUBLIC_URL", f"http://{args.host}:{args.port}")
            for name, value in SELLER_ENV.items():
                os.environ.setdefault(name, value)
            return _serve(settings, args.host, args.port)
    elif args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    elif args.command == "persisted":
        from server.persisted import register_files  # noqa: PLC0415
        register_files(settings.persisted_queries, args.files)
    elif args.command == "token":
        print(asyncio.run(_create_token(settings, args.email, args.hours)))
    elif args.command in {"mail", "apikey", "worker"}:
        from server import cli_identity  # noqa: PLC0415
        return asyncio.run(cli_identity.run(args, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
