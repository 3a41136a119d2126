"""Who may see secrets. Custom SIP header values often carry carrier auth tokens (spec: "use it for
provider-specific authentication tokens"), so only a PROJECT_SUPER_ADMIN sees them; everyone else
sees the header names with the values masked."""

from collections.abc import Mapping

from services.principals import Principal

MASK = "********"


def visible_tech_headers(headers: Mapping[str, str], principal: Principal) -> dict[str, str]:
    if principal.is_super_admin:
        return dict(headers)
    return dict.fromkeys(headers, MASK)
