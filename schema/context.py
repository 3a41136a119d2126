"""What every resolver gets as ``info.context``."""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from schema.routes.loaders import Loaders
from services.principals import Principal
from services.setup import ProviderSetup


@dataclass
class Context:
    request: Request
    response: Response
    principal: Principal
    request_id: str
    provider_setup: ProviderSetup
    loaders: Loaders  # this request's DataLoaders


Info = StrawberryInfo[Context, None]
