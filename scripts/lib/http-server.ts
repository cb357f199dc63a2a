/**
 * A local HTTP server for the outgoing-HTTP tests and bench, on 127.0.0.1 in a worker thread: guests run
 * synchronously on the test's own thread, so a server there could never answer them.
 *
 * Routes: `/hello` (200 "hi"); `/echo` (the method, `Host` header, `x-probe` header and body
 * length); `/redirect?to=URL` (302 to URL); `/slow?ms=N` (answers after N ms, 3 s by default);
 * `/huge?mib=N` (N MiB, 16 by default); `/count` (how many requests the server has seen);
 * `/open` (how many other connections are open now).
 */
import { Worker } from 'node:worker_threads';

const SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let seen = 0;
let open = 0;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/count' && url.pathname !== '/open') seen++;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    switch (url.pathname) {
      case '/hello': res.end('hi'); break;
      case '/echo': res.end(JSON.stringify({ method: req.method, host: req.headers.host, probe: req.headers['x-probe'] ?? null, length: body.length })); break;
      case '/redirect': res.writeHead(302, { location: url.searchParams.get('to') }); res.end(); break;
      case '/slow': setTimeout(() => res.end('late'), Number(url.searchParams.get('ms') ?? 3000)); break;
      case '/huge': { res.writeHead(200); const block = Buffer.alloc(1 << 20, 97); const n = Number(url.searchParams.get('mib') ?? 16); for (let i = 0; i < n; i++) res.write(block); res.end(); break; }
      case '/count': res.end(String(seen)); break;
      case '/open': res.end(String(open - 1)); break;
      default: res.writeHead(404); res.end('no');
    }
  });
});
server.on('connection', (socket) => { open++; socket.on('close', () => open--); });
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

export interface TestServer {
  port: number;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const worker = new Worker(SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}
