/**
 * The probe's behaviour, shared by its two versions (probe and probe-v2, for upgrade tests).
 * A message body (or a `handle` input) is a command, words separated by spaces:
 *
 *   echo                          answer the sender (a reply if it was a request)
 *   send <to> <text>              send text to a peer
 *   sendn <to> <n> <size>         send n messages of size bytes, stop at the first failure
 *   flood <to> <n> <size>         try to send n messages of size bytes, whatever happens
 *   sendseq <to> <n> <prefix>     send n messages "<prefix>0" … "<prefix>n-1", stop at a failure
 *   request <to> <ms> <text>      send a request with a timeout
 *   reply <id> <text>             answer a request by id
 *   publish <topic> <text>        publish text on a topic
 *   subscribe <pattern>           subscribe to a pattern
 *   unsubscribe <pattern>
 *   spin <n>                      busy loop (fuel)
 *   trap                          trap (unreachable)
 *   id | fuel                     log the sandbox's id or its fuel left
 *   quiet | verbose               stop or resume logging deliveries
 *   stats                         (handle) "messages=N replies=N events=N signals=N"
 *
 * Everything it receives is logged (`msg`, `reply`, `event`, `signal` lines) unless quiet;
 * every command's status is logged as `<command> <status>`.
 */
import { info } from 'keel';
import { publish, subscribe, unsubscribe } from 'keel/events';
import { lastStatus, reply, request, send } from 'keel/ipc';
import { fuelLeft, id } from 'keel/self';
import { bytes, Status, statusName, text } from 'keel/types';

let messages: u32 = 0;
let replies: u32 = 0;
let events: u32 = 0;
let signals: u32 = 0;
let verbose = true;
let _sink: u64 = 0;

function rest(words: string[], from: i32): string {
  return words.slice(from).join(' ');
}

function filled(size: i32): Uint8Array {
  const body = new Uint8Array(size);
  body.fill(0x78);
  return body;
}

/** Run one command; returns its result text. */
export function run(version: string, sender: string, request_: u64, body: Uint8Array): string {
  const command = text(body);
  const words = command.split(' ');
  const verb = words.length > 0 ? words[0] : '';
  let status: Status = Status.Ok;
  let result = '';
  if (verb === 'echo') {
    const answer = bytes(`${version} ${command}`);
    status = request_ !== 0 ? reply(request_, answer) : send(sender, answer);
  } else if (verb === 'send' && words.length >= 2) {
    status = send(words[1], bytes(rest(words, 2)));
  } else if (verb === 'sendn' && words.length >= 4) {
    const n = <i32>parseInt(words[2], 10);
    const payload = filled(<i32>parseInt(words[3], 10));
    let sent = 0;
    for (; sent < n; sent++) {
      status = send(words[1], payload);
      if (status !== Status.Ok) break;
    }
    result = `sent=${sent.toString()}`;
  } else if (verb === 'flood' && words.length >= 4) {
    const n = <i32>parseInt(words[2], 10);
    const payload = filled(<i32>parseInt(words[3], 10));
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < n; i++) {
      if (send(words[1], payload) === Status.Ok) ok++;
      else failed++;
    }
    result = `ok=${ok.toString()} failed=${failed.toString()}`;
  } else if (verb === 'sendseq' && words.length >= 4) {
    const n = <i32>parseInt(words[2], 10);
    let sent = 0;
    for (; sent < n; sent++) {
      status = send(words[1], bytes(words[3] + sent.toString()));
      if (status !== Status.Ok) break;
    }
    result = `sent=${sent.toString()}`;
  } else if (verb === 'request' && words.length >= 3) {
    const id_ = request(words[1], bytes(rest(words, 3)), <u32>parseInt(words[2], 10));
    status = lastStatus();
    result = `id=${id_.toString()}`;
  } else if (verb === 'reply' && words.length >= 2) {
    status = reply(<u64>parseInt(words[1], 10), bytes(rest(words, 2)));
  } else if (verb === 'publish' && words.length >= 2) {
    status = publish(words[1], bytes(rest(words, 2)));
  } else if (verb === 'subscribe' && words.length >= 2) {
    status = subscribe(words[1]);
  } else if (verb === 'unsubscribe' && words.length >= 2) {
    unsubscribe(words[1]);
  } else if (verb === 'spin' && words.length >= 2) {
    const n = <u64>parseInt(words[1], 10);
    let acc: u64 = 0;
    for (let i: u64 = 0; i < n; i++) acc = acc * 31 + i;
    _sink = acc;
  } else if (verb === 'trap') {
    unreachable();
  } else if (verb === 'id') {
    result = id();
  } else if (verb === 'fuel') {
    result = fuelLeft().toString();
  } else if (verb === 'quiet') {
    verbose = false;
  } else if (verb === 'verbose') {
    verbose = true;
  } else if (verb === 'stats') {
    result =
      'messages=' +
      messages.toString() +
      ' replies=' +
      replies.toString() +
      ' events=' +
      events.toString() +
      ' signals=' +
      signals.toString();
  } else {
    return '';
  }
  if (verbose) info(`${verb} ${statusName(status)}${result.length > 0 ? ` ${result}` : ''}`);
  return result.length > 0 ? result : statusName(status);
}

export function onMessage(version: string, sender: string, body: Uint8Array, request_: u64): void {
  messages++;
  if (verbose) info(`${version} msg ${sender} ${request_.toString()} ${text(body)}`);
  run(version, sender, request_, body);
}

export function onReply(version: string, request_: u64, status: i32, body: Uint8Array): void {
  replies++;
  if (verbose) info(`${version} reply ${request_.toString()} ${status.toString()} ${text(body)}`);
}

export function onEvent(version: string, topic: string, sender: string, body: Uint8Array): void {
  events++;
  if (verbose) info(`${version} event ${topic} ${sender} ${text(body)}`);
}

export function onSignal(version: string, signal: i32): void {
  signals++;
  info(`${version} signal ${signal.toString()}`);
}

export function handle(version: string, input: Uint8Array): Uint8Array {
  return bytes(run(version, 'host', 0, input));
}
