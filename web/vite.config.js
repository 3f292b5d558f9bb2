import { defineConfig } from 'vite';

// Relative asset paths: the built page works from any folder or static host, offline.
export default defineConfig({ base: './', build: { outDir: 'dist', emptyOutDir: true } });
