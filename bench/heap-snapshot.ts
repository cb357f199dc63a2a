/**
 * Where the JS heap of an idle sandbox goes: a heap-snapshot diff (issue 12).
 *
 *   npm run build && node --expose-gc dist/bench/heap-snapshot.js [subject] [n] [--json file]
 *
 * In one process: the memory group's factory for `subject` (bench/memory.ts: keel, jco-1.12,
 * plain, ...), three sandboxes spawned, called and closed (code warmed), full collections, a
 * heap snapshot; then `n` sandboxes (default 1,000) spawned, each called once and all kept (as
 * the memory group keeps them), full collections, a second snapshot. The objects in the second
 * snapshot that the first did not have are what those sandboxes cost. Printed per sandbox:
 * - their self size grouped by V8's type and constructor (closures by function name), with the
 *   commonest retainer path of each group (edge names, nearest first);
 * - their retained size attributed, through the dominator tree of the second snapshot, to the
 *   nearest dominating object that is an instance of a named class (a `Sandbox`, a `Context`,
 *   a `WebAssembly.Instance`, ...), closures and plain objects counting towards that owner.
 * Weak edges are not followed (they retain nothing).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { factory, type Spawned } from './memory.js';

interface Snapshot {
  /** Per node: type index, name (string index), id, self size, edge count. */
  types: string[];
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Float64Array;
  nodeSelf: Float64Array;
  firstEdge: Uint32Array;
  /** Per edge: type index, name (string index or element index), target node index. */
  edgeTypes: string[];
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
  strings: string[];
}

function parseSnapshot(file: string): Snapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: {
      meta: {
        node_fields: string[];
        node_types: unknown[][];
        edge_fields: string[];
        edge_types: unknown[][];
      };
    };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nId = meta.node_fields.indexOf('id');
  const nSelf = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const count = raw.nodes.length / nf;
  const edgeCount = raw.edges.length / ef;
  const s: Snapshot = {
    types: meta.node_types[0] as string[],
    nodeType: new Uint8Array(count),
    nodeName: new Uint32Array(count),
    nodeId: new Float64Array(count),
    nodeSelf: new Float64Array(count),
    firstEdge: new Uint32Array(count + 1),
    edgeTypes: meta.edge_types[0] as string[],
    edgeType: new Uint8Array(edgeCount),
    edgeName: new Uint32Array(edgeCount),
    edgeTo: new Uint32Array(edgeCount),
    strings: raw.strings,
  };
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const o = i * nf;
    s.nodeType[i] = raw.nodes[o + nType]!;
    s.nodeName[i] = raw.nodes[o + nName]!;
    s.nodeId[i] = raw.nodes[o + nId]!;
    s.nodeSelf[i] = raw.nodes[o + nSelf]!;
    s.firstEdge[i] = edge;
    edge += raw.nodes[o + nEdges]!;
  }
  s.firstEdge[count] = edge;
  for (let e = 0; e < edgeCount; e++) {
    const o = e * ef;
    s.edgeType[e] = raw.edges[o + eType]!;
    s.edgeName[e] = raw.edges[o + eName]!;
    s.edgeTo[e] = raw.edges[o + eTo]! / nf;
  }
  return s;
}

const typeOf = (s: Snapshot, i: number) => s.types[s.nodeType[i]!]!;

function nodeLabel(s: Snapshot, i: number): string {
  const type = typeOf(s, i);
  const name = s.strings[s.nodeName[i]!]!;
  if (type === 'object' || type === 'native') return name;
  if (type === 'closure') return `closure ${name || '(anonymous)'}`;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return `(${type})`;
  if (type === 'number') return '(heap number)';
  return `(${type}) ${name.length > 40 ? `${name.slice(0, 40)}…` : name}`;
}

function edgeLabel(s: Snapshot, e: number): string {
  const type = s.edgeTypes[s.edgeType[e]!]!;
  if (type === 'element' || type === 'hidden') return `[${s.edgeName[e]}]`;
  return s.strings[s.edgeName[e]!]!;
}

const followed = (s: Snapshot, e: number) => s.edgeTypes[s.edgeType[e]!] !== 'weak';

/** Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm), node 0 the root. */
function dominators(s: Snapshot): Int32Array {
  const n = s.nodeType.length;
  // Post-order by an iterative depth-first search from the root.
  const order = new Int32Array(n).fill(-1);
  const post: number[] = [];
  const stack: number[] = [0];
  const next = new Uint32Array(n);
  const seen = new Uint8Array(n);
  seen[0] = 1;
  for (let i = 0; i < n; i++) next[i] = s.firstEdge[i]!;
  while (stack.length) {
    const v = stack[stack.length - 1]!;
    if (next[v]! < s.firstEdge[v + 1]!) {
      const e = next[v]!++;
      if (!followed(s, e)) continue;
      const w = s.edgeTo[e]!;
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    } else {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  // Predecessors of each reachable node.
  const predCount = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    for (let e = s.firstEdge[v]!; e < s.firstEdge[v + 1]!; e++)
      if (followed(s, e)) predCount[s.edgeTo[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) predCount[i + 1]! += predCount[i]!;
  const preds = new Uint32Array(predCount[n]!);
  const fill = predCount.slice(0, n);
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    for (let e = s.firstEdge[v]!; e < s.firstEdge[v + 1]!; e++)
      if (followed(s, e)) preds[fill[s.edgeTo[e]!]!++] = v;
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = post.length - 2; k >= 0; k--) {
      const v = post[k]!;
      let d = -1;
      for (let p = predCount[v]!; p < predCount[v + 1]!; p++) {
        const u = preds[p]!;
        if (idom[u] === -1) continue;
        d = d === -1 ? u : intersect(u, d);
      }
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  return idom;
}

/** Objects that are not an owner worth naming: their retained size goes to the one above. */
const ANONYMOUS = new Set([
  'Object',
  'Array',
  'Map',
  'Set',
  'WeakMap',
  'system / Context',
  '(object properties)',
]);

function isOwner(s: Snapshot, i: number): boolean {
  const type = typeOf(s, i);
  if (type !== 'object') return false;
  const name = s.strings[s.nodeName[i]!]!;
  return !ANONYMOUS.has(name) && !name.startsWith('system /') && !name.startsWith('(');
}

interface Row {
  group: string;
  bytes: number;
  count: number;
  path?: string;
}

function report(before: Snapshot, after: Snapshot, n: number, top: number) {
  const old = new Set<number>();
  for (const id of before.nodeId) old.add(id);
  const count = after.nodeType.length;
  const fresh = new Uint8Array(count);
  let total = 0;
  for (let i = 0; i < count; i++)
    if (!old.has(after.nodeId[i]!)) {
      fresh[i] = 1;
      total += after.nodeSelf[i]!;
    }
  // First retainer of each node (the first non-weak edge found pointing to it), for paths.
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Int32Array(count).fill(-1);
  for (let v = 0; v < count; v++)
    for (let e = after.firstEdge[v]!; e < after.firstEdge[v + 1]!; e++) {
      const w = after.edgeTo[e]!;
      if (!fresh[w] || retainer[w] !== -1 || !followed(after, e)) continue;
      // Prefer a fresh retainer (the sandbox's own objects) over an old one.
      retainer[w] = v;
      retainerEdge[w] = e;
    }
  for (let v = 0; v < count; v++) {
    if (!fresh[v]) continue;
    for (let e = after.firstEdge[v]!; e < after.firstEdge[v + 1]!; e++) {
      const w = after.edgeTo[e]!;
      if (!fresh[w] || !followed(after, e) || fresh[retainer[w]!]) continue;
      retainer[w] = v;
      retainerEdge[w] = e;
    }
  }
  const pathOf = (i: number) => {
    const parts: string[] = [];
    let v = i;
    for (let k = 0; k < 3 && retainer[v]! !== -1; k++) {
      const r = retainer[v]!;
      parts.push(`${edgeLabel(after, retainerEdge[v]!)} of ${nodeLabel(after, r)}`);
      if (!fresh[r]) break;
      v = r;
    }
    return parts.join(' < ');
  };
  const groups = new Map<string, { bytes: number; count: number; paths: Map<string, number> }>();
  for (let i = 0; i < count; i++) {
    if (!fresh[i]) continue;
    const group = `${nodeLabel(after, i)}`;
    let g = groups.get(group);
    if (!g) {
      g = { bytes: 0, count: 0, paths: new Map() };
      groups.set(group, g);
    }
    g.bytes += after.nodeSelf[i]!;
    g.count++;
    const path = pathOf(i);
    g.paths.set(path, (g.paths.get(path) ?? 0) + 1);
  }
  const bySelf: Row[] = [...groups]
    .map(([group, g]) => ({
      group,
      bytes: g.bytes / n,
      count: g.count / n,
      path: [...g.paths].sort((a, b) => b[1] - a[1])[0]![0],
    }))
    .sort((a, b) => b.bytes - a.bytes);
  // Retained sizes through the dominator tree, attributed to the nearest named owner.
  const idom = dominators(after);
  const owners = new Map<string, { bytes: number; count: number }>();
  const ownerOf = new Int32Array(count).fill(-2);
  const resolve = (i: number): number => {
    const chain: number[] = [];
    let v = i;
    while (ownerOf[v] === -2) {
      if (isOwner(after, v) && fresh[v]) {
        ownerOf[v] = v;
        break;
      }
      if (!fresh[v] || idom[v] === -1 || idom[v] === v) {
        ownerOf[v] = -1;
        break;
      }
      chain.push(v);
      v = idom[v]!;
    }
    for (const c of chain) ownerOf[c] = ownerOf[v]!;
    return ownerOf[i]!;
  };
  for (let i = 0; i < count; i++) {
    if (!fresh[i]) continue;
    const o = resolve(i);
    const name = o < 0 ? '(no fresh named owner: retained by old objects)' : nodeLabel(after, o);
    let row = owners.get(name);
    if (!row) {
      row = { bytes: 0, count: 0 };
      owners.set(name, row);
    }
    row.bytes += after.nodeSelf[i]!;
    if (o === i) row.count++;
  }
  const byOwner: Row[] = [...owners]
    .map(([group, r]) => ({ group, bytes: r.bytes / n, count: r.count / n }))
    .sort((a, b) => b.bytes - a.bytes);
  return { total: total / n, bySelf: bySelf.slice(0, top), byOwner: byOwner.slice(0, top) };
}

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heap-snapshot: run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'string' }, top: { type: 'string' } },
});
const subject = positionals[0] ?? 'keel';
const n = Number(positionals[1] ?? 1000);
const top = Number(values.top ?? 25);
const dir = mkdtempSync(join(tmpdir(), 'keel-heap-'));
try {
  const make = await factory(subject, join(dir, 'cache'));
  for (let i = 0; i < 3; i++) {
    const x = await make();
    x.touch();
    await x.close();
  }
  // Whatever the first spawns make once (shared caches, feedback) is made before the first snapshot.
  const warm: Spawned[] = [];
  for (let i = 0; i < 50; i++) {
    const x = await make();
    x.touch();
    warm.push(x);
  }
  await settle();
  const a = writeHeapSnapshot(join(dir, 'a.heapsnapshot'));
  const kept: Spawned[] = [];
  for (let i = 0; i < n; i++) {
    const x = await make();
    x.touch();
    kept.push(x);
  }
  await settle();
  const b = writeHeapSnapshot(join(dir, 'b.heapsnapshot'));
  const result = report(parseSnapshot(a), parseSnapshot(b), n, top);
  const kib = (x: number) => `${(x / 1024).toFixed(2)} KiB`;
  console.log(`${subject}: ${n} idle sandboxes, new objects' self size per sandbox ${kib(result.total)}`);
  console.log(
    '\nself size per sandbox, by type and constructor (count per sandbox; commonest retainer path):',
  );
  for (const r of result.bySelf)
    console.log(
      `  ${String(Math.round(r.bytes)).padStart(6)} B  ${r.count.toFixed(2).padStart(6)}  ${r.group}  <- ${r.path}`,
    );
  console.log(
    '\nretained per sandbox, by nearest dominating named object (objects of that kind per sandbox):',
  );
  for (const r of result.byOwner)
    console.log(
      `  ${String(Math.round(r.bytes)).padStart(6)} B  ${r.count.toFixed(2).padStart(6)}  ${r.group}`,
    );
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ subject, n, ...result }, null, 2)}\n`);
  for (const x of [...warm, ...kept]) await x.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
