// Composes subgraphs with Apollo's own composition library, as a federation router's tooling does.
// stdin: [{"name": "...", "url": "...", "sdl": "..."}, ...]
// stdout: {"errors": [{"code", "message"}], "hints": [...], "supergraphSdl": "..." | null}
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const subgraphs = JSON.parse(readFileSync(0, "utf8"));
let result;
try {
  result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
} catch (error) {
  // A subgraph that is not even GraphQL: reported like any composition error.
  result = { errors: [error] };
}
const out = {
  errors: (result.errors ?? []).map((e) => ({
    code: e.extensions?.code ?? null,
    message: e.message,
  })),
  hints: (result.hints ?? []).map((h) => h.toString()),
  supergraphSdl: result.supergraphSdl ?? null,
};
process.stdout.write(JSON.stringify(out));
