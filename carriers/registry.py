"""The carriers trunkql can set up, built for one application. Adding a carrier is one adapter
module plus one line here."""

from dataclasses import dataclass

import aiohttp

from carriers.base import Carrier
from carriers.telnyx import TelnyxCarrier


@dataclass(frozen=True)
class CarrierSettings:
    telnyx_base_url: str
    request_timeout: float
    max_attempts: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 8.0


def build_carriers(session: aiohttp.ClientSession, settings: CarrierSettings) -> dict[str, Carrier]:
    """Adapters by carrier name; they share the application's one HTTP session."""
    return {
        TelnyxCarrier.name: TelnyxCarrier(
            session,
            settings.telnyx_base_url,
            request_timeout=settings.request_timeout,
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
        ),
    }
