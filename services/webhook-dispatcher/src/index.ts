export {
  startWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
} from './webhook-dispatcher.js';
export {
  deliveryEnvironmentSchema,
  dispatcherEnvironmentSchema,
  loadDeliverySettings,
  loadDispatcherConfig,
  type DeliverySettings,
  type DispatcherConfig,
} from './dispatcher-config.js';
export {
  createWebhookSender,
  RESPONSE_EXCERPT_BYTES,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookSender,
} from './webhook-sender.js';
export { FOLLOWER_LOCK } from './log-follower.js';
