// The browser dashboard (docs/dashboard.md): `/` serves dashboard/index.html,
// `/dashboard/<file>` its scripts and styles, and `/dashboard/vendor/<file>`
// the two browser libraries it needs straight from node_modules (no build
// step). Only the files listed here are served: no path from the request ever
// reaches the file system.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { extendServer, type ServerContext } from './server.ts';
import { dashboardCookie } from './rest-weight.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkgDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.proto': 'text/plain; charset=utf-8',
};

/** URL path → file on disk. */
function files(): Record<string, string> {
  const own = ['app.js', 'md.js', 'rest.js', 'views.js', 'chart.js', 'style.css'];
  return {
    '/': join(ROOT, 'dashboard', 'index.html'),
    ...Object.fromEntries(own.map((f) => [`/dashboard/${f}`, join(ROOT, 'dashboard', f)])),
    '/dashboard/makerbench.proto': join(ROOT, 'proto', 'makerbench.proto'),
    // protobufjs's full browser build (it parses the .proto text) and lightweight-charts' standalone build
    '/dashboard/vendor/protobuf.min.js': join(pkgDir('protobufjs'), 'dist', 'protobuf.min.js'),
    '/dashboard/vendor/lightweight-charts.js': join(pkgDir('lightweight-charts'), 'dist', 'lightweight-charts.standalone.production.js'),
  };
}

function installDashboard(ctx: ServerContext): void {
  const cache = new Map<string, Buffer>();
  for (const [url, path] of Object.entries(files())) {
    const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
    ctx.app.get(url, async (_req, reply) => {
      let body = cache.get(path);
      if (!body) {
        body = await readFile(path);
        cache.set(path, body);
      }
      // the page's cookie exempts its own polling from the request weight (rest-weight.ts)
      if (url === '/') void reply.header('set-cookie', dashboardCookie());
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }
}

extendServer(installDashboard);
