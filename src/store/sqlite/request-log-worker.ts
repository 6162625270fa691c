// The request log's writer thread (started by request-log-writer.ts): its own connection to the
// database file, one transaction per batch, an answer per batch once it is committed.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { WriterReply, WriterRequest } from './request-log-writer.ts';
import { INSERT_REQUEST, insertRows } from './request-rows.ts';

const port = parentPort;
if (!port) throw new Error('request-log-worker.ts runs as a worker thread, started by RequestLogWriter');
const db = new DatabaseSync((workerData as { file: string }).file);
// Never waiting for the disk to sync: a record lost to a power cut costs little.
db.exec('PRAGMA synchronous = OFF; PRAGMA busy_timeout = 5000;');
const insert = db.prepare(INSERT_REQUEST);
port.postMessage({ kind: 'ready' } satisfies WriterReply);

port.on('message', (message: WriterRequest) => {
  if (message.kind === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    insertRows(db, insert, message.values);
    reply = { kind: 'done', batch: message.batch };
  } catch (error) {
    reply = { kind: 'done', batch: message.batch, error };
  }
  port.postMessage(reply);
});
