// Lists the changes between two schemas with GraphQL Inspector, each with its criticality.
// stdin: {"old": "<SDL>", "new": "<SDL>"}
// stdout: [{"type", "message", "path", "criticality": "BREAKING"|"DANGEROUS"|"NON_BREAKING", "reason"}]
import { readFileSync } from "node:fs";
import { diff } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

const { old, new: current } = JSON.parse(readFileSync(0, "utf8"));
const changes = await diff(buildSchema(old), buildSchema(current));
process.stdout.write(
  JSON.stringify(
    changes.map((c) => ({
      type: c.type,
      message: c.message,
      path: c.path ?? null,
      criticality: c.criticality.level,
      reason: c.criticality.reason ?? null,
    })),
  ),
);
