import { frame } from "./frame";
import { h } from "./ui";

const { main } = frame("/");
main.dataset.ready = "landing";
main.append(
  h("h1", {}, "CoinBox Platform"),
  h("p", { class: "intro" }, "Programmatic access to CoinBox lending, investment and crypto: a REST API under ",
    h("code", {}, "/v1"), ", with API keys, webhooks, bulk operations and exports."),
  h("div", { class: "landing" },
    h("section", { class: "card" }, h("h2", {}, h("a", { href: "/developer" }, "Developer portal")),
      h("p", {}, "Create and rotate API keys, watch their usage, manage webhooks and explore events.")),
    h("section", { class: "card" }, h("h2", {}, h("a", { href: "/bulk" }, "Bulk dashboard")),
      h("p", {}, "Upload loans, fundings and crypto listings from CSV, message groups (staff) and export your data.")),
    h("section", { class: "card" }, h("h2", {}, h("a", { href: "/docs" }, "API docs")),
      h("p", {}, "The API reference, guides and the error catalogue; the raw OpenAPI document is at ",
        h("a", { href: "/v1/openapi.json" }, h("code", {}, "/v1/openapi.json")), ".")),
  ),
);
