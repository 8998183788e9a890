import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';
/** Paths the API owns; the dev server passes them through, everything else is the web app. */
const apiPaths = [
  '/agreements',
  '/cities',
  '/municipalities',
  '/statistics',
  '/audit',
  '/admin',
  '/auth',
  '/lifecycle',
  '/me',
  '/health',
  '/openapi.json',
  '/docs',
];

export default defineConfig({
  plugins: [react()],
  base: '/',
  // Workspace packages are read from their sources, as everywhere in development.
  resolve: { conditions: ['@twinning/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The API's content security policy allows no inline code: keep every asset a file.
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: api }])),
  },
});
