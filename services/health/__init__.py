"""Provider health: SIP OPTIONS probes, the hysteresis rule, the monitor loop, transition events
and leadership across processes. ``engine.health_engine`` assembles them for an app."""

from services.health.engine import HealthEngine, health_engine
from services.health.events import HealthEvents, Subscription, Transition
from services.health.monitor import CheckResult, HealthMonitor, SweepReport
from services.health.settings import HealthSettings
from services.health.sip_options import ProbeResult, SipOptionsProber

__all__ = [
    "CheckResult",
    "HealthEngine",
    "HealthEvents",
    "HealthMonitor",
    "HealthSettings",
    "ProbeResult",
    "SipOptionsProber",
    "Subscription",
    "SweepReport",
    "Transition",
    "health_engine",
]
