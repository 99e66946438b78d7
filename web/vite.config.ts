// Vite build of the web playground: web/ → web/dist, served by src/api/playground.ts.
// `vite --config web/vite.config.ts` runs a dev server that proxies the API to a running Earshot
// (EARSHOT_URL, default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.EARSHOT_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsDir: 'assets',
  },
  server: {
    proxy: {
      '/v1beta': { target: api, changeOrigin: true },
      '/upload': { target: api, changeOrigin: true },
    },
  },
});
