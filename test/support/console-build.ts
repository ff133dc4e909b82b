import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
export const CONSOLE_DIR = path.join(root, 'dist/web');
/** For a beforeAll that may build the console (a few seconds to a minute or two on a busy machine). */
export const BUILD_TIMEOUT_MS = 240_000;
const INPUTS = ['web', 'scripts/web-size.mjs', 'package-lock.json'];

function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), s.mtimeMs);
}

function fresh(): boolean {
  const index = path.join(CONSOLE_DIR, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return INPUTS.every((p) => !existsSync(path.join(root, p)) || newest(path.join(root, p)) <= built);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The tests serve the real built console (dist/web). Builds it (`npm run build:web`) when it is
 * missing or older than anything under web/; a no-op otherwise. Jest workers share one build
 * through a lock folder.
 */
export function ensureConsoleBuilt(): void {
  if (fresh()) return;
  const lock = path.join(root, 'dist/.web-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building; a lock older than the deadline is a crashed build's.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`Waited 5 minutes for another build of the console (${lock})`);
      sleep(500);
    }
  }
  try {
    if (fresh()) return;
    try {
      // Jest sets NODE_ENV=test, which would make Vite bundle React Router's development build (188 KB first load, not 125).
      execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } });
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`npm run build:web failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
    }
  } finally {
    rmdirSync(lock);
  }
}
