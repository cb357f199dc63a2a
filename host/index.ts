/**
 * Keel's public API. Everything not re-exported here is internal and may change.
 */

export { type FdSourceOptions, fdSource } from './caps/fd-source.js';
export {
  type FilesystemScope,
  type FilesystemScopeInput,
  type Perms,
  type Preopen,
  parseFilesystemScope,
} from './caps/fs/scope.js';
export { BUILTIN_PROVIDERS } from './caps/index.js';
export type {
  ByteSource,
  CapabilityProvider,
  InvocationInput,
  LinkRequest,
  SandboxContext,
  SandboxIo,
} from './caps/provider.js';
export { wasiError } from './caps/provider.js';
export { type EnvironmentScope, parseEnvFlags } from './caps/wasi-cli.js';
export { parseDirFlag, parseDirFlags, parseDirSpec } from './caps/wasi-filesystem.js';
export { StreamClosed } from './caps/wasi-io.js';
export type { HostLoad } from './cluster/envelope.js';
export { type HostInfo, joinLattice, Lattice, type LatticeOptions } from './cluster/lattice.js';
export type {
  Placement,
  PlacementRequest,
  PlacementSpec,
  PlacementTarget,
} from './cluster/placement.js';
export { type ClusterCredentials, generateHostKey } from './cluster/trust.js';
export { Kernel } from './default-kernel.js';
export {
  type Backpressure,
  EventBus,
  type EventHook,
  type EventPattern,
  type SubscribeOptions,
} from './events/bus.js';
export {
  DEFAULT_LOG_BUFFER_BYTES,
  JsonlSink,
  type JsonlSinkOptions,
  type JsonlSinkStats,
  type LogStream,
} from './events/jsonl.js';
export { EVENT_NAMES, EVENTS, type EventLevel, type EventName } from './events/names.js';
export { EVENT_SCHEMA_VERSION, type EventError, type EventInput, type KeelEvent } from './events/record.js';
export { REDACTED, type RedactionOptions, Redactor } from './events/redact.js';
export { eventJsonSchema, eventRecordSchema } from './events/schema.js';
export type { WorkerPoolOptions } from './isolate/pool.js';
export {
  ERROR_CATALOG,
  ERROR_CODES,
  type ErrorCatalogEntry,
  type ErrorCode,
  isErrorCode,
  isKeelError,
  KeelError,
} from './kernel/errors.js';
export type {
  Denial,
  KernelOptions,
  LoadOptions,
  SandboxPlacement,
  SpawnOptions,
} from './kernel/kernel.js';
export {
  type ClusterLimits,
  DEFAULT_CLUSTER_LIMITS,
  DEFAULT_LIMITS,
  DEFAULT_MODULE_CACHE,
  formatSize,
  type Limits,
  parseSize,
  resolveLimits,
  senderQuota,
} from './kernel/limits.js';
export { ModuleHandle } from './kernel/module.js';
export {
  type FuelReport,
  type InvokeOptions,
  type InvokeOutcome,
  NS_PER_FUEL,
  Sandbox,
  type SandboxState,
} from './kernel/sandbox.js';
export type { CoreModuleHook, ModuleKind } from './loader/loader.js';
export type { World, WorldExport, WorldImport } from './loader/world.js';
export type {
  ApprovalContext,
  ApprovalDecision,
  ApprovalHook,
  CapabilityRequest,
} from './policy/approval.js';
export { type Grant, type GrantInput, normalizeGrant } from './policy/grants.js';
export { type Manifest, manifestJsonSchema, manifestSchema, parseManifest } from './policy/manifest.js';
export {
  type Plan,
  type PlanMessage,
  type PlanSandbox,
  type PlanSignal,
  parseDuration,
  parsePlan,
  planJsonSchema,
  planSchema,
} from './policy/plan.js';
export type { Envelope, EnvelopeKind } from './sched/mailbox.js';
export type { EventsScope, IpcScope } from './sched/port.js';
export {
  DOWN_TOPIC,
  type RequestOptions,
  type RunOptions,
  type RunResult,
  type SandboxSchedOptions,
  Scheduler,
  type SchedulerOptions,
  type ServiceInfo,
  SIGNALS,
  type SignalName,
  UNDELIVERED_TOPIC,
} from './sched/scheduler.js';
export type { Backoff, Ending, RestartPolicy, RestartPolicyInput } from './sched/supervise.js';
