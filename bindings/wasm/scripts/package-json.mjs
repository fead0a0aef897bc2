// Writes the package.json of a built package directory:
//   node scripts/package-json.mjs web|node VERSION DIR [main|exports]
// `main` (the default) is the ledger's package, `funding-window`; `exports` the exports module's,
// `funding-window-exports` (bindings/wasm-exports), which a page or a program loads only when it
// writes a file.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [target, version, dir, which = "main"] = process.argv.slice(2);
if (!["web", "node"].includes(target) || !version || !dir || !["main", "exports"].includes(which)) {
  console.error("usage: package-json.mjs web|node VERSION DIR [main|exports]");
  process.exit(2);
}
const base = which === "main" ? "funding_window" : "funding_window_exports";
const files = readdirSync(dir).filter((f) => f !== "package.json" && f !== ".gitignore").sort();
for (const needed of [`${base}.js`, `${base}.d.ts`, `${base}_bg.wasm`, "README.md"]) {
  if (!files.includes(needed)) {
    console.error(`package-json.mjs: ${dir} has no ${needed}`);
    process.exit(1);
  }
}
// No repository or homepage URL: the package names none it could not stand behind.
const common = {
  name: which === "main" ? "funding-window" : "funding-window-exports",
  version,
  description:
    which === "main"
      ? "UN-Habitat urban action funding window ledger (WebAssembly): exact money, JSON commands, typed reports"
      : "UN-Habitat urban action funding window ledger (WebAssembly): the books as CSV, IATI XML, hledger and Excel files",
  keywords: ["ledger", "accounting", "double-entry", "decimal", "un-habitat", "webassembly"],
  license: "Apache-2.0",
  files,
  types: `${base}.d.ts`,
  main: `${base}.js`,
};
const pkg =
  target === "web"
    ? {
        ...common,
        type: "module",
        module: `${base}.js`,
        exports: {
          ".": { types: `./${base}.d.ts`, default: `./${base}.js` },
          // The module fetches the .wasm next to itself; bundlers and Node (`initSync`) may need its path.
          [`./${base}_bg.wasm`]: `./${base}_bg.wasm`,
        },
        // Importing the module only defines functions; wasm-bindgen's snippets, if any, must stay.
        sideEffects: files.includes("snippets") ? ["./snippets/*"] : false,
      }
    : {
        ...common,
        exports: { ".": { types: `./${base}.d.ts`, default: `./${base}.js` } },
        engines: { node: ">=18" },
      };
writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
