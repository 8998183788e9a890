/** Small helpers every benchmark shares: timing, percentiles and a printed table. */

export const seconds = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e9;

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
};

export const formatRate = (perSecond: number): string =>
  Math.round(perSecond).toLocaleString('en-GB');

/** Prints rows as an aligned Markdown table, ready to paste into docs/benchmarks.md. */
export const printTable = (
  title: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): void => {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    [
      '',
      `### ${title}`,
      '',
      line(headers),
      `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
      ...rows.map(line),
      '',
    ].join('\n') + '\n',
  );
};

/** Runs `writers` loops of `work` until `durationMs` has passed; returns the operations done. */
export const runConcurrently = async (
  writers: number,
  durationMs: number,
  work: (writer: number, iteration: number) => Promise<void>,
): Promise<{ operations: number; elapsedSeconds: number }> => {
  const start = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  let operations = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let iteration = 0; Date.now() < deadline; iteration += 1) {
        await work(writer, iteration);
        operations += 1;
      }
    }),
  );
  return { operations, elapsedSeconds: seconds(start) };
};

export const machineLine = (): string =>
  `node ${process.version}, ${process.platform}/${process.arch}`;
