#!/usr/bin/env node
// Entry point: runs the compiled CLI (`npm run build` produces dist/).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `gatehouse: needs Node.js 22.12 or newer, this is ${process.versions.node}. ` +
      'Inside the project, `npm start` and `npx gatehouse` use the pinned Node 24.',
  );
  process.exit(1);
}
await import('../dist/cli/run.js');
