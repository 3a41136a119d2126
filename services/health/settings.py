"""Settings of the health monitor, checked once at construction."""

from dataclasses import dataclass


@dataclass(frozen=True)
class HealthSettings:
    enabled: bool = True
    # Seconds between sweep starts; each wait is moved by up to ±jitter of it, so processes (and
    # carriers seeing several trunkql installations) are not hit in lockstep.
    interval: float = 30.0
    jitter: float = 0.1
    timeout: float = 5.0
    unhealthy_after: int = 3
    healthy_after: int = 2
    # Probes in flight at once during a sweep.
    concurrency: int = 200
    reachable_2xx_only: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.interval > 0:
            problems.append(f"interval must be positive, got {self.interval}")
        if not 0 <= self.jitter < 1:
            problems.append(f"jitter must be a fraction in [0, 1), got {self.jitter}")
        if not self.timeout > 0:
            problems.append(f"timeout must be positive, got {self.timeout}")
        if self.unhealthy_after < 1 or self.healthy_after < 1:
            problems.append("unhealthy_after and healthy_after must be at least 1")
        if self.concurrency < 1:
            problems.append(f"concurrency must be at least 1, got {self.concurrency}")
        if problems:
            raise ValueError("; ".join(problems))
