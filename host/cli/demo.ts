/**
 * `keel demo` (what `npm start` runs): load the sample guests from guests/, run them with
 * grants and limits, and show what happened, including a denied capability and a trap.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Kernel } from '../default-kernel.js';
import { EVENTS } from '../events/names.js';
import type { KeelEvent } from '../events/record.js';
import { type ErrorCode, KeelError } from '../kernel/errors.js';
import { parseFlags } from './flags.js';
import { asKeelError, EXIT_GUEST_FAILED, EXIT_OK, stderr, stdout, styles } from './output.js';

const { bold, dim, green, red, yellow } = styles(stdout);

export const DEMO_HELP = `Usage: keel demo [--log <file.jsonl>]

Run Keel's sample guests from guests/ on the embedded defaults: an
AssemblyScript component, a plain core module, a WASI preview1 command, a
guest whose capability is denied, a plan of several guests, one that traps,
one that runs out of fuel and one that hits its memory limit. Shows each
result and the events the kernel emitted.

Options:
  --log <file.jsonl>  Also write the event log (JSONL, schema v1)
  -h, --help          Show this help
`;

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

async function watModule(path: string): Promise<Uint8Array> {
  // The WAT samples are compiled on the fly with the wabt package (a dev dependency).
  const { default: init } = await import('wabt');
  const wabt = await init();
  const parsed = wabt.parseWat(path, await readFile(root(path), 'utf8'));
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

interface Step {
  title: string;
  /** `ok`, or the error code the step must fail with. */
  expect: 'ok' | ErrorCode;
  /** `events` collects what the demo shows; a step with a kernel of its own adds its events there. */
  run(kernel: Kernel, events: KeelEvent[]): Promise<string>;
}

const STEPS: Step[] = [
  {
    title: 'AssemblyScript component: greet("Keel"), with keel:kernel/log granted',
    expect: 'ok',
    async run(kernel) {
      const module = await kernel.load(root('guests/as/hello/hello.wasm'), { name: 'hello' });
      const sandbox = await kernel.spawn(module, { grants: ['keel:kernel/log'] });
      return JSON.stringify(await sandbox.call('greet', 'Keel'));
    },
  },
  {
    title: 'Plain core module: add(2, 40), no grants at all',
    expect: 'ok',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/add.wat'), { name: 'add' });
      const sandbox = await kernel.spawn(module);
      return JSON.stringify(await sandbox.call('add', 2, 40));
    },
  },
  {
    title: 'WASI preview1 command, stdio granted',
    expect: 'ok',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/preview1-hello.wat'), {
        name: 'preview1-hello',
      });
      let printed = '';
      const sandbox = await kernel.spawn(module, {
        grants: ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit'],
        io: { stdout: (chunk) => (printed += new TextDecoder().decode(chunk)) },
      });
      await sandbox.invoke('wasi:cli/run#run');
      return `printed ${JSON.stringify(printed)}`;
    },
  },
  {
    title: 'A guest that imports env.read_secret, not granted',
    expect: 'capability-denied',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/ungranted.wat'), { name: 'ungranted' });
      await kernel.spawn(module);
      return 'spawned (unexpected)';
    },
  },
  {
    title:
      'A plan of four AssemblyScript guests (guests/plans/pipeline.yaml): a pipeline whose flaky stage is killed and restarted',
    expect: 'ok',
    async run(kernel, events) {
      const { readPlan, runPlan } = await import('./up.js');
      const plan = await readPlan(root('guests/plans/pipeline.yaml'));
      let got = 0;
      const summary = await runPlan(plan, {
        baseDir: root('guests/plans'),
        ...(kernel.cacheDir ? { cacheDir: kernel.cacheDir } : {}),
        onEvent: (event) => {
          events.push(event);
          if (event.event === EVENTS.guestLog && String(event.data?.message).startsWith('got ')) got++;
        },
      });
      const s = (name: string) => summary.sandboxes.find((x) => x.name === name)!;
      if (summary.reason !== 'idle') throw new KeelError('timeout', `the plan stopped: ${summary.reason}`);
      const e = (name: string) => summary.events[name] ?? 0;
      return (
        `${summary.deliveries} deliveries; source sent ${s('source').sent} items, sink got ${got}; ` +
        `flaky killed ${e('policy:violation')}x (policy violation), restarted ${s('flaky').restarts}x, ${s('flaky').dropped} item(s) dropped`
      );
    },
  },
  {
    title: 'A guest that divides by zero',
    expect: 'trap',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/trap.wat'), { name: 'trap' });
      const sandbox = await kernel.spawn(module);
      await sandbox.call('div', 1, 0);
      return 'returned (unexpected)';
    },
  },
  {
    title: 'An endless loop, with 1,000,000 fuel',
    expect: 'fuel-exhausted',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/loop.wat'), { name: 'loop' });
      const sandbox = await kernel.spawn(module, { limits: { fuel: 1_000_000 } });
      await sandbox.call('spin');
      return 'returned (unexpected)';
    },
  },
  {
    title: 'A memory bomb, with a 4 MiB memory limit',
    expect: 'ok',
    async run(kernel) {
      const module = await kernel.load(await watModule('guests/wat/grow.wat'), { name: 'grow' });
      const sandbox = await kernel.spawn(module, { limits: { memoryBytes: 4 * 1024 * 1024 } });
      const pages = (await sandbox.call('bomb')) as number;
      return `memory stopped at ${pages} pages (${((pages * 64) / 1024).toFixed(2)} MiB): the next memory.grow got -1`;
    },
  },
];

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('demo', argv, {
    log: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (values.help) {
    stdout.write(DEMO_HELP);
    return EXIT_OK;
  }
  if (!existsSync(root('guests/as/hello/hello.wasm'))) {
    // The npm package ships the runtime, not the sample guests (nor wabt, a dev dependency).
    throw new KeelError(
      'invalid-argument',
      'keel demo runs the sample guests of a Keel repository checkout, which the npm package does not ship: clone the repository, `npm install`, then `npm start`',
    );
  }
  const log = values.log as string | undefined;
  const kernel = new Kernel({ cacheDir: root('.keel-cache'), ...(log ? { log } : {}) });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => {
    events.push(event);
  });
  const out = (line: string) => stdout.write(`${line}\n`);
  out(bold('Keel demo: untrusted WebAssembly, each in its own sandbox\n'));
  let surprises = 0;
  for (const [i, step] of STEPS.entries()) {
    const before = events.length;
    out(`${bold(`${i + 1}.`)} ${step.title}`);
    try {
      const result = await step.run(kernel, events);
      if (step.expect === 'ok') out(`   ${green('ok')}  ${result}`);
      else {
        surprises++;
        out(`   ${red('unexpected success')}  ${result}`);
      }
    } catch (error) {
      const failure = asKeelError(error);
      if (step.expect === failure.code) out(`   ${yellow(failure.code)}  ${failure.message}`);
      else {
        surprises++;
        out(`   ${red(`failed: ${failure.code}`)}  ${failure.message}`);
      }
    }
    const names = events.slice(before).map((e) => e.event);
    out(dim(`   events: ${summarize(names)}`));
  }
  await kernel.close();
  const guestLogs = events.filter((e) => e.event === EVENTS.guestLog).length;
  out('');
  out(
    `${events.length} events, ${guestLogs} guest log line(s)${log ? `, written to ${log}` : ''}. ` +
      dim('Try: npx keel inspect guests/as/hello/hello.wasm'),
  );
  if (surprises > 0) {
    stderr.write(
      `${red(new KeelError('internal', `${surprises} demo step(s) did not behave as expected`).message)}\n`,
    );
    return EXIT_GUEST_FAILED;
  }
  return EXIT_OK;
}

function summarize(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} x${n}` : name)).join(', ') || '(none)';
}
