// Writes the package.json of a built package directory: node scripts/package-json.mjs web|node VERSION DIR
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [target, version, dir] = process.argv.slice(2);
if (!["web", "node"].includes(target) || !version || !dir) {
  console.error("usage: package-json.mjs web|node VERSION DIR");
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f !== "package.json" && f !== ".gitignore").sort();
for (const needed of ["funding_window.js", "funding_window.d.ts", "funding_window_bg.wasm", "README.md"]) {
  if (!files.includes(needed)) {
    console.error(`package-json.mjs: ${dir} has no ${needed}`);
    process.exit(1);
  }
}
// No repository or homepage URL: the package names none it could not stand behind.
const common = {
  name: "funding-window",
  version,
  description:
    "UN-Habitat urban action funding window ledger (WebAssembly): exact money, JSON commands, typed reports",
  keywords: ["ledger", "accounting", "double-entry", "decimal", "un-habitat", "webassembly"],
  license: "Apache-2.0",
  files,
  types: "funding_window.d.ts",
  main: "funding_window.js",
};
const pkg =
  target === "web"
    ? {
        ...common,
        type: "module",
        module: "funding_window.js",
        exports: {
          ".": { types: "./funding_window.d.ts", default: "./funding_window.js" },
          // The module fetches the .wasm next to itself; bundlers and Node (`initSync`) may need its path.
          "./funding_window_bg.wasm": "./funding_window_bg.wasm",
        },
        // Importing the module only defines functions; wasm-bindgen's snippets, if any, must stay.
        sideEffects: files.includes("snippets") ? ["./snippets/*"] : false,
      }
    : {
        ...common,
        exports: { ".": { types: "./funding_window.d.ts", default: "./funding_window.js" } },
        engines: { node: ">=18" },
      };
writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
