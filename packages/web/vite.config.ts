import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard imports the protocol schemas and the SDK from source, so it needs no prior tsc build.
const pkg = (name: string) => fileURLToPath(new URL(`../${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  base: '/',
  resolve: { alias: { '@fedhub/protocol': pkg('protocol'), '@fedhub/sdk': pkg('sdk') } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
});
