/**
 * Memories and tables a module declares, read without compiling it, and the spawn-time check
 * of their initial sizes against a sandbox's limits.
 */
import { KeelError } from '../kernel/errors.js';
import { eachSection, MalformedError, malformed } from './binary.js';
import { describeMemoryLimit, PAGE_BYTES } from './runtime.js';
import { readLimits } from './sections.js';

export interface MemoryInfo {
  /** Initial size in 64 KiB pages. */
  initial: number;
  maximum: number | undefined;
  shared: boolean;
  imported: boolean;
}

export interface TableInfo {
  initial: number;
  maximum: number | undefined;
  imported: boolean;
}

export interface MeterInfo {
  memories: MemoryInfo[];
  tables: TableInfo[];
}

/** Read the memories and tables of a core module (imported ones first, in index order). */
export function readMeterInfo(bytes: Uint8Array): MeterInfo {
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof MalformedError) {
      throw new KeelError('invalid-module', `malformed module: ${error.message}`);
    }
    throw error;
  }
}

function parse(bytes: Uint8Array): MeterInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    malformed('no \\0asm magic number');
  const memories: MemoryInfo[] = [];
  const tables: TableInfo[] = [];
  eachSection(bytes, (id, s) => {
    if (id === 2) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        s.skip(s.u32());
        s.skip(s.u32());
        const kind = s.byte();
        if (kind === 0x00) s.u32();
        else if (kind === 0x01) {
          s.byte();
          tables.push(table(readLimits(s, 'table'), true));
        } else if (kind === 0x02) memories.push(memory(readLimits(s, 'memory'), true));
        else if (kind === 0x03) {
          s.byte();
          s.byte();
        } else if (kind === 0x04) {
          s.byte();
          s.u32();
        } else malformed(`unknown import kind ${kind}`);
      }
    } else if (id === 4) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        s.byte();
        tables.push(table(readLimits(s, 'table'), false));
      }
    } else if (id === 5) {
      const count = s.u32();
      for (let i = 0; i < count; i++) memories.push(memory(readLimits(s, 'memory'), false));
    }
    return id === 10 || undefined; // the code and data follow: nothing more to read
  });
  return { memories, tables };
}

function table(limits: ReturnType<typeof readLimits>, imported: boolean): TableInfo {
  return { initial: limits.min, maximum: limits.max, imported };
}

function memory(limits: ReturnType<typeof readLimits>, imported: boolean): MemoryInfo {
  return { initial: limits.min, maximum: limits.max, shared: (limits.flags & 0x02) !== 0, imported };
}

/**
 * Refuse a module whose memories or tables start larger than a sandbox's limits, before it is
 * instantiated: `memory-limit` or `table-limit`. Imported ones count too (their declared
 * minimum is a lower bound of what they will be).
 */
export function checkInitialLimits(
  module: Uint8Array | MeterInfo,
  limits: { memoryBytes: number; tableElements: number },
): void {
  const info = module instanceof Uint8Array ? readMeterInfo(module) : module;
  const limitPages = Math.floor(limits.memoryBytes / PAGE_BYTES);
  info.memories.forEach((m, i) => {
    if (m.initial > limitPages) {
      throw new KeelError(
        'memory-limit',
        `memory ${i} starts at ${m.initial} pages (${m.initial * PAGE_BYTES} bytes), over the sandbox's ${describeMemoryLimit(limits.memoryBytes)}`,
        { memory: i, requestedPages: m.initial, limitPages },
      );
    }
  });
  info.tables.forEach((t, i) => {
    if (t.initial > limits.tableElements) {
      throw new KeelError(
        'table-limit',
        `table ${i} starts with ${t.initial} elements, over the sandbox's ${limits.tableElements}-element table limit`,
        { table: i, requested: t.initial, limit: limits.tableElements },
      );
    }
  });
}
