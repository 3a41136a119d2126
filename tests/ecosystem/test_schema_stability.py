"""Schema stability: a breaking change to the GraphQL API must be intended, and say so.

The current SDL is compared with the previous committed version of schema.graphql by GraphQL
Inspector (``@graphql-inspector/core`` from npm). The previous version is the one in the most recent
commit whose schema.graphql differs from the working tree's (so an uncommitted change is compared
with HEAD, and a committed one with the version before it); where there is none, the committed
file itself. Each change Inspector classifies as BREAKING fails the test unless CHANGELOG.md marks
it as intended with a line

    - BREAKING: <Inspector's message, exactly> [— why, and what clients do about it]

under ``## Unreleased`` or, once released, under the newest version's heading. The failure message
lists the lines to add.
"""

import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ObjectTypeDefinitionNode,
    OperationType,
    build_schema,
    parse,
    print_ast,
)

from schema.schema import schema_sdl
from tests.ecosystem.conftest import run_node

SCHEMA_FILE = "schema.graphql"
BREAKING_LINE = re.compile(r"^\s*(?:[-*]\s+)?BREAKING:\s*(?P<change>.+?)\s*$")


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A read-only git command in ``repo``."""
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=False, timeout=30
    )


def previous_schema(repo: Path) -> tuple[str, str]:
    """(commit, SDL) of the previous committed schema.graphql: from the most recent commit whose
    version differs from the working tree's; else the committed file itself (HEAD)."""
    if git(repo, "rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("not a git checkout: there is no committed schema to compare with")
    working = (repo / SCHEMA_FILE).read_text(encoding="utf-8")
    history = git(repo, "log", "--format=%H", "--", SCHEMA_FILE).stdout.split()
    for commit in history:
        shown = git(repo, "show", f"{commit}:{SCHEMA_FILE}")
        if shown.returncode == 0 and shown.stdout != working:
            return commit, shown.stdout
    head = git(repo, "show", f"HEAD:{SCHEMA_FILE}")
    if head.returncode != 0:
        pytest.skip(f"{SCHEMA_FILE} has never been committed")
    return "HEAD", head.stdout


def schema_changes(tools: Path, old: str, new: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = run_node(tools, "schema_diff.mjs", {"old": old, "new": new})
    return changes


def acknowledged(changelog: str) -> list[str]:
    """The changes marked ``BREAKING:`` under Unreleased and the newest released version."""
    sections: list[tuple[str, list[str]]] = []
    for line in changelog.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    counted = sections[:2] if sections and sections[0][0].lower() == "unreleased" else sections[:1]
    return [
        match["change"].replace("`", "")
        for _, lines in counted
        for line in lines
        if (match := BREAKING_LINE.match(line))
    ]


def unacknowledged(changes: list[dict[str, Any]], changelog: str) -> list[str]:
    """Messages of the breaking changes that no ``BREAKING:`` line in ``changelog`` names."""
    marked = acknowledged(changelog)
    return [
        change["message"]
        for change in changes
        if change["criticality"] == "BREAKING"
        and not any(m == change["message"] or m.startswith(change["message"] + " ") for m in marked)
    ]


def test_no_breaking_change_since_the_previous_schema_unless_intended(
    node_tools: Path, repo_root: Path
) -> None:
    commit, previous = previous_schema(repo_root)
    changes = schema_changes(node_tools, previous, schema_sdl())
    changelog = (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")

    missing = unacknowledged(changes, changelog)

    assert not missing, (
        f"breaking schema changes since {commit[:12]}; if intended, add to CHANGELOG.md under "
        "## Unreleased:\n" + "\n".join(f"- BREAKING: {message}" for message in missing)
    )


def _without_field(sdl: str, type_name: str, field: str) -> str:
    document = parse(sdl)
    definitions = [
        replace(d, fields=tuple(f for f in d.fields or () if f.name.value != field))
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == type_name
        else d
        for d in document.definitions
    ]
    return print_ast(DocumentNode(definitions=tuple(definitions)))


CHANGELOG_WITH = """# Changelog

## Unreleased

- BREAKING: Field 'detail' was removed from object type 'Provider' — use metadata instead.

## 0.1.0
"""
CHANGELOG_OLDER = """# Changelog

## Unreleased

## 0.2.0

## 0.1.0

- BREAKING: Field 'detail' was removed from object type 'Provider'
"""


def test_a_removed_field_is_breaking_until_the_changelog_says_so(
    node_tools: Path, repo_root: Path
) -> None:
    current = (repo_root / SCHEMA_FILE).read_text(encoding="utf-8")
    changes = schema_changes(node_tools, current, _without_field(current, "Provider", "detail"))

    breaking = [c["message"] for c in changes if c["criticality"] == "BREAKING"]
    assert breaking == ["Field 'detail' was removed from object type 'Provider'"]
    assert unacknowledged(changes, "# Changelog\n\n## Unreleased\n") == breaking
    assert unacknowledged(changes, CHANGELOG_WITH) == []
    assert unacknowledged(changes, CHANGELOG_WITH.replace("## Unreleased", "## 0.2.0")) == []
    assert unacknowledged(changes, CHANGELOG_OLDER) == breaking  # too old to count


def test_an_added_field_is_not_breaking(node_tools: Path, repo_root: Path) -> None:
    current = (repo_root / SCHEMA_FILE).read_text(encoding="utf-8")
    changes = schema_changes(node_tools, _without_field(current, "Provider", "detail"), current)

    assert [c["criticality"] for c in changes] == ["NON_BREAKING"]
    assert unacknowledged(changes, "") == []


def test_the_changelog_names_every_operation(repo_root: Path) -> None:
    """CHANGELOG.md lists the API: every query, mutation and subscription field is named in it."""
    schema = build_schema(schema_sdl())
    changelog = (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")
    operations = {
        f"{operation.value}.{name}"
        for operation in OperationType
        if (root := schema.get_root_type(operation)) is not None
        for name in root.fields
    }

    missing = sorted(o for o in operations if f"`{o.split('.')[1]}" not in changelog)
    assert len(operations) >= 15
    assert not missing, f"CHANGELOG.md does not mention: {', '.join(missing)}"
