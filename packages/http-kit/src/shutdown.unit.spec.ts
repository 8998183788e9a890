import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { runUntilSignalled } from './shutdown.js';
import type { ProcessControl } from './shutdown.js';

class FakeProcess extends EventEmitter implements ProcessControl {
  readonly exitCodes: number[] = [];
  exit(code: number): void {
    this.exitCodes.push(code);
  }
}

const deferred = () => {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

const fakeApp = (close: () => Promise<void>, steps: string[]) => ({
  log: createLogger({ name: 'test', level: 'silent' }),
  close: async () => {
    steps.push('close started');
    await close();
    steps.push('closed');
  },
});

describe('runUntilSignalled', () => {
  it('on SIGTERM closes the app, then runs the hooks in order, then exits 0', async () => {
    const steps: string[] = [];
    const fake = new FakeProcess();
    const control = runUntilSignalled(
      fakeApp(async () => {}, steps),
      {
        process: fake,
        onShutdown: [
          () => void steps.push('store closed'),
          () => Promise.resolve().then(() => void steps.push('pool closed')),
        ],
      },
    );
    fake.emit('SIGTERM', 'SIGTERM');
    await control.shutdown('again');
    expect(steps).toEqual(['close started', 'closed', 'store closed', 'pool closed']);
    expect(fake.exitCodes).toEqual([0]);
  });

  it('exits 1 at once on a second signal while draining', async () => {
    const steps: string[] = [];
    const draining = deferred();
    const fake = new FakeProcess();
    const control = runUntilSignalled(
      fakeApp(() => draining.promise, steps),
      { process: fake },
    );
    fake.emit('SIGINT', 'SIGINT');
    fake.emit('SIGTERM', 'SIGTERM');
    expect(fake.exitCodes).toEqual([1]);
    expect(steps).toEqual(['close started']);
    draining.resolve();
    await control.shutdown('done');
  });

  it('still runs every hook but exits 1 when one fails', async () => {
    const steps: string[] = [];
    const fake = new FakeProcess();
    const control = runUntilSignalled(
      fakeApp(async () => {}, steps),
      {
        process: fake,
        onShutdown: [
          () => {
            throw new Error('store refused to close');
          },
          () => void steps.push('pool closed'),
        ],
      },
    );
    await control.shutdown('test');
    expect(steps).toContain('pool closed');
    expect(fake.exitCodes).toEqual([1]);
  });

  it('exits 1 when draining outlasts the timeout', async () => {
    const fake = new FakeProcess();
    const never = deferred();
    runUntilSignalled(
      fakeApp(() => never.promise, []),
      { process: fake, timeoutMs: 20 },
    );
    fake.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fake.exitCodes).toEqual([1]);
    never.resolve();
  });

  it('stops listening for signals once disposed', () => {
    const fake = new FakeProcess();
    const control = runUntilSignalled(
      fakeApp(async () => {}, []),
      { process: fake },
    );
    expect(fake.listenerCount('SIGTERM')).toBe(1);
    control.dispose();
    expect(fake.listenerCount('SIGTERM')).toBe(0);
    expect(fake.listenerCount('SIGINT')).toBe(0);
  });
});
