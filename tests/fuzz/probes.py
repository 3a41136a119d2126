"""Keeping the fuzzers' traffic on this machine.

``checkProviderHealth`` sends a SIP OPTIONS probe to the provider's hostname (resolving it first
if it is a DNS name). The fuzzers change hostnames to whatever they generate, so before they send a
request that may probe, they look the target provider up and send it only if its hostname is a
loopback address literal; otherwise the example is rejected. (The background health monitor is
switched off in the fuzzed server: ``TRUNKQL_HEALTH_CHECK_ENABLED=false``.)
"""

import ipaddress
from typing import Any

import graphql
import httpx

PROBING_FIELDS = frozenset({"checkProviderHealth"})
UNKNOWN_TARGET = object()


def is_loopback_hostname(hostname: str) -> bool:
    """``127.x.x.x`` or ``[::1]``, with or without a port; never a DNS name."""
    host = hostname[1 : hostname.find("]")] if hostname.startswith("[") else hostname
    if not hostname.startswith("["):
        host = host.partition(":")[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _probe_targets(document: str, variables: dict[str, Any] | None) -> list[object] | None:
    """The ids the document's probing fields would probe, or None if it surely probes nothing.
    A document that does not parse never runs; one that names a probing field anywhere but in a
    top-level field (in a fragment, say) is treated as probing an unknown target."""
    if not any(name in document for name in PROBING_FIELDS):
        return None
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return None
    targets: list[object] = []
    for definition in parsed.definitions:
        if not isinstance(definition, graphql.OperationDefinitionNode):
            continue
        for selection in definition.selection_set.selections:
            if isinstance(selection, graphql.FieldNode) and selection.name.value in PROBING_FIELDS:
                for argument in selection.arguments or ():
                    value = graphql.value_from_ast_untyped(argument.value, variables or {})
                    targets.append(value.get("id") if isinstance(value, dict) else value)
    return targets or [UNKNOWN_TARGET]


def may_probe_off_machine(
    client: httpx.Client, headers: dict[str, str], document: str, variables: Any = None
) -> bool:
    """Whether sending this request could make the server probe a host that is not loopback."""
    targets = _probe_targets(document, variables if isinstance(variables, dict) else None)
    if targets is None:
        return False
    for target in targets:
        if target is UNKNOWN_TARGET:
            return True
        if not isinstance(target, str):
            continue  # not an id: refused before any probe
        reply = client.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { provider(id: $id) { hostname } }",
                "variables": {"id": target},
            },
            headers=headers,
        )
        provider = ((reply.json().get("data") or {}).get("provider")) if reply.is_success else None
        if provider is not None and not is_loopback_hostname(provider["hostname"]):
            return True
    return False
