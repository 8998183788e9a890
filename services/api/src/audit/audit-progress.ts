/**
 * A progress line on a terminal (rewritten in place), nothing otherwise: scripts that read
 * stdout or a log see only the result.
 */
export const startProgressLine = (
  stream: { readonly isTTY?: boolean; write(text: string): unknown },
  describe: (elapsedSeconds: number) => string,
  intervalMs = 250,
): (() => void) => {
  if (stream.isTTY !== true) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    stream.write(`\r\x1b[2K${describe((Date.now() - started) / 1000)}`);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
};

export const eventsPerSecond = (events: number, elapsedSeconds: number): string =>
  `${Math.round(events / Math.max(elapsedSeconds, 0.001)).toLocaleString('en-GB')}/s`;
