/**
 * How many objects with a given prototype are alive, as V8's inspector counts them
 * (`Runtime.queryObjects`, which collects garbage first): a test that something is not made, or
 * not kept, without reading private state.
 */
import { Session } from 'node:inspector/promises';

export async function liveObjects(prototype: object): Promise<number> {
  const session = new Session();
  session.connect();
  const slot = globalThis as { __keelLiveObjectsProbe?: object };
  try {
    slot.__keelLiveObjectsProbe = prototype;
    const probe = await session.post('Runtime.evaluate', { expression: 'globalThis.__keelLiveObjectsProbe' });
    const found = await session.post('Runtime.queryObjects', { prototypeObjectId: probe.result.objectId! });
    const count = await session.post('Runtime.callFunctionOn', {
      objectId: found.objects.objectId!,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    return count.result.value as number;
  } finally {
    delete slot.__keelLiveObjectsProbe;
    session.disconnect();
  }
}
