// node --expose-gc --trace-gc immglobal.mjs: does an imported immutable i32 global give an instance a globals buffer (a backing store per instance)? young collections per 1,500 instances of a 1-page module with and without one
const wabt = await (await import('wabt')).default();
const mod = (src) => new WebAssembly.Module(wabt.parseWat('m.wat', src).toBinary({}).buffer);
const none = mod('(module (memory 1) (func (export "f") (result i32) (i32.const 1)))');
const imm = mod('(module (import "e" "g" (global i32)) (memory 1) (func (export "f") (result i32) (global.get 0)))');
const def = mod('(module (global (mut i32) (i32.const 0)) (memory 1) (func (export "f") (result i32) (global.get 0)))');
const g = new WebAssembly.Global({ value: 'i32' }, 7);
const subjects = { none: () => new WebAssembly.Instance(none), imported_immutable: () => new WebAssembly.Instance(imm, { e: { g } }), defined: () => new WebAssembly.Instance(def) };
for (let r = 0; r < 3; r++) for (const [n, f] of Object.entries(subjects)) {
  gc(); process.stdout.write(`@@B ${n}\n`);
  for (let i = 0; i < 1500; i++) await Promise.resolve(f());
  process.stdout.write('@@E\n');
}
