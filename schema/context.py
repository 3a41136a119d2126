"""What every resolver gets as ``info.context``."""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from schema.routes.loaders import Loaders
from services.health import HealthEngine
from services.principals import Principal
from services.setup import ProviderSetup


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    principal: Principal
    request_id: str
    provider_setup: ProviderSetup
    health: HealthEngine
    loaders: Loaders  # this request's DataLoaders
    # A WebSocket's connection_init payload (where its token comes from); None over HTTP.
    connection_params: dict[str, object] | None = None


Info = StrawberryInfo[Context, None]
