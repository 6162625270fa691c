/**
 * Reads FlatBuffers tables with every offset checked against the buffer. The flatbuffers runtime
 * trusts its input (an out-of-range read yields garbage), and frames come from the network, so
 * each position is proven to lie inside the bytes before it is read.
 */
import { ByteBuffer } from 'flatbuffers';
import { wireError } from './wire-error.ts';

/** A table located and checked: its position, vtable and their sizes. */
export interface CheckedTable {
  readonly position: number;
  readonly vtable: number;
  readonly vtableSize: number;
  readonly tableSize: number;
}

function invalid(reason: string, what: string): never {
  throw wireError(
    'TELEMETRY_ENVELOPE_INVALID',
    `the frame is not a FlatBuffers envelope: ${reason}; vehicles send Tesla's FlatbuffersEnvelope as a binary frame`,
    what,
  );
}

/** A frame with bounds-checked table, scalar and vector reads. */
export class CheckedFlatbuffer {
  private readonly bytes: Uint8Array;
  private readonly buffer: ByteBuffer;
  private readonly length: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.buffer = new ByteBuffer(bytes);
    this.length = bytes.length;
  }

  private require(position: number, size: number, what: string): void {
    if (!(position >= 0 && position + size <= this.length)) {
      invalid(`${what} at byte ${position} runs past the frame's ${this.length} bytes`, what);
    }
  }

  /** The root table the frame's first four bytes point at. */
  root(what: string): CheckedTable {
    this.require(0, 4, `${what} offset`);
    return this.table(this.buffer.readUint32(0), what);
  }

  /** The table at `position`, with its vtable checked. */
  table(position: number, what: string): CheckedTable {
    this.require(position, 4, what);
    const vtable = position - this.buffer.readInt32(position);
    this.require(vtable, 4, `${what} vtable`);
    const vtableSize = this.buffer.readUint16(vtable);
    const tableSize = this.buffer.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) invalid(`${what} has a vtable of ${vtableSize} bytes`, what);
    if (tableSize < 4) invalid(`${what} is ${tableSize} bytes long`, what);
    this.require(vtable, vtableSize, `${what} vtable`);
    this.require(position, tableSize, what);
    return { position, vtable, vtableSize, tableSize };
  }

  /** Where slot `slot` of `table` lies, or 0 when the field is absent. */
  private field(table: CheckedTable, slot: number, size: number, what: string): number {
    const entry = 4 + slot * 2;
    if (entry + 2 > table.vtableSize) return 0;
    const offset = this.buffer.readUint16(table.vtable + entry);
    if (offset === 0) return 0;
    if (offset + size > table.tableSize) invalid(`${what} lies outside its table`, what);
    return table.position + offset;
  }

  /** An unsigned byte field; `fallback` when absent. */
  uint8(table: CheckedTable, slot: number, what: string, fallback = 0): number {
    const at = this.field(table, slot, 1, what);
    return at === 0 ? fallback : this.buffer.readUint8(at);
  }

  /** An unsigned 32-bit field; 0 when absent. */
  uint32(table: CheckedTable, slot: number, what: string): number {
    const at = this.field(table, slot, 4, what);
    return at === 0 ? 0 : this.buffer.readUint32(at);
  }

  /** An unsigned 64-bit field as a number (ms since the epoch fit exactly); 0 when absent. */
  uint64(table: CheckedTable, slot: number, what: string): number {
    const at = this.field(table, slot, 8, what);
    return at === 0 ? 0 : Number(this.buffer.readUint64(at));
  }

  /** A `[ubyte]` field as a view into the frame (not a copy); undefined when absent. */
  bytesField(table: CheckedTable, slot: number, what: string): Uint8Array | undefined {
    const at = this.field(table, slot, 4, what);
    if (at === 0) return undefined;
    const vector = at + this.buffer.readUint32(at);
    this.require(vector, 4, `${what} length`);
    const length = this.buffer.readUint32(vector);
    this.require(vector + 4, length, what);
    return this.bytes.subarray(vector + 4, vector + 4 + length);
  }

  /** A table-valued field (a union's value); undefined when absent. */
  tableField(table: CheckedTable, slot: number, what: string): CheckedTable | undefined {
    const at = this.field(table, slot, 4, what);
    if (at === 0) return undefined;
    return this.table(at + this.buffer.readUint32(at), what);
  }
}
