// Writes the package.json of a built package directory: node scripts/package-json.mjs web|node VERSION DIR
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [target, version, dir] = process.argv.slice(2);
if (!["web", "node"].includes(target) || !version || !dir) {
  console.error("usage: package-json.mjs web|node VERSION DIR");
  process.exit(2);
}
const common = {
  name: "funding-window",
  version,
  description:
    "UN-Habitat urban action funding window ledger (WebAssembly): exact money, JSON commands, typed reports",
  license: "Apache-2.0",
  repository: { type: "git", url: "https://github.com/un-habitat/funding-window" },
  files: readdirSync(dir).filter((f) => f !== "package.json" && f !== ".gitignore").sort(),
  types: "funding_window.d.ts",
};
const pkg =
  target === "web"
    ? {
        ...common,
        type: "module",
        main: "funding_window.js",
        module: "funding_window.js",
        exports: { ".": { types: "./funding_window.d.ts", default: "./funding_window.js" } },
        sideEffects: ["./snippets/*"],
      }
    : {
        ...common,
        main: "funding_window.js",
        exports: { ".": { types: "./funding_window.d.ts", default: "./funding_window.js" } },
        engines: { node: ">=18" },
      };
writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
