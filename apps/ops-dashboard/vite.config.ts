import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dev server stands in for the API's same-origin hosting: in production the
// API serves `dist` at `/`, so the app only ever uses relative URLs.
const apiUrl = process.env.OMT_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Source, not `dist`: the dashboard builds without building contracts first.
    alias: {
      '@omt/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
    },
  },
  server: {
    proxy: {
      '/api': { target: apiUrl },
      '/socket.io': { target: apiUrl, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiUrl },
      '/socket.io': { target: apiUrl, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
