import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { IsoDateSchema } from '@twinning/domain';
import {
  describeLocation,
  openStorage,
  storageEnvironmentSchema,
  storageLocationsOf,
} from '@twinning/storage';
import { importPartnerships, type ImportProgress } from './import-partnerships.js';
import { DEFAULT_ILLUSTRATIVE_DATE, WIKIPEDIA_ATTRIBUTION } from './partnership-events.js';
import { SAMPLE_CSV_PATH, prepareImportFromFile } from './wikipedia-import.js';

/** Bad arguments or settings: the usage is printed with the message. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE = `Imports the Wikipedia twin-cities list as active sister-city agreements.

  pnpm import:wikipedia [--file PATH | --sample] [options]

  --file PATH        the CSV (city1,country1,city2,country2); default ../shared/data/twin-cities-wikipedia.csv
  --sample           the small sample committed with the importer
  --date YYYY-MM-DD  the illustrative date of every act (the data has none); default ${DEFAULT_ILLUSTRATIVE_DATE}
  --concurrency N    appends in flight at once; default 8
  --dry-run          clean and deduplicate only: print the figures and the rows left out
  --help

Events go where EVENT_STORE_URL / DATA_DIR say (as for the API). Re-running skips agreements
that exist, so an interrupted import resumes where it stopped.
Data: ${WIKIPEDIA_ATTRIBUTION}.`;

/** Relative paths are taken from where the command was typed, not from the package folder. */
const fromInvocation = (path: string): string =>
  resolve(process.env['INIT_CWD'] ?? process.cwd(), path);

const defaultFile = (): string => {
  const candidates = [
    fromInvocation('../shared/data/twin-cities-wikipedia.csv'),
    resolve(import.meta.dirname, '../../../../shared/data/twin-cities-wikipedia.csv'),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0] ?? '';
};

const progressLine = (progress: ImportProgress, startedAt: number): string => {
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = progress.done / Math.max(seconds, 0.001);
  const percent = progress.total === 0 ? 100 : (100 * progress.done) / progress.total;
  return `  ${progress.done}/${progress.total} (${percent.toFixed(1)}%)  created ${progress.created}  skipped ${progress.skipped}  ${rate.toFixed(0)}/s`;
};

const parseArguments = (args: readonly string[]) => {
  try {
    return parseArgs({
      args: [...args],
      options: {
        file: { type: 'string' },
        sample: { type: 'boolean', default: false },
        date: { type: 'string' },
        concurrency: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
};

const main = async (): Promise<void> => {
  // `pnpm … import:wikipedia -- --sample` hands the separator on.
  const args = process.argv.slice(2);
  const { values } = parseArguments(args[0] === '--' ? args.slice(1) : args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const date = IsoDateSchema.safeParse(values.date ?? DEFAULT_ILLUSTRATIVE_DATE);
  if (!date.success) throw new UsageError(`--date must be a date YYYY-MM-DD`);
  const concurrency = Number(values.concurrency ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64');
  }
  const file = values.sample
    ? SAMPLE_CSV_PATH
    : values.file === undefined
      ? defaultFile()
      : fromInvocation(values.file);
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);

  const prepared = await prepareImportFromFile(file);
  process.stdout.write(
    [
      `Wikipedia twin cities (${WIKIPEDIA_ATTRIBUTION})`,
      `  file           ${file}`,
      `  rows           ${prepared.rows}`,
      `  usable links   ${prepared.links.length}`,
      `  left out       ${prepared.problems.length}`,
      `  partnerships   ${prepared.partnerships.length} (A→B and B→A merged)`,
      '',
    ].join('\n'),
  );
  for (const problem of prepared.problems) {
    process.stdout.write(`  line ${problem.line}: ${problem.reason} ${problem.message}\n`);
  }
  if (values['dry-run']) return;

  const environment = storageEnvironmentSchema.safeParse(process.env);
  if (!environment.success) {
    throw new UsageError(`storage configuration: ${environment.error.message}`);
  }
  const locations = storageLocationsOf(environment.data);
  const storage = await openStorage(locations);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const startedAt = Date.now();
  const interactive = process.stderr.isTTY;
  let lastPrinted = 0;
  try {
    process.stdout.write(`Importing into ${describeLocation(locations.eventStore)}\n`);
    const report = await importPartnerships(storage.store, prepared.partnerships, {
      illustrativeDate: date.data,
      recordedAt: new Date(),
      correlationId: `wikipedia-import:${randomUUID()}`,
      concurrency,
      signal: controller.signal,
      onProgress: (progress) => {
        const now = Date.now();
        if (progress.done !== progress.total && now - lastPrinted < (interactive ? 200 : 5000)) {
          return;
        }
        lastPrinted = now;
        process.stderr.write(
          interactive
            ? `\r${progressLine(progress, startedAt)}`
            : `${progressLine(progress, startedAt)}\n`,
        );
      },
    });
    process.stderr.write(interactive ? '\n' : '');
    process.stdout.write(
      `${report.aborted ? 'Stopped' : 'Done'}: ${report.created} created, ${report.skipped} already there, ${report.total - report.done} not reached, in ${((Date.now() - startedAt) / 1000).toFixed(1)} s${report.lastPosition === undefined ? '' : `; last position ${report.lastPosition.toString()}`}\n`,
    );
    if (report.aborted) process.exitCode = 130;
  } finally {
    await storage.close();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof UsageError
      ? `${error.message}\n\n${USAGE}\n`
      : `import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
