/**
 * The worker side of a worker sandbox: one guest, instantiated in this thread with Keel's
 * canonical ABI and its own meter. Nothing of the kernel lives here: every host function is a
 * request over the syscall channel (`channel.ts`), served in the kernel's thread while this
 * thread sleeps on `Atomics.wait`. Between calls the thread sleeps the same way, waiting for the
 * next one: its event loop is not used after the init. The kernel may end this thread at any
 * moment (`worker.terminate()`): nothing here needs to be cleaned up.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import {
  clearThrown,
  guardedHost,
  type HostMark,
  handleLimitCounter,
  hostThrew,
  THREW,
} from '../abi/handles.js';
import { ComponentInstance } from '../abi/instance.js';
import { planComponent } from '../abi/plan.js';
import { stopGuest } from '../kernel/deadline.js';
import { KeelError } from '../kernel/errors.js';
import { classifyFailure, componentErrorPayload, GuestExit } from '../kernel/traps.js';
import {
  adoptCounter,
  createMeterRuntime,
  KEEL_MODULE,
  type MemoryLayout,
  type MeterRuntime,
} from '../meter/index.js';
import { ChannelEnd, TooLargeError, wireBytes } from './channel.js';
import { osThreadId } from './os-thread.js';
import { calleeOf, type HostRequest, type Outcome, ProxyRecords, settle, thrown } from './remote.js';

/** What the kernel sends to start the guest. */
export interface WorkerInit {
  op: 'init';
  port: MessagePort;
  /** The channel's shared buffer (`channelBuffer`). */
  buffer: SharedArrayBuffer;
  /** Polls of the kernel's word before sleeping on it (`channel.ts`). */
  spin: number;
  /** A component's bytes (planned again here: the plan is data, the bytes are verified). */
  componentBytes?: Uint8Array;
  /** Compiled core modules: a component's in plan order, or the one plain core module. */
  modules: WebAssembly.Module[];
  /** The shape of the linked imports: interface (or core namespace) → member → kind. */
  shape: Record<string, Record<string, 'function' | 'class'>>;
  /** Imports whose provider declares no WIT types, and the provider's name (`ComponentLink.untyped`). */
  untyped?: Map<string, string>;
  meter?: {
    memoryBytes: number;
    tableElements: number;
    growFailure: 'return-minus-one' | 'error';
    layout?: MemoryLayout | undefined;
  };
  /** Bytes one call may lift from the guest (each charged `fuelPerByte`). */
  maxCallBytes: number;
  /** Bytes a guest may pass one host function in one call (`limits.hostArgBytes`). */
  maxHostArgBytes: number;
  /** Fuel of a resource's constructor, method or static function call. */
  callFuel: number;
  fuelPerByte: number;
  handleLimit: number;
  /** Fuel the start functions may use. */
  fuel: number;
  /** Core namespaces answered here: `proc_exit` of an embedded preview1 adapter ends the guest. */
  exitGranted: boolean;
}

/** A call into the guest, from the kernel. */
export interface WorkerInvoke {
  op: 'invoke';
  id: number;
  name: string;
  args: unknown[];
  /** Fuel the call may use (the kernel's meter is the truth between calls). */
  fuel: number;
}

/** What the worker sends the kernel in its frames: each is followed by a wait for the kernel. */
export type WorkerMessage =
  /** `exhausted`: the start functions ran past the budget (`spent`), as a result's. */
  | { op: 'ready'; exports: string[]; fuel: number; exhausted: boolean }
  | { op: 'failed'; outcome: Outcome }
  | { op: 'host'; request: HostRequest; fuel: number }
  /**
   * `threw`: the outcome is what host code threw into the guest (`mark`), however the guest went
   * on: the kernel's sandbox keeps it as inline (`hostThrew` on its gate), so that an
   * `invalid-argument` thrown into the guest poisons the sandbox as it does inline.
   */
  | { op: 'result'; id: number; outcome: Outcome; fuel: number; exhausted: boolean; threw: boolean };

/** What the worker posts the kernel one way, on the channel's port. */
export type WorkerNotice =
  /** The init arrived: the guest's modules are instantiated (its start functions run) now. */
  | { op: 'starting' }
  | { op: 'limit'; what: 'memory' | 'table'; requested: number }
  /** The guest went past `limits.handles` or `limits.hostArgBytes` (at most one notice a call). */
  | { op: 'resource-limit'; reached: ResourceLimitReached };

/** Which per-sandbox resource limit the guest went past, and how. */
export type ResourceLimitReached =
  | { limit: 'handles'; kind: string }
  | { limit: 'hostArgBytes'; bytes: number; import: string };

/** What the kernel answers to a host request: the outcome and the fuel left after it. */
export interface HostReply {
  outcome: Outcome;
  fuel: number;
}

let channel: ChannelEnd;
/** The bounds the kernel holds this worker's messages to (channel.ts, wireBytes). */
let hostCallBytes = Number.POSITIVE_INFINITY;
let resultBytes = Number.POSITIVE_INFINITY;
let meter: MeterRuntime | undefined;
let call: ((name: string, args: unknown[]) => unknown) | undefined;
let records: ProxyRecords;
/**
 * What host code threw into the guest in the call in progress (`HostMark`, as the kernel's
 * sandbox keeps it inline): the guest may catch it (legacy exception handling), but the call
 * fails with it, a later host entry of the call is refused with it, and the meter stops the guest.
 */
const mark: HostMark = {
  busy: 0,
  thrown: undefined,
  onThrown(error) {
    stopGuest(meter, error);
  },
};

/** A new call (or the instantiation): nothing thrown into the guest yet. */
function unmark(): void {
  clearThrown(mark);
  mark.busy = 0;
}

/** What the call ends as when host code threw into the guest: its first error, however the guest went on. */
function markedOutcome(name: string): Outcome | undefined {
  return mark.busy >= THREW ? crossing(mark.thrown, name) : undefined;
}
/**
 * Limit notices sent in this call: one per kind, so that a guest retrying `memory.grow` in a
 * loop cannot flood the kernel's queue (the kernel's events say the rest).
 */
const noticed = new Set<'memory' | 'table'>();

function notice(what: 'memory' | 'table', requested: number): void {
  if (noticed.has(what)) return;
  noticed.add(what);
  channel.post({ op: 'limit', what, requested } satisfies WorkerNotice);
}

/** A resource limit's notice, once per call (the guest's call fails at the first refusal anyway). */
let resourceNoticed = false;

function noticeResource(reached: ResourceLimitReached): void {
  if (resourceNoticed) return;
  resourceNoticed = true;
  channel.post({ op: 'resource-limit', reached } satisfies WorkerNotice);
}

function send(message: WorkerMessage, maxBytes?: number): void {
  channel.send(message, maxBytes);
}

/** A host call: write it, sleep until the kernel answers. Fuel crosses both ways. */
function hostCall(request: HostRequest): unknown {
  try {
    send({ op: 'host', request, fuel: meter?.remaining() ?? 0 }, hostCallBytes);
  } catch (error) {
    const callee = calleeOf(request);
    if (error instanceof TooLargeError) {
      // Within hostArgBytes as the ABI counts, past it on the channel (long names): refused
      // here as the ABI refuses, before the kernel sees it (it would end the sandbox).
      noticeResource({ limit: 'hostArgBytes', bytes: error.bytes, import: callee });
      throw new KeelError(
        'resource-limit',
        `the guest passed ${callee} ${error.bytes} bytes on the channel, over ${error.limit} (limits.hostArgBytes, docs/placement.md)`,
        { limit: 'hostArgBytes', max: error.limit, bytes: error.bytes, import: callee },
      );
    }
    throw new KeelError(
      'invalid-argument',
      `a host call's argument cannot cross to the kernel: ${String(error)}`,
    );
  }
  const reply = channel.receive() as HostReply;
  if (meter) meter.setRemaining(reply.fuel);
  return settle(reply.outcome, (v) => v);
}

function start(init: WorkerInit): void {
  records = new ProxyRecords(hostCall);
  const imports: Record<string, Record<string, unknown>> = {};
  for (const [iface, members] of Object.entries(init.shape)) {
    const record = records.record(iface);
    const shaped: Record<string, unknown> = {};
    // A core module calls them directly (a component through its trampolines, which mark).
    for (const name of Object.keys(members))
      shaped[name] = init.componentBytes
        ? record[name]
        : guardedHost(record[name] as (...args: never[]) => unknown, mark);
    imports[iface] = shaped;
  }
  if (init.meter) {
    meter = createMeterRuntime(
      { fuel: init.fuel, ...init.meter },
      {
        onMemoryLimit: (requested) => notice('memory', requested),
        onTableLimit: (requested) => notice('table', requested),
        onHostThrew: (error) => hostThrew(mark, error),
      },
    );
  }
  const link = (module: WebAssembly.Module, given?: WebAssembly.Imports): WebAssembly.Instance => {
    let linked = given ?? {};
    const preview1 = linked.wasi_snapshot_preview1;
    if (init.exitGranted && preview1 && typeof preview1.proc_exit === 'function') {
      linked = {
        ...linked,
        wasi_snapshot_preview1: {
          ...preview1,
          proc_exit: guardedHost((code: number) => {
            throw new GuestExit(code >>> 0);
          }, mark),
        },
      };
    }
    if (!meter) return new WebAssembly.Instance(module, linked);
    linked = { ...linked, [KEEL_MODULE]: meter.imports.keel as WebAssembly.ModuleImports };
    const instance = new WebAssembly.Instance(module, linked);
    // A component's only core instance defines its counter (the loader's `soleCoreInstance`).
    adoptCounter(meter, instance);
    return instance;
  };
  if (init.componentBytes) {
    const plan = planComponent(init.componentBytes);
    const component = new ComponentInstance(plan, init.modules, {
      imports,
      instantiateCore: link,
      bytes: {
        maxCallBytes: init.maxCallBytes,
        maxHostArgBytes: init.maxHostArgBytes,
        charge: (bytes) => {
          if (bytes > 0) meter?.charge(bytes * init.fuelPerByte);
        },
        chargeCall: () => {
          if (init.callFuel > 0) meter?.charge(init.callFuel);
        },
        onHostArgLimit: (bytes, callee) => noticeResource({ limit: 'hostArgBytes', bytes, import: callee }),
      },
      handles: handleLimitCounter(init.handleLimit, (kind) => noticeResource({ limit: 'handles', kind })),
      untyped: init.untyped,
      gate: mark,
    });
    call = (name, args) => {
      const found = component.exportFunction(name);
      if (!found) throw new KeelError('no-such-target', `no export "${name}"`);
      return found.fn(...args);
    };
    // A start function that caught a host's error and returned still failed.
    if (mark.busy >= THREW) throw mark.thrown;
    // Settled first: a start function with no check that ran past the budget is out of fuel.
    const exhausted = meter?.spent() ?? false;
    send({ op: 'ready', exports: [], fuel: meter?.remaining() ?? 0, exhausted });
    return;
  }
  const instance = link(init.modules[0]!, imports as WebAssembly.Imports);
  const exports = instance.exports as Record<string, unknown>;
  call = (name, args) => {
    const f = Object.hasOwn(exports, name) ? exports[name] : undefined;
    if (typeof f !== 'function') throw new KeelError('no-such-target', `no export "${name}"`);
    return (f as (...a: unknown[]) => unknown)(...args);
  };
  if (mark.busy >= THREW) throw mark.thrown;
  const exhausted = meter?.spent() ?? false;
  send({
    op: 'ready',
    exports: Object.keys(exports).filter((k) => typeof exports[k] === 'function'),
    fuel: meter?.remaining() ?? 0,
    exhausted,
  });
}

function invoke(message: WorkerInvoke): void {
  meter?.setRemaining(message.fuel);
  noticed.clear();
  resourceNoticed = false;
  unmark();
  let outcome: Outcome;
  try {
    const value = call!(message.name, message.args);
    outcome = markedOutcome(message.name) ?? { ok: records.encode(value) };
  } catch (error) {
    outcome = markedOutcome(message.name) ?? crossing(error, message.name);
  }
  // Settled first: a body with no check that ran past the budget is out of fuel (`spent`).
  const exhausted = meter?.spent() ?? false;
  const fuel = meter?.remaining() ?? 0;
  const threw = mark.busy >= THREW;
  try {
    send({ op: 'result', id: message.id, outcome, fuel, exhausted, threw }, resultBytes);
  } catch (error) {
    // Past the call's byte budget on the channel is the guest's, as past it in the ABI (a trap).
    const failure =
      error instanceof TooLargeError
        ? new KeelError(
            'trap',
            `the result of ${message.name} takes ${error.bytes} bytes on the channel, over ${error.limit}`,
            {
              bytes: error.bytes,
              limit: error.limit,
            },
          )
        : new KeelError('internal', `a result cannot cross to the kernel: ${String(error)}`);
    send({ op: 'result', id: message.id, outcome: thrown(failure, (v) => v), fuel, exhausted, threw });
  }
}

/**
 * A failure as it crosses, sorted as inline (`classifyFailure`): traps and stack overflows keep
 * what they are; a component export's `result::err` keeps its payload.
 */
function crossing(error: unknown, exportName: string): Outcome {
  const component = componentErrorPayload(error);
  if (component) return { $error: records.encode(component.payload) };
  if (error instanceof WebAssembly.LinkError) {
    return {
      $keel: { code: 'invalid-module', message: `cannot link the guest's core modules: ${error.message}` },
    };
  }
  return thrown(error instanceof GuestExit ? error : classifyFailure(error, exportName), (v) => v);
}

parentPort!.once('message', (init: WorkerInit) => {
  channel = new ChannelEnd(init.buffer, init.port, 'worker', undefined, init.spin);
  hostCallBytes = wireBytes(init.maxHostArgBytes);
  resultBytes = wireBytes(init.maxCallBytes);
  channel.announceThread(osThreadId());
  channel.post({ op: 'starting' } satisfies WorkerNotice);
  try {
    unmark();
    start(init);
  } catch (error) {
    send({ op: 'failed', outcome: markedOutcome('instantiation') ?? crossing(error, 'instantiation') });
    return;
  }
  // The guest's thread from now on: sleep until a call comes, run it, answer, sleep again.
  for (;;) {
    const message = channel.receive() as WorkerInvoke;
    if (message?.op === 'invoke') invoke(message);
  }
});
