import type { SubscriptionMessage } from './types.js';

/**
 * Pages of one message each, for a store that receives its messages one by one. Closing the
 * pages closes `messages`.
 */
export async function* pagesOfOne(
  messages: AsyncIterator<SubscriptionMessage>,
): AsyncGenerator<readonly SubscriptionMessage[], void, undefined> {
  for await (const message of { [Symbol.asyncIterator]: () => messages }) yield [message];
}

/**
 * The messages of `pages` one at a time, for a store that reads its messages a page at a time;
 * once `closed()` says so, none of the page in hand is handed on. Closing the messages closes
 * `pages`.
 */
export async function* messagesOf(
  pages: AsyncIterator<readonly SubscriptionMessage[]>,
  closed: () => boolean,
): AsyncGenerator<SubscriptionMessage, void, undefined> {
  for await (const page of { [Symbol.asyncIterator]: () => pages }) {
    for (const message of page) {
      if (closed()) return;
      yield message;
    }
  }
}
