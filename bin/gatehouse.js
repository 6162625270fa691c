#!/usr/bin/env node
// Entry point: runs the compiled CLI (`npm run build` produces dist/).
// 22.13 is the first Node with node:sqlite (the embedded store) usable without a flag.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `gatehouse: needs Node.js 22.13 or newer, this is ${process.versions.node}. ` +
      'Inside the project, `npm start` and `npx gatehouse` use the pinned Node 24.',
  );
  process.exit(1);
}
await import('../dist/cli/run.js');
