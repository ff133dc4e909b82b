import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the service under /app (src/console/); `npm run dev:web` serves it
// from Vite with hot reload and sends API calls to a service on API_URL (npm start: port 3000).
const api = process.env.API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // scripts/web-size.mjs reads it to measure the first load.
    manifest: true,
    target: 'es2022',
    rolldownOptions: {
      onwarn(warning, warn) {
        // React Router and TanStack Query mark modules "use client" for server components; meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/v1': api, '/health': api, '/docs': api },
  },
});
