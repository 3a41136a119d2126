// Opens trunkql's GraphiQL page in headless Chromium (Debian's, driven by playwright-core), puts
// the token in GraphiQL's Headers editor, runs a query with the Execute button and screenshots it.
//
// The page loads its scripts and styles from unpkg.com, which this network cannot reach: those
// requests are answered from ./node_modules, where package.json pins the exact versions the page
// asks for (their Subresource Integrity hashes must match, so nothing else would load). Any other
// request that leaves the server under test is aborted and reported.
//
// stdin: {"url", "token", "query", "expect", "screenshot", "userDataDir", "executablePath"}
// stdout: {"error", "resultText", "headersText", "graphqlStatuses", "served", "blocked",
//          "mismatched", "pageErrors"}; on a failed step, "error" says which, and the screenshot
//          shows where the page got to.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const input = JSON.parse(readFileSync(0, "utf8"));
const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules");
const CDN_HOSTS = new Set(["unpkg.com", "cdn.jsdelivr.net"]);
const CONTENT_TYPES = { ".js": "application/javascript", ".css": "text/css", ".map": "application/json" };

const report = {
  error: null,
  resultText: null,
  headersText: null,
  graphqlStatuses: [],
  served: [],
  blocked: [],
  mismatched: [],
  pageErrors: [],
};

// https://unpkg.com/<name>@<version>/<file> (jsdelivr: /npm/<name>@<version>/<file>), name maybe
// scoped; the local file if that exact version is installed.
function localAsset(url) {
  const match = url.pathname
    .replace(/^\/npm\//, "/")
    .match(/^\/((?:@[^/]+\/)?[^/@]+)@([^/]+)\/(.+)$/);
  if (!match) return null;
  const [, name, version, file] = match;
  const manifest = path.join(modules, name, "package.json");
  if (!existsSync(manifest)) return null;
  const installed = JSON.parse(readFileSync(manifest, "utf8")).version;
  if (installed !== version) {
    report.mismatched.push(`${name}@${version} (installed: ${installed})`);
    return null;
  }
  const local = path.join(modules, name, file);
  return existsSync(local) ? local : null;
}

const origin = new URL(input.url).origin;
const context = await chromium.launchPersistentContext(input.userDataDir, {
  executablePath: input.executablePath,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1400, height: 900 },
});
try {
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    const local = CDN_HOSTS.has(url.hostname) ? localAsset(url) : null;
    if (local === null) {
      report.blocked.push(url.href);
      return route.abort();
    }
    report.served.push(url.href);
    return route.fulfill({
      status: 200,
      path: local,
      headers: {
        "content-type": CONTENT_TYPES[path.extname(local)] ?? "application/octet-stream",
        "access-control-allow-origin": "*", // the page loads them with crossorigin + integrity
      },
    });
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => report.pageErrors.push(String(error)));
  page.on("response", (response) => {
    const request = response.request();
    if (request.method() === "POST" && new URL(request.url()).pathname === "/graphql") {
      report.graphqlStatuses.push(response.status());
    }
  });
  try {
    await runQuery(page);
  } catch (error) {
    report.error = String(error);
  }
  await page.screenshot({ path: input.screenshot, fullPage: true });
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(report));

async function runQuery(page) {
  // Strawberry's page takes the editors' initial contents from the URL (q, headers): the token
  // goes into GraphiQL's Headers editor, as a person pastes it there.
  const headers = JSON.stringify({ Authorization: `Bearer ${input.token}` });
  // (encodeURIComponent, not URLSearchParams: the page decodes with decodeURIComponent, which
  // leaves a "+" a "+".)
  const params = `q=${encodeURIComponent(input.query)}&headers=${encodeURIComponent(headers)}`;
  await page.goto(`${input.url}?${params}`, { waitUntil: "load" });

  await page.getByRole("button", { name: "Headers" }).click();
  const headersEditor = page.locator(".graphiql-editor-tool .graphiql-editor").last();
  await headersEditor.getByText("Authorization").waitFor({ state: "visible", timeout: 15000 });
  report.headersText = await headersEditor.innerText();

  await page.locator(".graphiql-execute-button").click();
  const result = page.locator(".result-window");
  await result.getByText(input.expect).first().waitFor({ state: "visible", timeout: 15000 });
  report.resultText = await result.innerText();
}
