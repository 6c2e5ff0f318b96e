"""Webhooks: domain events, subscriptions, signing and reliable delivery (docs/product.md §5).

    domain write (loans, investments, transactions, cryptoOrders, users)
      → Firestore trigger → events.handle_change(collection, id, before, after)
      → delivery.emit(event): ONE atomic batch creates webhookEvents/{evt_…} (id derived from the
        document and its transition) and one webhookDeliveries/{whd_…} per matching active
        subscription (id derived from event + subscription); AlreadyExists = already emitted
      → delivery.DELIVER.enqueue(DeliveryTask(deliveryId))    (after the commit)
      → delivery.deliver(deliveryId): claim a lease, POST the signed event, log the attempt,
        schedule the next attempt (enqueue with delay) or finish; disable failing endpoints
      → delivery.sweep(): re-enqueue deliveries left pending (a crash between commit and
        enqueue, or between an attempt and its re-enqueue)

Delivery is **at least once and unordered**: receivers deduplicate on `webhook-id` (the event
id) and must not assume events arrive in the order they happened.

Modules: catalog (event types, JSON Schemas, OpenAPI `webhooks`), event (the Event record, its
ids and its factory: a leaf), events (what a document change means), subscriptions (endpoints
and their secrets), signing (Standard Webhooks), encryption (secrets at rest), urls (SSRF
guard), delivery (emitting an event with its deliveries, attempts, retries, disabling,
sweeper). Imports go one way: events → delivery → event.
"""

WEBHOOK_EVENTS = "webhookEvents"
WEBHOOK_SUBSCRIPTIONS = "webhookSubscriptions"
WEBHOOK_DELIVERIES = "webhookDeliveries"
