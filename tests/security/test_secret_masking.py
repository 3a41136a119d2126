"""Custom SIP header values may carry carrier tokens: only a super admin reads them."""

from tests.factories import create_provider
from tests.graphql_client import GraphQLClient
from tests.security.conftest import HEADER_SECRET

HEADERS = {"X-Carrier-Token": HEADER_SECRET, "X-Route": "eu"}
READ = """query($id: ID!) {
  provider(id: $id) { techHeaders }
  providers { edges { node { techHeaders } } }
}"""


async def test_a_viewer_sees_header_names_with_masked_values(
    admin: GraphQLClient, viewer: GraphQLClient
) -> None:
    created = await create_provider(admin, techHeaders=HEADERS)

    response = await viewer.execute(READ, {"id": created["id"]})

    masked = {"X-Carrier-Token": "********", "X-Route": "********"}
    assert response.data["provider"]["techHeaders"] == masked
    assert response.data["providers"]["edges"][0]["node"]["techHeaders"] == masked
    assert HEADER_SECRET not in str(response.body)


async def test_a_super_admin_sees_the_values(admin: GraphQLClient) -> None:
    created = await create_provider(admin, techHeaders=HEADERS)

    response = await admin.execute(READ, {"id": created["id"]})

    assert response.data["provider"]["techHeaders"] == HEADERS
