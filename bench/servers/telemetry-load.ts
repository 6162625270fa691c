// Virtual vehicles for the telemetry benchmark, lean on purpose: frames are encoded once, before
// the clock starts, so this process spends its time on sockets and the receiver is what is
// measured. Modes (stdout lines are what bench/scenarios/telemetry.ts reads):
//   throughput <url> <caDir> <vehicles> <seconds> <dashboardWs>
//     every vehicle keeps WINDOW frames unacked; prints `result <acks> <seconds> <dashboard msgs>`
//   idle <url> <caDir> <step,step,…>
//     connects up to each step, prints `connected <n>`, and waits for SIGUSR1 before the next
//   latency <url> <caDir> <vehicles> <rate> <seconds>
//     after a second at that rate unmeasured, sends `rate` frames/s in all, prints
//     `latency <p50 ms> <p99 ms> <acked> <sent>`
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { loadVehicleCa } from '../../src/simulator/vehicle-ca.ts';
import { readServerFrame } from '../../src/simulator/vehicles/frames.ts';
import { encodeStreamEnvelope, encodeVehicleData } from '../../src/telemetry/wire/index.ts';

const WINDOW = 8;
const CONCURRENCY = 100;
const [mode, url, caDir, ...rest] = process.argv.slice(2);

/** A 17-character VIN per vehicle, so each has its own certificate and state. */
const vinOf = (i: number) => `5YJ3BENCH${String(i).padStart(8, '0')}`;

function frame(vin: string, txid: string, i: number): Buffer {
  const payload = encodeVehicleData({
    vin,
    createdAt: 1_767_225_600_000 + i * 1000,
    fields: {
      VehicleSpeed: { double_value: 40 + (i % 30) },
      Soc: 80 - (i % 50) / 10,
      Odometer: 12_345.6 + i / 100,
      Gear: 'ShiftStateD',
      Location: { latitude: 37.41 + i / 1e5, longitude: -122.14 },
      InsideTemp: 21.5,
      EstBatteryRange: 240 - (i % 40),
    },
  });
  return Buffer.from(encodeStreamEnvelope({ txid, topic: 'V', payload, senderId: `vehicle_device.${vin}` }));
}

const ca = await loadVehicleCa(caDir, () => Date.now());

async function connect(i: number): Promise<WebSocket> {
  const vin = vinOf(i);
  const cert = await ca.issueVehicleCertificate(vin);
  const ws = new WebSocket(url!, {
    cert: cert.certPem,
    key: cert.keyPem,
    ca: ca.certPem,
    perMessageDeflate: false,
  });
  await once(ws, 'open');
  return ws;
}

/** Connects vehicles `from`…`to - 1`, CONCURRENCY handshakes at a time. */
async function connectRange(from: number, to: number, out: WebSocket[]): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) {
        const i = next++;
        out[i] = await connect(i);
      }
    }),
  );
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function throughput(vehicles: number, seconds: number, dashboardUrl: string): Promise<void> {
  let dashboardMessages = 0;
  const dashboard = new WebSocket(dashboardUrl, { perMessageDeflate: false });
  dashboard.on('message', () => dashboardMessages++);
  dashboard.on('close', (code) => process.stdout.write(`dashboard closed ${code}\n`));
  await once(dashboard, 'open');
  const sockets: WebSocket[] = [];
  await connectRange(0, vehicles, sockets);
  let acks = 0;
  let counting = false;
  sockets.forEach((ws, v) => {
    const vin = vinOf(v);
    const frames = Array.from({ length: WINDOW }, (_, k) => frame(vin, `${v}-${k}`, v + k));
    let next = 0;
    let checked = false;
    ws.on('message', (data: Buffer) => {
      // Reading one ack per vehicle proves they are acks; decoding all would load this process.
      if (!checked) {
        checked = true;
        const reply = readServerFrame(data);
        if (reply.kind !== 'ack') throw new Error(`vehicle ${vin}: expected an ack, got ${reply.kind}`);
      }
      if (counting) acks++;
      ws.send(frames[next++ % WINDOW]!);
    });
    for (const f of frames) ws.send(f);
  });
  // One second to reach a steady state, then count.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  counting = true;
  const dashboardBefore = dashboardMessages;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  counting = false;
  const elapsed = (performance.now() - started) / 1000;
  process.stdout.write(`result ${acks} ${elapsed.toFixed(3)} ${dashboardMessages - dashboardBefore}\n`);
  for (const ws of sockets) ws.terminate();
  dashboard.terminate();
}

async function idle(steps: number[]): Promise<void> {
  const sockets: WebSocket[] = [];
  for (const step of steps) {
    await connectRange(sockets.length, step, sockets);
    process.stdout.write(`connected ${sockets.length}\n`);
    await once(process, 'SIGUSR1');
  }
  for (const ws of sockets) ws.terminate();
}

/**
 * One second at `rate` before the clock starts, as the throughput mode has: the first records a
 * process takes (compiling its code, creating the Redis streams) are not its steady latency.
 */
async function warmUp(sockets: WebSocket[], rate: number): Promise<void> {
  const frames = sockets.map((_, v) => frame(vinOf(v), `warm-${v}`, v));
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(rate, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) sockets[sent % sockets.length]!.send(frames[sent % sockets.length]!);
      if (sent === rate) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  // Their acks out of the way before the measured frames go.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function latency(vehicles: number, rate: number, seconds: number): Promise<void> {
  const sockets: WebSocket[] = [];
  await connectRange(0, vehicles, sockets);
  await warmUp(sockets, rate);
  const total = Math.round(rate * seconds);
  const sentAt = new Float64Array(total);
  const took = new Float64Array(total);
  let acked = 0;
  for (const ws of sockets) {
    ws.on('message', (data: Buffer) => {
      const reply = readServerFrame(data);
      if (reply.kind !== 'ack') return;
      const n = Number(reply.txid);
      // A late ack of a warm-up frame is not a measured one.
      if (!Number.isInteger(n)) return;
      took[acked++] = performance.now() - sentAt[n]!;
    });
  }
  const frames = Array.from({ length: total }, (_, n) => frame(vinOf(n % vehicles), String(n), n));
  const started = performance.now();
  let sent = 0;
  // A fixed schedule: each tick sends what is due by now, so a slow ack never slows the sender.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) {
        sentAt[sent] = performance.now();
        sockets[sent % vehicles]!.send(frames[sent]!);
      }
      if (sent === total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 5000;
  while (acked < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const sorted = took.slice(0, acked).sort();
  process.stdout.write(
    `latency ${percentile(sorted, 0.5).toFixed(3)} ${percentile(sorted, 0.99).toFixed(3)} ${acked} ${sent}\n`,
  );
  for (const ws of sockets) ws.terminate();
}

if (mode === 'throughput') await throughput(Number(rest[0]), Number(rest[1]), rest[2]!);
else if (mode === 'idle') await idle(rest[0]!.split(',').map(Number));
else if (mode === 'latency') await latency(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else throw new Error(`telemetry-load: unknown mode ${mode}; use throughput, idle or latency`);
process.exit(0);
