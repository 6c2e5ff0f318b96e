// The frame every page shares: skip link, header with navigation and the account menu,
// sign-in form, the signed-in user's profile (role, tier, KYC) and sign-out; sub-route tabs.
import { onAuthStateChanged, signInWithEmailAndPassword, signOut, type User } from "firebase/auth";
import type { Coinbox, Me } from "@coinbox/sdk";
import { getServices } from "./config";
import { frame } from "./frame";
import { announce, button, clear, field, h, loading, problemBox } from "./ui";

export interface Ctx {
  client: Coinbox;
  me: Me;
  user: User;
}

export interface Tab {
  path: string;
  label: string;
  render: (ctx: Ctx, el: HTMLElement) => void | Promise<void>;
  /** Hidden unless this returns true (e.g. staff only). */
  visible?: (ctx: Ctx) => boolean;
}

function signInForm(onDone: () => void): HTMLElement {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const errors = h("div", {});
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to CoinBox"),
    h("p", {}, "Use your CoinBox e-mail and password. On the local stack the demo users printed by make dev work (password coinbox-demo)."),
    errors,
    field("E-mail", email),
    field("Password", password),
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    errors.replaceChildren();
    try {
      const { auth } = await getServices();
      await signInWithEmailAndPassword(auth, email.value.trim(), password.value);
      onDone();
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      const msg = /invalid-credential|wrong-password|user-not-found|invalid-email/.test(code)
        ? "That e-mail and password do not match an account."
        : (err as Error).message;
      errors.append(problemBox(new Error(msg), "Sign-in failed"));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function accountMenu(ctx: Ctx | null, el: HTMLElement, onSignOut: () => void): void {
  if (!ctx) {
    clear(el);
    return;
  }
  const { me } = ctx;
  const details = h(
    "details",
    { class: "account-menu" },
    h("summary", {}, me.email ?? me.id),
    h(
      "div",
      { class: "menu-panel" },
      h(
        "dl",
        { class: "profile", "data-testid": "profile" },
        h("dt", {}, "Name"),
        h("dd", {}, me.displayName ?? "—"),
        h("dt", {}, "User id"),
        h("dd", {}, h("code", {}, me.id)),
        h("dt", {}, "Role"),
        h("dd", { "data-testid": "role" }, me.role),
        h("dt", {}, "Membership tier"),
        h("dd", { "data-testid": "tier" }, me.membershipTier),
        h("dt", {}, "API tier"),
        h("dd", {}, me.limits.apiTier),
        h("dt", {}, "KYC"),
        h("dd", { "data-testid": "kyc" }, me.kycStatus, me.kycReason ? ` (${me.kycReason})` : null),
      ),
      button("Sign out", onSignOut),
    ),
  );
  clear(el, details);
}

export const isStaff = (me: Me): boolean => me.role === "admin" || me.role === "support";

/**
 * Start a signed-in page: `tabs` are sub-routes under `base` (the first is the default).
 */
export async function startApp(opts: { base: string; title: string; intro: string; tabs: Tab[] }): Promise<void> {
  const { main, account } = frame(opts.base);
  main.append(loading("Connecting…"));
  let services;
  try {
    services = await getServices();
  } catch (err) {
    clear(main, problemBox(err, "The page could not start"));
    return;
  }
  const { auth, client } = services;
  let renderSeq = 0;

  const show = async (user: User | null): Promise<void> => {
    const seq = ++renderSeq;
    if (!user) {
      accountMenu(null, account, () => undefined);
      clear(main, signInForm(() => undefined));
      main.dataset.ready = "signin";
      document.title = `Sign in · ${opts.title} · CoinBox`;
      return;
    }
    main.removeAttribute("data-ready");
    clear(main, loading("Loading your profile…"));
    let me: Me;
    try {
      me = await client.me();
    } catch (err) {
      clear(main, problemBox(err, "Your profile could not be loaded"), button("Sign out", () => void signOut(auth)));
      return;
    }
    if (seq !== renderSeq) return;
    const ctx: Ctx = { client, me, user };
    accountMenu(ctx, account, () => void signOut(auth));
    renderTabs(ctx, main, opts);
  };
  onAuthStateChanged(auth, (user) => void show(user));
}

function renderTabs(ctx: Ctx, main: HTMLElement, opts: { base: string; title: string; intro: string; tabs: Tab[] }): void {
  const tabs = opts.tabs.filter((t) => !t.visible || t.visible(ctx));
  const panel = h("section", { class: "panel", id: "panel", "aria-live": "off" });
  const links = tabs.map((t) => h("a", { href: t.path, "data-path": t.path }, t.label));
  const nav = h("nav", { class: "tabs", "aria-label": opts.title }, h("ul", {}, links.map((a) => h("li", {}, a))));
  clear(main, h("h1", {}, opts.title), h("p", { class: "intro" }, opts.intro), nav, panel);

  const go = async (path: string, push: boolean): Promise<void> => {
    const tab = tabs.find((t) => path === t.path || path.startsWith(`${t.path}/`)) ?? tabs[0];
    if (push) history.pushState({}, "", tab.path + location.search);
    for (const a of links) {
      if (a.dataset.path === tab.path) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.title = `${tab.label} · ${opts.title} · CoinBox`;
    panel.removeAttribute("data-ready");
    clear(panel, loading());
    try {
      await tab.render(ctx, panel);
    } catch (err) {
      clear(panel, problemBox(err, `${tab.label} could not be shown`));
    }
    panel.dataset.ready = tab.path; // the tab is interactive (the browser tests wait for this)
    announce(`${tab.label} shown`);
  };
  for (const a of links) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      void go(a.dataset.path!, true);
    });
  }
  window.onpopstate = () => void go(location.pathname, false);
  const start = location.pathname === opts.base || location.pathname === `${opts.base}/` ? tabs[0].path : location.pathname;
  void go(start, start !== location.pathname);
}
