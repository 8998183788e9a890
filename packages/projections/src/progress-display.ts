import type { BuildStatus, ProjectionStatus, RunnerLogger } from './runner-types.js';

export interface ProgressDisplayOptions {
  readonly status: () => readonly ProjectionStatus[];
  /** Where the progress line goes; usually `process.stderr`. */
  readonly stream: { readonly isTTY?: boolean; write(text: string): unknown };
  /** Receives periodic progress lines when `stream` is not a terminal. */
  readonly logger: RunnerLogger;
  /** Refresh of the terminal line; 250 ms by default. */
  readonly terminalIntervalMs?: number;
  /** Spacing of log lines when not on a terminal; 10 s by default. */
  readonly logIntervalMs?: number;
}

const bar = (ratio: number, width = 20): string => {
  const filled = Math.round(Math.min(1, Math.max(0, ratio)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};

const count = (value: bigint | number): string => value.toLocaleString('en-GB');

export const formatDuration = (seconds: number): string => {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
};

/** One line per build that is catching up: what, how far, how fast, how long still. */
export const formatProgressLine = (projection: ProjectionStatus, build: BuildStatus): string => {
  const what = build.serving ? 'catching up' : 'rebuilding';
  const { ratio, eventsPerSecond, secondsLeft } = build.progress;
  return [
    `${what} ${projection.name} v${projection.version} (${build.schema})`,
    bar(ratio),
    `${(ratio * 100).toFixed(1)}%`,
    `${count(build.eventsApplied)} events`,
    `${count(Math.round(eventsPerSecond))}/s`,
    secondsLeft === undefined ? 'time left unknown' : `~${formatDuration(secondsLeft)} left`,
  ].join('  ');
};

const catchingUp = (
  statuses: readonly ProjectionStatus[],
): { projection: ProjectionStatus; build: BuildStatus }[] =>
  statuses.flatMap((projection) =>
    projection.builds
      .filter((build) => build.phase === 'catching_up')
      .map((build) => ({ projection, build })),
  );

/**
 * Shows catch-up and rebuild progress: a self-updating line on a terminal, a log line every few
 * seconds otherwise (containers, CI). Returns the function that stops it.
 */
export const startProgressDisplay = (options: ProgressDisplayOptions): (() => void) => {
  if (options.stream.isTTY === true) {
    let shown = false;
    const timer = setInterval(() => {
      const lines = catchingUp(options.status()).map(({ projection, build }) =>
        formatProgressLine(projection, build),
      );
      if (lines.length === 0) {
        if (shown) options.stream.write('\r\x1b[2K');
        shown = false;
        return;
      }
      options.stream.write(`\r\x1b[2K${lines.join(' | ')}`);
      shown = true;
    }, options.terminalIntervalMs ?? 250);
    timer.unref();
    return () => {
      clearInterval(timer);
      if (shown) options.stream.write('\r\x1b[2K');
    };
  }
  const timer = setInterval(() => {
    for (const { projection, build } of catchingUp(options.status())) {
      options.logger.info(
        {
          projection: projection.name,
          version: projection.version,
          schema: build.schema,
          progressRatio: Math.round(build.progress.ratio * 1000) / 1000,
          eventsApplied: build.eventsApplied.toString(),
          eventsPerSecond: Math.round(build.progress.eventsPerSecond),
          secondsLeft:
            build.progress.secondsLeft === undefined
              ? null
              : Math.round(build.progress.secondsLeft),
        },
        build.serving ? 'catching up' : 'rebuilding',
      );
    }
  }, options.logIntervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
};
