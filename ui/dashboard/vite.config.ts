import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built by `npm run build` (`vite build ui/dashboard`) into the package's dist/dashboard/, which
// Gatehouse serves at /fleet/dashboard: everything bundled, nothing fetched from elsewhere.
export default defineConfig({
  base: '/fleet/dashboard/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: '../../dist/dashboard',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The page is small; one script and one stylesheet are enough.
    modulePreload: { polyfill: false },
  },
});
