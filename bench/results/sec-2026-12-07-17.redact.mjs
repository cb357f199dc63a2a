// node redact-micro.mjs TREE : us per 4 KiB observed text event (StreamRedactor.push + Redactor.apply of the event) with S secrets
const tree = process.argv[2];
const { Redactor } = await import(`${tree}/dist/host/events/redact.js`);
const { StreamRedactor } = await import(`${tree}/dist/host/events/stream-redact.js`);
const res = {};
for (const S of [1, 10, 100]) for (const kind of ['plain', 'prefixes']) {
  const secrets = Array.from({ length: S }, (_, k) => `tok_${k}_${'x'.repeat(20)}${k}`);
  const r = new Redactor({ values: secrets });
  const stream = new StreamRedactor(r);
  const msg = kind === 'plain' ? 'hello world, nothing secret here. '.repeat(121).slice(0, 4096) : 'tok_1_xxxxxxxxx'.repeat(300).slice(0, 4096);
  let sink = 0;
  const release = (text) => { sink += r.apply({ event: 'guest:log', data: { message: text } }).data.message.length; };
  const N = 400;
  const samples = [];
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) { stream.push(msg, i, release); stream.flush(release); }
    samples.push(Number(process.hrtime.bigint() - t0) / N / 1000);
  }
  samples.sort((a, b) => a - b);
  res[`${S}/${kind}`] = +samples[3].toFixed(1);
}
console.log(JSON.stringify(res));
