/**
 * Bytes V8 has not seen: a component's core modules with a custom section of their own
 * (`keel-bench-nonce`), for measures that must not be answered by V8's in-process cache of
 * compiled modules (bench/load.ts). The metering pass keeps custom sections other than debug
 * information, so the metered modules differ too.
 */

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** A core module with a custom section `keel-bench-nonce` holding `nonce` appended. */
export function withNonce(core: Uint8Array, nonce: number): Uint8Array {
  const name = new TextEncoder().encode('keel-bench-nonce');
  const payload = [...leb(name.length), ...name, ...new TextEncoder().encode(`${nonce}`.padStart(12, '0'))];
  return concat([core, Uint8Array.from([0, ...leb(payload.length), ...payload])]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Walk a component's sections (nested components included): every core module (section 1)
 * goes through `edit`; returns the component rebuilt, and the core modules as edited.
 */
export function mapCoreModules(
  component: Uint8Array,
  edit: (core: Uint8Array) => Uint8Array,
): { component: Uint8Array; cores: Uint8Array[] } {
  const cores: Uint8Array[] = [];
  const walk = (bytes: Uint8Array): Uint8Array => {
    const parts: Uint8Array[] = [bytes.subarray(0, 8)];
    let at = 8;
    while (at < bytes.length) {
      const id = bytes[at]!;
      const [size, body] = readLeb(bytes, at + 1);
      const content = bytes.subarray(body, body + size);
      at = body + size;
      let next = content;
      if (id === 1) {
        next = edit(content);
        cores.push(next);
      } else if (id === 4) next = walk(content);
      parts.push(Uint8Array.from([id, ...leb(next.length)]), next);
    }
    return concat(parts);
  };
  return { component: walk(component), cores };
}
