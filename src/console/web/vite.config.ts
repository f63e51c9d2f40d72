import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../../dist/console', import.meta.url));

/** Writes `<asset>.gz` beside each script and stylesheet; the server sends it to browsers that accept gzip. */
function gzipAssets(): Plugin {
  return {
    name: 'hookflow-gzip-assets',
    apply: 'build',
    async writeBundle() {
      const assets = join(outDir, 'assets');
      const files = (await readdir(assets)).filter((name) => /\.(js|css)$/.test(name));
      await Promise.all(
        files.map(async (name) => writeFile(join(assets, `${name}.gz`), await promisify(gzip)(await readFile(join(assets, name)), { level: 9 }))),
      );
    },
  };
}

/** The console: built from this folder into dist/console, served by the Nest process at `/`. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react(), gzipAssets()],
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // elkjs is large, hence the raised limit; it is its own chunk, loaded only where a graph is drawn.
    chunkSizeWarningLimit: 1500,
    // A slow shared machine is not a finding about the console.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    // `npx vite --config src/console/web/vite.config.ts` while `npm start` runs on :3000.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
