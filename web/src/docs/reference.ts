// Swagger UI, vendored from npm (swagger-ui-dist) and bundled: its own chunk, loaded only by
// the reference page. Read-only ("Try it out" off): calls go through the SDK, not from here.
// Swagger UI's markup has a few accessibility faults (an unlabelled server <select>, tag headings
// that skip a level, low-contrast text): `repair` fixes them after every render, reference.css
// raises the contrast, and vite.config.ts turns its nested <main> into a region.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import "./reference.css";

function repair(root: HTMLElement): void {
  for (const s of root.querySelectorAll<HTMLSelectElement>("select:not([aria-label])")) {
    s.setAttribute("aria-label", s.id === "servers" ? "Server" : s.name || "Choose");
  }
  for (const h of root.querySelectorAll("h3.opblock-tag, h4.opblock-title_normal, .opblock-tag-section > h3")) {
    if (!h.hasAttribute("aria-level")) h.setAttribute("aria-level", "2");
  }
}

export function mount(el: HTMLElement, spec: Record<string, unknown>): void {
  SwaggerUIBundle({
    domNode: el,
    spec,
    deepLinking: false,
    docExpansion: "none",
    defaultModelsExpandDepth: -1,
    supportedSubmitMethods: [],
    syntaxHighlight: { activated: false },
  });
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      repair(el);
    });
  });
  observer.observe(el, { childList: true, subtree: true });
  repair(el);
}
