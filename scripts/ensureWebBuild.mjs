// Runs before `npm start`: builds the web app when web/dist is missing or older than any file under web/,
// so `npm ci && npm start` serves a working app on a fresh clone and never a stale one.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const web = join(root, "web");
const built = join(web, "dist", "index.html");

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// The app's types come from the server's schemas, so server resources count as inputs too.
const inputs = Math.max(
  newest(web),
  newest(join(root, "src", "http")),
  statSync(join(root, "package-lock.json")).mtimeMs,
);
if (!existsSync(built) || statSync(built).mtimeMs < inputs) {
  process.stdout.write("Building the web app (web/dist)…\n");
  execFileSync(process.execPath, [join(root, "node_modules", "vite", "bin", "vite.js"), "build", web], {
    stdio: "inherit",
    // Test runners set NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: "production" },
  });
}
