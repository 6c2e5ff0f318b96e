"""The HTTP API layer: one `handle(request, family)` entry used by every endpoint function.

routing      Route table (one per endpoint family), path templates, matching
app          request pipeline: request id → CORS → route → auth → rate limit → parse →
             idempotency → handler → problem+json errors → headers → log
auth         principals: Firebase ID tokens (people) and the API-key hook (programs)
idempotency  Idempotency-Key on every POST
schemas      request/response models shared by routes and the OpenAPI document
routes/      the endpoint families
"""
