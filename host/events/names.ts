/**
 * The canonical event names (DESIGN.md's taxonomy). Every significant moment in the kernel is
 * one of these; `docs/events.md` lists the same names and a test keeps the two in sync.
 */
export const EVENTS = {
  kernelStart: 'kernel:start',
  kernelStop: 'kernel:stop',
  moduleLoad: 'module:load',
  moduleUnload: 'module:unload',
  sandboxSpawn: 'sandbox:spawn',
  sandboxExit: 'sandbox:exit',
  sandboxCrash: 'sandbox:crash',
  sandboxRestart: 'sandbox:restart',
  invokeStart: 'invoke:start',
  invokeEnd: 'invoke:end',
  invokeError: 'invoke:error',
  capabilityGranted: 'capability:granted',
  capabilityDenied: 'capability:denied',
  approvalRequired: 'approval:required',
  approvalGranted: 'approval:granted',
  approvalDenied: 'approval:denied',
  policyViolation: 'policy:violation',
  fuelExhausted: 'fuel:exhausted',
  deadlineExceeded: 'deadline:exceeded',
  memoryLimit: 'memory:limit',
  tableLimit: 'table:limit',
  signalSent: 'signal:sent',
  signalDelivered: 'signal:delivered',
  ipcSend: 'ipc:send',
  ipcDeliver: 'ipc:deliver',
  ipcDrop: 'ipc:drop',
  eventPublish: 'event:publish',
  guestLog: 'guest:log',
  guestStdout: 'guest:stdout',
  guestStderr: 'guest:stderr',
  hookError: 'hook:error',
  httpRequest: 'http:request',
  httpResponse: 'http:response',
  logSuppressed: 'log:suppressed',
  logDropped: 'log:dropped',
  logError: 'log:error',
  clusterJoin: 'cluster:join',
  clusterLeave: 'cluster:leave',
  clusterUp: 'cluster:up',
  clusterDown: 'cluster:down',
  clusterReject: 'cluster:reject',
  clusterReplace: 'cluster:replace',
  clusterExpire: 'cluster:expire',
  resourceLimit: 'resource:limit',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export const EVENT_NAMES: readonly EventName[] = Object.values(EVENTS);

export type EventLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
