// Prints the console's first load, the JavaScript a browser fetches to show any page before a
// page's own chunk: the entry and everything it imports statically, gzipped. Fails over the budget.
// Run by `npm run build:web` after `vite build`; reads dist/web/.vite/manifest.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/web');
const manifest = JSON.parse(readFileSync(path.join(dir, '.vite/manifest.json'), 'utf8'));

const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry);
const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) visit(dep);
};
entries.forEach(visit);

const gz = (file) => gzipSync(readFileSync(path.join(dir, file))).length;
const js = [...seen].map((k) => manifest[k].file);
const css = [...new Set([...seen].flatMap((k) => manifest[k].css ?? []))];
const jsBytes = js.reduce((n, f) => n + gz(f), 0);
const cssBytes = css.reduce((n, f) => n + gz(f), 0);
const kb = (n) => (n / 1024).toFixed(1);

const lazy = Object.keys(manifest).filter((k) => manifest[k].isDynamicEntry);
console.log(
  `Console first load: ${kb(jsBytes)} KB of JavaScript gzipped in ${js.length} file(s) (budget ${BUDGET_KB} KB), ` +
    `${kb(cssBytes)} KB of CSS; ${lazy.length} page chunk(s) load on demand`,
);
if (jsBytes > BUDGET_KB * 1024) {
  console.error(`Over budget: the first load must stay under ${BUDGET_KB} KB gzipped. Load the new code lazily (a route's lazy()).`);
  process.exit(1);
}
