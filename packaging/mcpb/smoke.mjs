// Starts the extension's server the way Claude Desktop does and talks to it:
// the manifest's mcp_config with ${__dirname} and ${user_config.*} filled in
// by the mcpb package's own getMcpConfigForManifest (the code Claude Desktop
// loads bundles with), then an MCP session over stdio with the TypeScript
// SDK. Run by .ci/packaging.sh:
//
//   node packaging/mcpb/smoke.mjs ./openphone-mcp
//
// Checks: installed with nothing entered, it serves the demo (the manifest's
// tools, answers marked as the demo's); with Demo off and no key it stops
// with the sentence naming OPENPHONE_API_KEY; a key entered reaches the
// server as OPENPHONE_API_KEY and nowhere in its arguments.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import assert from "node:assert/strict";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const fromE2E = createRequire(join(root, "e2e", "package.json"));
const load = async (name) => import(pathToFileURL(fromE2E.resolve(name)).href);
const { getMcpConfigForManifest } = await load("@anthropic-ai/mcpb");
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await load("@modelcontextprotocol/sdk/client/stdio.js");

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node packaging/mcpb/smoke.mjs <openphone-mcp binary>");
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(root, "packaging/mcpb/manifest.json"), "utf8"));

// An unpacked bundle: the binary where the manifest's entry_point says.
const extension = mkdtempSync(join(tmpdir(), "openphone-mcpb-"));
mkdirSync(join(extension, "server"));
copyFileSync(resolve(binary), join(extension, manifest.server.entry_point));
// Nothing of the server may reach the network, nor the user's cache.
const quiet = { OPENPHONE_BASE_URL: "http://127.0.0.1:9", OPENPHONE_LEDGER: "off" };

const configFor = (userConfig) =>
  getMcpConfigForManifest({ manifest, extensionPath: extension, systemDirs: {}, userConfig, pathSeparator: sep });

let failed = false;
async function check(name, fn) {
  try {
    await fn();
    console.log(`mcpb smoke: ${name}: ok`);
  } catch (err) {
    failed = true;
    console.error(`mcpb smoke: ${name}: FAILED\n${err?.stack ?? err}`);
  }
}

await check("nothing entered: the demo, with the manifest's tools", async () => {
  const config = await configFor({});
  assert.ok(config, "no mcp_config: a required setting is missing");
  assert.equal(config.env.OPENPHONE_API_KEY, "", "an unset key must reach the server empty, not as its placeholder");
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args,
    env: { ...process.env, ...quiet, ...config.env },
    stderr: "pipe",
  });
  const client = new Client({ name: "mcpb-smoke", version: "1" });
  await client.connect(transport);
  try {
    assert.equal(client.getServerVersion()?.name, "openphone-mcp");
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), manifest.tools.map((t) => t.name).sort());
    const result = await client.callTool({ name: "list_phone_numbers", arguments: {} });
    const text = result.content.map((c) => c.text ?? "").join("");
    assert.ok(!result.isError, `list_phone_numbers failed: ${text}`);
    assert.match(text, /Demo workspace/, "the answer does not say it comes from the demo");
  } finally {
    await client.close();
  }
});

await check("Demo off and no key: stops with a sentence naming OPENPHONE_API_KEY", async () => {
  const config = await configFor({ demo: false });
  const run = spawnSync(config.command, config.args, {
    env: { ...process.env, ...quiet, ...config.env },
    input: "",
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(run.status, 2, `exit status ${run.status}, stderr: ${run.stderr}`);
  assert.match(run.stderr, /OPENPHONE_API_KEY is not set/);
});

await check("a key entered: in the environment only", async () => {
  const key = "smoke-test-key-not-real";
  const config = await configFor({ demo: false, api_key: key });
  assert.equal(config.env.OPENPHONE_API_KEY, key);
  assert.deepEqual(config.args, ["--demo=false"]);
  assert.ok(!JSON.stringify([config.command, config.args]).includes(key), "the key is on the command line");
});

rmSync(extension, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
