// A small static server for the dashboard (no dependencies): the page from this directory, the
// WebAssembly package from bindings/wasm/pkg/web (and the exports module from
// bindings/wasm-exports/pkg/web) and the example journal from
// tests/fixtures/window-year.jsonl (served where they are, never copied into git).
//
//   node examples/dashboard/serve.mjs [--port 8080] [--host 127.0.0.1]
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** URL prefix -> directory or file. */
const routes = [
  ["/pkg/", join(root, "bindings", "wasm", "pkg", "web")],
  // The exports module (CSV, IATI XML, hledger, Excel), fetched by the page only when the user asks for a file.
  ["/pkg-exports/", join(root, "bindings", "wasm-exports", "pkg", "web")],
  ["/journal/window-year.jsonl", join(root, "tests", "fixtures", "window-year.jsonl")],
  ["/", here],
];
const pageFiles = new Set(["/", "/index.html", "/app.js", "/format.js", "/service.js", "/style.css"]);

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

function resolve(pathname) {
  for (const [prefix, target] of routes) {
    if (prefix === "/") {
      if (!pageFiles.has(pathname)) return null;
      return join(target, pathname === "/" ? "index.html" : pathname.slice(1));
    }
    if (pathname === prefix) return target;
    if (prefix.endsWith("/") && pathname.startsWith(prefix)) {
      const file = normalize(join(target, pathname.slice(prefix.length)));
      return file.startsWith(target + sep) ? file : null;
    }
  }
  return null;
}

/** Starts the server; resolves to { server, url }. Port 0 picks a free port. */
export function start({ port = 8080, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    const file = resolve(pathname);
    let size = -1;
    try {
      if (file && statSync(file).isFile()) size = statSync(file).size;
    } catch {
      size = -1;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (size < 0) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${pathname}\n`);
    } else {
      res.writeHead(200, {
        "content-type": types[extname(file)] ?? "application/octet-stream",
        "content-length": size,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({ server, url: `http://${host}:${address.port}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  const { url } = await start({ port: Number(arg("--port", process.env.PORT ?? "8080")), host: arg("--host", "127.0.0.1") });
  console.log(`Funding window dashboard: ${url}  (Ctrl-C to stop)`);
}
