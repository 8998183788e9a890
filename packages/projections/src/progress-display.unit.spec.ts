import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgressLine, startProgressDisplay } from './progress-display.js';
import type { ProjectionStatus } from './runner-types.js';

const rebuilding: ProjectionStatus = {
  name: 'agreements',
  version: 2,
  role: 'active',
  lag: undefined,
  parked: false,
  builds: [
    {
      build: 1,
      schema: 'rm_agreements_v2',
      serving: false,
      phase: 'catching_up',
      position: 42n,
      eventsApplied: 12_345n,
      progress: { ratio: 0.452, eventsPerSecond: 2_100.4, secondsLeft: 75 },
    },
  ],
};

describe('progress display', () => {
  it('says what is rebuilt, how far, how fast and how long it will still take', () => {
    const build = rebuilding.builds[0]!;
    expect(formatProgressLine(rebuilding, build)).toBe(
      'rebuilding agreements v2 (rm_agreements_v2)  [#########...........]  45.2%  12,345 events  2,100/s  ~1m15s left',
    );
    expect(
      formatProgressLine(rebuilding, {
        ...build,
        serving: true,
        progress: { ...build.progress, secondsLeft: undefined },
      }),
    ).toContain('catching up agreements v2');
  });

  it('formats durations for people', () => {
    expect(formatDuration(4.4)).toBe('4s');
    expect(formatDuration(61)).toBe('1m01s');
    expect(formatDuration(7_260)).toBe('2h01m');
  });

  it('logs progress lines instead of redrawing when the output is not a terminal', async () => {
    const lines: { details: object; message: string }[] = [];
    const written: string[] = [];
    const stop = startProgressDisplay({
      status: () => [rebuilding],
      stream: { isTTY: false, write: (text: string) => written.push(text) },
      logger: {
        debug: () => undefined,
        info: (details, message) => lines.push({ details, message }),
        warn: () => undefined,
        error: () => undefined,
      },
      logIntervalMs: 10,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(written).toEqual([]);
    expect(lines[0]).toEqual({
      message: 'rebuilding',
      details: expect.objectContaining({
        projection: 'agreements',
        progressRatio: 0.452,
        eventsApplied: '12345',
        secondsLeft: 75,
      }) as object,
    });
  });

  it('redraws one line on a terminal and clears it when done', async () => {
    let statuses: ProjectionStatus[] = [rebuilding];
    const written: string[] = [];
    const stop = startProgressDisplay({
      status: () => statuses,
      stream: { isTTY: true, write: (text: string) => written.push(text) },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      terminalIntervalMs: 10,
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    statuses = [];
    await new Promise((resolve) => setTimeout(resolve, 40));
    stop();
    expect(written[0]?.startsWith('\r\u001b[2Krebuilding agreements v2')).toBe(true);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });
});
