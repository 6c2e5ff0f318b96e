"""The HTTP API layer: one `handle(request, family)` entry used by every endpoint function.

call         what flows through the pipeline: Route, Call, Reply, Principal, Outcome (a leaf)
routing      the route table, path templates, matching
app          the request pipeline, every stage in order (docs/architecture.md)
parsing      path ids, query strings, JSON bodies, pydantic validation into 400s
auth         principals: Firebase ID tokens (people) and API keys (programs)
idempotency  Idempotency-Key on every POST
schemas      request/response models shared by routes and the OpenAPI document
routes/      the endpoint families, one module each, loaded by the family's function
"""
