import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../webhook-payload.js';

/**
 * A real HTTP consumer on 127.0.0.1 that checks every request with the public `standardwebhooks`
 * library, as a consumer would, and answers as each test tells it to.
 */

export interface ReceivedWebhook {
  readonly webhookId: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  readonly payload: WebhookPayload;
  /** The secrets (as given to `acceptSecrets`) whose verification succeeded. */
  readonly verifiedWith: readonly string[];
  readonly receivedAt: number;
}

export type ReceiverAnswer =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly delayMs?: number;
    }
  /** Drops the connection without an answer. */
  | { readonly kind: 'reset' };

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Secrets to verify with; a request no secret verifies is still recorded (and answered 401). */
  acceptSecrets(secrets: readonly string[]): void;
  answerWith(behaviour: (webhook: ReceivedWebhook) => ReceiverAnswer): void;
  close(): Promise<void>;
}

const OK: ReceiverAnswer = { kind: 'respond', status: 204 };

const header = (request: IncomingMessage, name: string): string => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

export const startWebhookReceiver = async (path = '/hooks'): Promise<WebhookReceiver> => {
  let secrets: readonly string[] = [];
  let behaviour: (webhook: ReceivedWebhook) => ReceiverAnswer = () => OK;
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<Socket>();

  const handle = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const headers = {
      'webhook-id': header(request, 'webhook-id'),
      'webhook-timestamp': header(request, 'webhook-timestamp'),
      'webhook-signature': header(request, 'webhook-signature'),
    };
    const verifiedWith = secrets.filter((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    let payload: WebhookPayload;
    try {
      payload = JSON.parse(body) as WebhookPayload;
    } catch {
      response.writeHead(400).end('not JSON');
      return;
    }
    const webhook: ReceivedWebhook = {
      webhookId: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      body,
      payload,
      verifiedWith,
      receivedAt: Date.now(),
    };
    received.push(webhook);
    if (verifiedWith.length === 0) {
      response.writeHead(401).end('signature does not verify');
      return;
    }
    const answer = behaviour(webhook);
    if (answer.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    };
    if (answer.delayMs === undefined) send();
    else setTimeout(send, answer.delayMs).unref();
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== path) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    acceptSecrets: (next) => {
      secrets = next;
    },
    answerWith: (next) => {
      behaviour = next;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
