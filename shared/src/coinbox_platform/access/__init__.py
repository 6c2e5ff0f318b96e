"""API access: API keys, rate limits, request logs and usage (docs/api-access.md).

apikeys      key records, hashing, verification, effective tier and scopes
ratelimit    token-slot rate limiting per key, user and IP
requestlog   per-request logs (buffered, batched) and the usage analytics computed from them
"""
