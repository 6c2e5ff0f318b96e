/** The SDK version (semver; see docs/versioning.md). A test checks it equals package.json. */
export const VERSION = "0.1.0";
/** The API major version this SDK speaks: every path is under `/v1`. */
export const API_VERSION = "v1";
/** The webhook payload `apiVersion` this SDK's event types describe. */
export const WEBHOOK_API_VERSION = "2025-06-01";
