"""``trunkql serve`` as shipped, plus the bench build's SQL statement counter.

``python -m bench.serve --port P`` runs exactly ``trunkql serve --port P`` (``server.cli.main``:
migrations, uvicorn, one worker, the product's settings from the environment), except that the app
factory uvicorn imports also mounts ``/_bench/sql`` (see ``bench.sql_count``). With one worker,
uvicorn serves in this very process, so the harness reads this process's memory.
"""

import sys

from starlette.applications import Starlette

import server.app
from bench.sql_count import add_sql_endpoint
from server.cli import main

_product_factory = server.app.create_app_from_env


def create_app_from_env() -> Starlette:
    return add_sql_endpoint(_product_factory())


if __name__ == "__main__":
    # cli.cmd_serve hands uvicorn "server.app:create_app_from_env"; uvicorn resolves it by
    # attribute, in this process, after this assignment.
    server.app.create_app_from_env = create_app_from_env
    sys.exit(main(["serve", *sys.argv[1:]]))
