import type { FastifyBaseLogger } from 'fastify';

export type ShutdownHook = () => Promise<void> | void;

/** The parts of `process` that shutdown uses; tests pass their own. */
export interface ProcessControl {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/** What shutdown needs of the app: a Fastify instance, or anything closable with a logger. */
export interface ClosableApp {
  close(): PromiseLike<unknown>;
  readonly log: FastifyBaseLogger;
}

export interface RunUntilSignalledOptions {
  /** Run in order after the server has stopped and drained, e.g. closing the event store. */
  readonly onShutdown?: readonly ShutdownHook[];
  readonly signals?: readonly NodeJS.Signals[];
  /** Longest a shutdown may take before the process exits with 1 anyway; 10 s by default. */
  readonly timeoutMs?: number;
  readonly process?: ProcessControl;
}

export interface ShutdownControl {
  /** Shuts down as a signal would; resolves once the process has been told to exit. */
  shutdown(reason: string): Promise<void>;
  /** Removes the signal handlers (for tests and for callers that manage the process themselves). */
  dispose(): void;
}

/**
 * On the first SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish
 * (`app.close()`), run the shutdown hooks, exit 0 (1 if anything failed). A second signal means
 * the operator will not wait: exit 1 at once.
 */
export const runUntilSignalled = (
  app: ClosableApp,
  options: RunUntilSignalledOptions = {},
): ShutdownControl => {
  const control = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let shutdownStarted: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    shutdownStarted ??= (async () => {
      app.log.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        app.log.error({ timeoutMs }, 'shutdown took too long, exiting');
        control.exit(1);
      }, timeoutMs);
      deadline.unref();
      let exitCode = 0;
      try {
        await app.close();
      } catch (error) {
        exitCode = 1;
        app.log.error({ err: error }, 'closing the HTTP server failed');
      }
      for (const hook of options.onShutdown ?? []) {
        try {
          await hook();
        } catch (error) {
          exitCode = 1;
          app.log.error({ err: error }, 'shutdown hook failed');
        }
      }
      clearTimeout(deadline);
      app.log.info({ exitCode }, 'shutdown complete');
      control.exit(exitCode);
    })();
    return shutdownStarted;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdownStarted !== undefined) {
      app.log.warn({ signal }, 'second signal during shutdown, exiting now');
      control.exit(1);
      return;
    }
    void shutdown(signal);
  };

  for (const signal of signals) control.on(signal, onSignal);
  return {
    shutdown,
    dispose: () => {
      for (const signal of signals) control.off(signal, onSignal);
    },
  };
};
