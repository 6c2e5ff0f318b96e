// API-key scopes and tiers, as docs/api-access.md states them: a key's scopes lie within its
// tier's allowance (basic read:*; pro read:* + write:loans|investments|crypto|exports;
// enterprise *), and the tier is at most what the membership allows (GET /v1/me limits.apiTier).
export const TIERS = ["basic", "pro", "enterprise"] as const;
export type Tier = (typeof TIERS)[number];

const RESOURCES = ["loans", "investments", "transactions", "wallet", "crypto", "messages", "webhooks", "exports", "bulk"];

export const ALLOWANCE: Record<Tier, string[]> = {
  basic: ["read:*"],
  pro: ["read:*", "write:loans", "write:investments", "write:crypto", "write:exports"],
  enterprise: ["*"],
};

export const ALL_SCOPES = [
  "*",
  "read:*",
  "write:*",
  ...RESOURCES.map((r) => `read:${r}`),
  ...RESOURCES.map((r) => `write:${r}`),
  "admin:api_keys",
];

export function covers(granted: string[], scope: string): boolean {
  if (granted.includes("*") || granted.includes(scope)) return true;
  if (scope === "read:*" || scope === "write:*" || scope === "*") return false;
  const [verb] = scope.split(":");
  return (verb === "read" || verb === "write") && granted.includes(`${verb}:*`);
}

export function tiersUpTo(max: string): Tier[] {
  const i = TIERS.indexOf(max as Tier);
  return TIERS.slice(0, i < 0 ? 1 : i + 1);
}

/** Requests per window (docs/api-access.md, "Rate limits"). */
export const POLICY: Record<Tier, { minute: number; hour: number; day: number }> = {
  basic: { minute: 10, hour: 100, day: 1_000 },
  pro: { minute: 100, hour: 1_000, day: 10_000 },
  enterprise: { minute: 1_000, hour: 10_000, day: 100_000 },
};
