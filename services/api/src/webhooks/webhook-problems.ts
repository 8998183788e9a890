import { createProblem } from '@twinning/http-kit';
import {
  DeliveryNotFoundError,
  EndpointNotFoundError,
  EndpointUrlRejectedError,
} from '@twinning/webhooks';

export const WebhookEndpointNotFound = createProblem(
  'TWN_ERR_WEBHOOK_ENDPOINT_NOT_FOUND',
  404,
  'Webhook endpoint not found',
);
export const WebhookDeliveryNotFound = createProblem(
  'TWN_ERR_WEBHOOK_DELIVERY_NOT_FOUND',
  404,
  'Webhook delivery not found',
);
export const WebhookUrlRefused = createProblem(
  'TWN_ERR_WEBHOOK_URL_REFUSED',
  422,
  'The webhook URL is not allowed',
);

/** The webhook package's errors as the problems the API answers with; anything else unchanged. */
export const webhookProblemOf = (error: unknown): unknown => {
  if (error instanceof EndpointNotFoundError) return WebhookEndpointNotFound(error.message);
  if (error instanceof DeliveryNotFoundError) return WebhookDeliveryNotFound(error.message);
  if (error instanceof EndpointUrlRejectedError) {
    const { rejection } = error;
    return WebhookUrlRefused({
      detail: `The URL ${rejection.message}`,
      extensions: {
        reason: rejection.reason,
        ...(rejection.reason === 'forbidden_address'
          ? { address: rejection.address, addressClass: rejection.addressClass }
          : {}),
      },
      errors: [{ path: 'body.url', message: rejection.message }],
    });
  }
  return error;
};

/** Runs a handler's work and answers the webhook package's errors as problems. */
export const answeringWebhookProblems = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw webhookProblemOf(error);
  }
};
