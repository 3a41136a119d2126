"""RFC 3261 section 25.1 grammar for the parts trunkql writes into a Request-URI: an oracle
independent of ``services.validation``."""

import ipaddress
import re

_ALPHANUM = "[A-Za-z0-9]"
_DOMAINLABEL = rf"{_ALPHANUM}(?:[A-Za-z0-9-]*{_ALPHANUM})?"
# toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum
_TOPLABEL = rf"[A-Za-z](?:[A-Za-z0-9-]*{_ALPHANUM})?"
_HOSTNAME = rf"(?:{_DOMAINLABEL}\.)*{_TOPLABEL}\.?"
_IPV4 = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
_USER = r"(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+"
_HOSTPORT = re.compile(r"(?P<host>[^:\[\]]+|\[[^\]]+\])(?::[0-9]+)?")
_SIP_URI = re.compile(rf"sip:(?P<user>{_USER})@(?P<hostport>.+)")


def host_ok(host: str) -> bool:
    """``host`` of RFC 3261: hostname, IPv4address or IPv6reference."""
    if host.startswith("["):
        if not host.endswith("]"):
            return False
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return bool(re.fullmatch(_HOSTNAME, host) or re.fullmatch(_IPV4, host))


def hostport_ok(hostport: str) -> bool:
    match = _HOSTPORT.fullmatch(hostport)
    return match is not None and host_ok(match.group("host"))


def sip_uri_ok(uri: str) -> bool:
    """``sip:user@hostport``, as the dial plan writes it (no parameters or headers)."""
    match = _SIP_URI.fullmatch(uri)
    return match is not None and hostport_ok(match.group("hostport"))
