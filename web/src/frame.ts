// The page frame: skip link, header with the main navigation and the account slot, main, live region.
import { h } from "./ui";
import "./styles.css";

const NAV = [
  ["/", "Home"],
  ["/developer", "Developer portal"],
  ["/bulk", "Bulk dashboard"],
  ["/docs", "API docs"],
] as const;

export function frame(current: string): { header: HTMLElement; main: HTMLElement; account: HTMLElement } {
  const account = h("div", { class: "account", id: "account" });
  const header = h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: "/" }, "CoinBox"),
    h(
      "nav",
      { "aria-label": "Main" },
      h(
        "ul",
        {},
        NAV.map(([href, label]) =>
          h("li", {}, h("a", { href, "aria-current": href === current ? "page" : null }, label)),
        ),
      ),
    ),
    account,
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  document.body.replaceChildren(
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    header,
    main,
    h("div", { id: "live", class: "sr-only", "aria-live": "polite" }),
  );
  return { header, main, account };
}

