declare module "virtual:coinbox-rules" {
  export interface PropRule {
    type?: string;
    enum?: string[];
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    description?: string;
    default?: unknown;
  }
  export interface ItemRules {
    required: string[];
    properties: Record<string, PropRule>;
  }
  export type Kind = "loans" | "investments" | "crypto-orders" | "messages";
  const rules: {
    items: Record<Kind, ItemRules>;
    maxItems: Record<Kind, number>;
    groupPattern: string;
    exportTypes: string[];
    exportFormats: string[];
    exportColumns: Record<string, string[]>;
  };
  export default rules;
}
