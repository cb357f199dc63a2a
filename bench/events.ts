/**
 * The event-log group: how many canonical events per second reach the JSONL log through the
 * kernel's JsonlSink, from the bus alone and from guest calls through `invokeSync`. The sink's
 * buffer is capped (8 MiB by default): the producers wait for `drained()` when the bus says it
 * is congested, as the kernel's asynchronous entry points do. Each sample writes a fresh log
 * file and counts as done only when the file is flushed and closed; the line count is checked
 * (nothing may be dropped) and the sink's peak buffer is reported.
 */

import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_LOG_BUFFER_BYTES, EVENTS, JsonlSink, Kernel } from '../host/index.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../scripts/lib/fixtures.js';
import { stats } from './lib/measure.js';
import type { Group, MeasureResult, Row } from './lib/report.js';
import { round } from './lib/report.js';
import { benchHostProvider } from './lib/subjects.js';

interface Sample {
  seconds: number;
  events: number;
  bytes: number;
  /** The most bytes the sink held at once. */
  peak?: number;
  /** CPU seconds the process spent (all its threads: the writes and the GC too). */
  cpu?: number;
}

function rateRow(subject: string, samples: Sample[], reference?: Sample[]): Row {
  const rates = stats(samples.map((s) => s.events / s.seconds));
  const row: Row = {
    subject,
    value: round(rates.median),
    p25: round(rates.p25),
    p75: round(rates.p75),
    min: round(rates.min),
    max: round(rates.max),
    detail: {
      per_sample: samples[0]!.events,
      bytes_each: round(samples[0]!.bytes / samples[0]!.events),
      ...(samples[0]!.peak !== undefined
        ? {
            peak_buffer_bytes: Math.max(...samples.map((s) => s.peak ?? 0)),
            cap_bytes: DEFAULT_LOG_BUFFER_BYTES,
          }
        : {}),
      ...(samples[0]!.cpu !== undefined
        ? { per_cpu_s: round(stats(samples.map((s) => s.events / s.cpu!)).median) }
        : {}),
      samples: samples.length,
      timer: 'wall',
    },
  };
  if (reference) {
    const ratios = stats(
      samples.map((s, i) => s.events / s.seconds / (reference[i]!.events / reference[i]!.seconds)),
    );
    row.ratio = round(ratios.median);
    row.ratio_p25 = round(ratios.p25);
    row.ratio_p75 = round(ratios.p75);
  }
  return row;
}

function lines(path: string): { count: number; bytes: number } {
  const text = readFileSync(path, 'utf8');
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return { count, bytes: Buffer.byteLength(text) };
}

export async function runEventsGroup({
  quick,
  log,
}: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Group> {
  const n = quick ? 20_000 : 100_000;
  const rounds = quick ? 3 : 9;
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-events-'));
  const component = await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench');
  let file = 0;
  try {
    /** Bus → JsonlSink → file, `n` guest:log events, until the file is closed. */
    const busToLog = async (sync: boolean): Promise<Sample> => {
      const path = join(dir, `bus-${file++}.jsonl`);
      const kernel = new Kernel({ cacheDir: false });
      const sink = new JsonlSink({ destination: path, sync }).attach(kernel.events);
      const bus = kernel.events;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        bus.emit({ event: EVENTS.guestLog, sandbox: 'sbx_1', data: { message: 'tick', i } });
        if (bus.congested) await bus.drained();
      }
      await sink.close();
      const seconds = (performance.now() - started) / 1000;
      const spent = process.cpuUsage(cpu);
      await kernel.close();
      const written = lines(path);
      if (written.count !== n || sink.stats.dropped !== 0)
        throw new Error(
          `events: ${written.count} lines written (${sink.stats.dropped} dropped), expected ${n}`,
        );
      rmSync(path);
      return {
        seconds,
        events: n,
        bytes: written.bytes,
        peak: sink.stats.peakBufferedBytes,
        cpu: (spent.user + spent.system) / 1e6,
      };
    };
    /**
     * The same through pino 10 and its sonic-boom file destination, as Keel's sink was before
     * 2026-12 (unbounded buffer): the reference that makes the figure comparable across loads.
     */
    const busToPino = async (): Promise<Sample> => {
      const path = join(dir, `pino-${file++}.jsonl`);
      const kernel = new Kernel({ cacheDir: false });
      const stream = pino.destination({ dest: path, mkdir: true, sync: false });
      const logger = pino(
        {
          level: 'trace',
          base: null,
          timestamp: false,
          formatters: { level: (label) => ({ level: label }) },
        },
        stream,
      );
      kernel.events.subscribe('*', (event) => {
        const { level, ...fields } = event;
        logger[level](fields);
      });
      const bus = kernel.events;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        bus.emit({ event: EVENTS.guestLog, sandbox: 'sbx_1', data: { message: 'tick', i } });
      }
      if ((stream as unknown as { fd: number }).fd < 0) await once(stream, 'ready');
      const closed = once(stream, 'close');
      stream.end();
      await closed;
      const seconds = (performance.now() - started) / 1000;
      await kernel.close();
      const written = lines(path);
      if (written.count !== n) throw new Error(`events: pino wrote ${written.count} lines, expected ${n}`);
      rmSync(path);
      return { seconds, events: n, bytes: written.bytes };
    };
    /** `invokeSync` with the kernel's log on: invoke:start and invoke:end per call. */
    const kernelForCalls = new Kernel({ cacheDir: false, providers: [benchHostProvider] });
    const module = await kernelForCalls.load(component);
    const calls = n / 2;
    const invokeToLog = async (logged: boolean): Promise<Sample> => {
      const path = join(dir, `invoke-${file++}.jsonl`);
      const kernel = logged
        ? new Kernel({ cacheDir: false, providers: [benchHostProvider], log: path })
        : kernelForCalls;
      const m = logged ? await kernel.load(component) : module;
      const sandbox = await kernel.spawn(m, { grants: ['keel:bench/host'] });
      const bus = kernel.events;
      const started = performance.now();
      for (let i = 0; i < calls; i++) {
        sandbox.invokeSync('add', [i, 1]);
        if (bus.congested) await bus.drained();
      }
      if (logged) await kernel.close();
      const seconds = (performance.now() - started) / 1000;
      sandbox.terminate();
      let bytes = 0;
      if (logged) {
        const written = lines(path);
        // kernel:start, module:load, sandbox:spawn, capability:granted, kernel:stop come too.
        if (written.count < calls * 2)
          throw new Error(`events: ${written.count} lines, expected >= ${calls * 2}`);
        bytes = written.bytes;
        rmSync(path);
      }
      return { seconds, events: calls, bytes: bytes || 1 };
    };

    log('  bus to JSONL');
    await busToLog(false);
    await busToLog(true);
    await busToPino();
    const asyncSamples: Sample[] = [];
    const syncSamples: Sample[] = [];
    const pinoSamples: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      asyncSamples.push(await busToLog(false));
      syncSamples.push(await busToLog(true));
      pinoSamples.push(await busToPino());
    }
    log('  invokeSync with the log on');
    await invokeToLog(true);
    await invokeToLog(false);
    const withLog: Sample[] = [];
    const withoutLog: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      withLog.push(await invokeToLog(true));
      withoutLog.push(await invokeToLog(false));
    }
    await kernelForCalls.close();

    const measures: MeasureResult[] = [
      {
        id: 'events.jsonl',
        title: `event log: events/s from the bus to a JSONL file (${n.toLocaleString('en')} guest:log events, until flushed)`,
        unit: 'per_s',
        lower_is_better: false,
        reference: 'jsonl-async',
        rows: [
          rateRow('jsonl-async', asyncSamples, asyncSamples),
          rateRow('jsonl-sync', syncSamples, asyncSamples),
          rateRow('jsonl-pino', pinoSamples, asyncSamples),
        ],
      },
      {
        id: 'events.invoke',
        title: 'event log: invokeSync(add) calls/s, log off and on (2 events a call)',
        unit: 'per_s',
        lower_is_better: false,
        reference: 'invoke-no-log',
        rows: [
          rateRow('invoke-no-log', withoutLog, withoutLog),
          rateRow('invoke-jsonl', withLog, withoutLog),
        ],
        note: 'invoke-no-log: the same calls with nobody listening (events are not even built). With the log on, each call writes invoke:start and invoke:end.',
      },
    ];
    return {
      id: 'events',
      title: 'Event log throughput (JSONL, schema v1)',
      subjects: [
        {
          id: 'jsonl-async',
          label: 'JsonlSink (async)',
          setup:
            "the kernel's log: Keel's serializer and a capped buffer written asynchronously to the file (the default of KernelOptions.log); the loop awaits bus.drained() when the bus is congested",
        },
        {
          id: 'jsonl-sync',
          label: 'JsonlSink (sync)',
          setup: 'JsonlSink with sync: true (each line written before emit returns)',
        },
        {
          id: 'jsonl-pino',
          label: 'pino (before)',
          setup:
            "pino 10 with sonic-boom's asynchronous file destination, as the kernel's log was before (no cap on its buffer)",
        },
        {
          id: 'invoke-no-log',
          label: 'invokeSync, no log',
          setup: 'invokeSync(add) with no observer: events are skipped before they are built',
        },
        {
          id: 'invoke-jsonl',
          label: 'invokeSync + JSONL',
          setup:
            'invokeSync(add) with KernelOptions.log set to a file; the loop awaits bus.drained() when the bus is congested',
        },
      ],
      measures,
      notes: [
        'Wall time from the first emit until the log file is closed, so buffered lines count only once written.',
        "detail.per_cpu_s: the same events per second of the process's CPU time (every thread: the file writes and the GC included), the figure a loaded machine disturbs least.",
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
