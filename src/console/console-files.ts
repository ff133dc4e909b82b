import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** The project's root: the nearest folder above this file with a package.json (src/… under ts-node, dist/src/… when built). */
function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** `file` is relative to ConsoleFiles.dir. */
export type ConsoleFile =
  | { kind: 'not-built' }
  | { kind: 'asset'; file: string }
  | { kind: 'file'; file: string }
  | { kind: 'index'; file: string }
  | { kind: 'missing' };

/**
 * Where the built console is (`npm run build:web` writes dist/web) and which file answers a
 * path under /app: hashed assets, other files at the top of the build, else index.html (the
 * client's router handles the route).
 */
export class ConsoleFiles {
  constructor(readonly dir: string = path.join(projectRoot(), 'dist/web')) {}

  resolve(relative: string): ConsoleFile {
    const index = path.join(this.dir, 'index.html');
    if (!existsSync(index)) return { kind: 'not-built' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(relative);
    } catch {
      return { kind: 'missing' };
    }
    // Hidden files (.vite/manifest.json) are the build's own, not the console's.
    if (decoded.split('/').some((part) => part.startsWith('.'))) return { kind: 'missing' };
    const file = path.resolve(this.dir, '.' + path.posix.normalize('/' + decoded));
    const inside = file.startsWith(this.dir + path.sep);
    const isFile = inside && existsSync(file) && statSync(file).isFile();
    const isAsset = decoded.startsWith('assets/');
    // Relative to dir: sendFile's dot-file rule then looks only inside the build, not at the folders above it.
    if (isAsset) return isFile ? { kind: 'asset', file: path.relative(this.dir, file) } : { kind: 'missing' };
    if (isFile && file !== index) return { kind: 'file', file: path.relative(this.dir, file) };
    return { kind: 'index', file: 'index.html' };
  }
}
