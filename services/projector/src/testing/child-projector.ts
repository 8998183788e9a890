import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const projectorDirectory = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('./projector-process.ts', import.meta.url));

export interface ChildProjector {
  readonly process: ChildProcess;
  /** Parsed JSON log lines written so far. */
  readonly lines: { msg?: string; [key: string]: unknown }[];
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `projector-process.ts` with tsx as a loader in the one node process, so that a signal
 * reaches the projector itself (the tsx CLI would put a second process in between).
 */
export const spawnChildProjector = (
  databaseUrl: string,
  environment: Record<string, string> = {},
): ChildProjector => {
  const child = spawn(
    process.execPath,
    ['--conditions=@twinning/source', '--import', 'tsx', script],
    {
      cwd: projectorDirectory,
      env: { ...process.env, DATABASE_URL: databaseUrl, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: ChildProjector['lines'] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) {
      try {
        lines.push(JSON.parse(line) as ChildProjector['lines'][number]);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      if (code !== null && code !== 0 && stderr !== '') process.stderr.write(stderr);
      resolve(code);
    });
  });
  return {
    process: child,
    lines,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
};

export const waitUntil = async <T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
