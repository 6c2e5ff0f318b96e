"""HTTP endpoint functions, one per endpoint family (Hosting rewrites /v1/** to them)."""
