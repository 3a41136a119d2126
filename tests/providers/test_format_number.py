"""Provider.formatNumber: the spec's number formatting with tech prefix and postfix."""

import pytest

from tests.factories import create_provider
from tests.graphql_client import GraphQLClient

FORMAT = "query($id: ID!, $n: String!) { provider(id: $id) { formatNumber(number: $n) } }"


@pytest.mark.parametrize(
    ("prefix", "postfix", "number", "dialed"),
    [
        ("", "", "+15551234567", "+15551234567"),
        ("1", "", "+15551234567", "1+15551234567"),  # spec: With Prefix "1"
        ("", "@provider.com", "+15551234567", "+15551234567@provider.com"),  # With Postfix
        ("1", "@provider.com", "+15551234567", "1+15551234567@provider.com"),  # With Both
        ("", "", "+1 (555) 123-4567", "+15551234567"),
        ("*67", "", "555.123.4567", "*675551234567"),
    ],
)
async def test_dialed_form(
    admin: GraphQLClient, prefix: str, postfix: str, number: str, dialed: str
) -> None:
    provider = await create_provider(admin, techPrefix=prefix, techPostfix=postfix)

    response = await admin.execute(FORMAT, {"id": provider["id"], "n": number})

    assert response.data["provider"]["formatNumber"] == dialed


@pytest.mark.parametrize("number", ["", "   ", "+1555CALLNOW", "1+555", "+1234567890123456"])
async def test_a_number_that_is_not_a_phone_number_is_refused(
    admin: GraphQLClient, number: str
) -> None:
    provider = await create_provider(admin)

    response = await admin.execute(FORMAT, {"id": provider["id"], "n": number})

    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["number"]
