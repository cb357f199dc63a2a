const D = process.argv[2] + '/dist';
const { BENCH_WAT, BENCH_WIT, componentFromWat } = await import(`${D}/scripts/lib/fixtures.js`);
const { Kernel } = await import(`${D}/host/index.js`);
const k = new Kernel({ cacheDir: false, metering: false, providers: [{ name: 'h', interfaces: ['keel:bench/host'], link: () => ({ tick: (x) => x + 1 }) }] });
const m = await k.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
const s = await k.spawn(m, { grants: ['keel:bench/host'] });
const ch = s.fn('call-host'); for (let i = 0; i < 3000; i++) ch(1000);
await k.close();
