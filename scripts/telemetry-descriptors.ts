/**
 * Turns the telemetry `.proto` schemas in src/telemetry/wire/schema/ into the JSON descriptors the
 * decoders load (src/telemetry/wire/schema/descriptors.json), so nothing parses `.proto` text at
 * run time; the build copies the imported JSON beside the JavaScript.
 *
 *   node --import tsx scripts/telemetry-descriptors.ts          rewrite descriptors.json
 *   node --import tsx scripts/telemetry-descriptors.ts --check  fail when it is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const SCHEMA_DIR = new URL('../src/telemetry/wire/schema/', import.meta.url);
const PROTO_FILES = [
  'vehicle_data.proto',
  'vehicle_alerts.proto',
  'vehicle_errors.proto',
  'vehicle_connectivity.proto',
];
const TIMESTAMP_IMPORT = 'google/protobuf/timestamp.proto';

/** Where the generated module lives. */
export const DESCRIPTORS_PATH = fileURLToPath(new URL('descriptors.json', SCHEMA_DIR));

/** The text of descriptors.json for the schemas as they are now. */
export function descriptorsSource(): string {
  const root = new protobuf.Root();
  const timestamp = protobuf.common.get(TIMESTAMP_IMPORT);
  if (!timestamp) throw new Error(`protobufjs lacks its built-in ${TIMESTAMP_IMPORT}`);
  root.addJSON(timestamp.nested ?? {});
  for (const file of PROTO_FILES) {
    const text = readFileSync(new URL(file, SCHEMA_DIR), 'utf8');
    protobuf.parse(text, root, { keepCase: true });
  }
  root.resolveAll();
  return `${JSON.stringify(root.toJSON(), null, 1)}\n`;
}

function main(): void {
  const wanted = descriptorsSource();
  if (process.argv.includes('--check')) {
    const current = readFileSync(DESCRIPTORS_PATH, 'utf8');
    if (current !== wanted) {
      console.error(`${DESCRIPTORS_PATH} is stale: run node --import tsx scripts/telemetry-descriptors.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(DESCRIPTORS_PATH, wanted);
  console.log(`wrote ${DESCRIPTORS_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
