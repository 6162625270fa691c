import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built by `npm run build` (`vite build ui/admin`) into the package's dist/admin-app/, which Gatehouse
// serves at /ui on the admin hosts: everything bundled, nothing fetched from elsewhere.
export default defineConfig({
  base: '/ui/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: '../../dist/admin-app',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
  },
});
