import type { Redis } from 'ioredis';
import {
  matchesRequest,
  type PendingRequest,
  type RequestFilter,
  type RequestLogRepository,
  type RequestPage,
  type RequestRecord,
  recordOf,
} from '../request-log.ts';

/** Entries read per round trip while scanning the stream. */
const CHUNK = 1000;

/**
 * The request log in the shared store: one capped stream (`XADD … MAXLEN ~`), newest read first.
 * The cap bounds every scan, so a filter is applied while reading rather than kept in indexes.
 */
export class RedisRequestLog implements RequestLogRepository {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}requests`;
  }

  async append(requests: readonly PendingRequest[], keep: number): Promise<void> {
    if (requests.length === 0) return;
    const pipeline = this.#redis.pipeline();
    // Trimmed roughly on every append (whole macro nodes, cheap); prune trims exactly.
    const cap = Math.max(keep, 1);
    for (const r of requests)
      pipeline.xadd(this.#key, 'MAXLEN', '~', cap, '*', 'r', JSON.stringify(recordOf(r)));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** Entries newest first from `end` (exclusive when it is a cursor), with their stream ids. */
  async *#newestFirst(end: string): AsyncGenerator<{ id: string; record: RequestRecord }> {
    let from = end;
    for (;;) {
      const entries = await this.#redis.xrevrange(this.#key, from, '-', 'COUNT', CHUNK);
      for (const [id, fields] of entries) yield { id, record: JSON.parse(fields[1]!) as RequestRecord };
      if (entries.length < CHUNK) return;
      from = `(${entries.at(-1)![0]}`;
    }
  }

  async page(filter: RequestFilter, limit: number, cursor?: string): Promise<RequestPage> {
    const records: RequestRecord[] = [];
    let last = '';
    const start = cursor && /^\d+-\d+$/.test(cursor) ? `(${cursor}` : '+';
    for await (const { id, record } of this.#newestFirst(start)) {
      if (filter.since !== undefined && Date.parse(record.at) < filter.since) break;
      if (!matchesRequest(record, filter)) continue;
      if (records.length === limit) return { records, next: last };
      records.push(record);
      last = id;
    }
    return { records, next: null };
  }

  async window(filter: RequestFilter, max: number): Promise<RequestRecord[]> {
    const records: RequestRecord[] = [];
    for await (const { record } of this.#newestFirst('+')) {
      if (filter.since !== undefined && Date.parse(record.at) < filter.since) break;
      if (!matchesRequest(record, filter)) continue;
      records.push(record);
      if (records.length >= max) break;
    }
    return records;
  }

  async prune(before: number, keep: number): Promise<number> {
    // Oldest first: the first entry as new as `before` ends what age removes.
    let removed = 0;
    let first: string | undefined;
    let from = '-';
    scan: for (;;) {
      const entries = await this.#redis.xrange(this.#key, from, '+', 'COUNT', CHUNK);
      for (const [id, fields] of entries) {
        if (Date.parse((JSON.parse(fields[1]!) as RequestRecord).at) >= before) {
          first = id;
          break scan;
        }
      }
      if (entries.length < CHUNK) break;
      from = `(${entries.at(-1)![0]}`;
    }
    if (first) removed += await this.#redis.xtrim(this.#key, 'MINID', first);
    else removed += await this.#redis.xtrim(this.#key, 'MAXLEN', 0);
    removed += await this.#redis.xtrim(this.#key, 'MAXLEN', keep);
    return removed;
  }

  async count(): Promise<number> {
    return this.#redis.xlen(this.#key);
  }
}
