declare module "swagger-ui-dist" {
  export const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;
}
