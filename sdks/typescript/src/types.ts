/**
 * Friendly names for the generated types (src/generated/openapi.ts, from docs/openapi.json).
 * Request types are what you send; the others are what the API answers.
 */
import type { components, operations, webhooks } from "./generated/openapi.js";

export type { components, operations, paths, webhooks } from "./generated/openapi.js";

type S = components["schemas"];
/** The query parameters of an operation (without the cursor, which pagination handles). */
type QueryOf<Op extends keyof operations> = Omit<
  NonNullable<operations[Op]["parameters"]["query"]>,
  "startingAfter"
> & { startingAfter?: string };

export type Health = S["Health"];
export type Me = S["Me"];
export type User = S["UserOut"];
export type UserUpdateParams = S["UserUpdate"];

export type Loan = S["LoanOut"];
export type LoanCreateParams = S["LoanCreate"];
export type LoanListParams = QueryOf<"listLoans">;
export type MarketplaceLoan = S["MarketplaceLoan"];
export type MarketplaceParams = QueryOf<"marketplace">;
export type Repayment = S["RepaymentEntry"];
export type RepaymentCreateParams = S["RepaymentCreate"];
export type RepaymentListParams = QueryOf<"listRepayments">;

export type Wallet = S["WalletOut"];
export type DepositParams = S["DepositIn"];
export type WithdrawalParams = S["WithdrawalIn"];
export type Transaction = S["Transaction"];
export type TransactionListParams = QueryOf<"listTransactions">;

export type Investment = S["InvestmentOut"];
export type Funding = S["FundingOut"];
export type InvestmentCreateParams = S["InvestmentCreate"];
export type InvestmentListParams = QueryOf<"listInvestments">;

export type Asset = S["Asset"];
export type CryptoOrder = S["OrderOut"];
export type CryptoOrderCreateParams = S["OrderCreate"];
export type CryptoOrderListParams = QueryOf<"listOrders">;
export type OrderBook = S["OrderBook"];

export type Message = S["MessageOut"];
export type MessageListParams = QueryOf<"listMessages">;

export type ApiKey = S["ApiKeyOut"];
export type ApiKeyWithSecret = S["ApiKeyWithSecret"];
export type ApiKeyCreateParams = S["ApiKeyCreate"];
export type ApiKeyUpdateParams = S["ApiKeyUpdate"];
export type ApiKeyRotateParams = S["ApiKeyRotate"];
export type ApiKeyRotation = S["RotationOut"];
export type ApiKeyUsage = S["UsageOut"];
export type ApiKeyUsageParams = NonNullable<operations["keyUsage"]["parameters"]["query"]>;
export type ListParams = QueryOf<"listKeys">;

export type WebhookEndpoint = S["WebhookEndpoint"];
export type WebhookEndpointWithSecret = S["WebhookEndpointWithSecret"];
export type WebhookCreateParams = S["CreateWebhook"];
export type WebhookUpdateParams = S["UpdateWebhook"];
export type WebhookDelivery = S["WebhookDelivery"];
export type WebhookDeliveryListParams = QueryOf<"listDeliveries">;
export type WebhookTestParams = S["TestEventBody"];
export type WebhookRecoverParams = S["RecoverBody"];
export type WebhookRecovery = S["RecoverOut"];
export type Deleted = S["DeletedOut"];

export type Event = S["EventOut"];
export type EventListParams = QueryOf<"listEvents">;

export type BulkResult = S["BulkResultOut"];
export type BulkLoansParams = S["BulkLoansBody"];
export type BulkInvestmentsParams = S["BulkInvestmentsBody"];
export type BulkCryptoOrdersParams = S["BulkCryptoOrdersBody"];
export type BulkMessagesParams = S["BulkMessagesBody"];
export type BulkMode = S["BulkMode"];
export type BulkListParams = QueryOf<"listBatches">;
/** The bulk endpoints (and CSV template names). */
export type BulkKind = "loans" | "investments" | "crypto-orders" | "messages";

export type Export = S["ExportOut"];
export type ExportCreateParams = S["ExportCreate"];
export type ExportListParams = QueryOf<"listExports">;

/** One entry of GET /v1/event-types. */
export interface EventTypeInfo {
  object: "event_type";
  type: WebhookEventType;
  description: string;
  objectType: string;
  domain: boolean;
  schema: Record<string, unknown>;
  example: WebhookEvent;
}

type WebhookBody<K extends keyof webhooks> = NonNullable<
  webhooks[K]["post"]
> extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : never;

/** Every event type of the catalog. */
export type WebhookEventType = keyof webhooks;
/** A webhook payload: a union discriminated on `type` (narrow with `if (event.type === …)`). */
export type WebhookEvent = { [K in keyof webhooks]: WebhookBody<K> }[keyof webhooks];
/** The payload of one event type. */
export type WebhookEventOf<K extends WebhookEventType> = WebhookBody<K>;
