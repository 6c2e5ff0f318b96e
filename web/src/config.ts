// Where the page finds Firebase Auth and the API. The API is same-origin under /v1 (Hosting
// rewrites /v1/** to the functions). /coinbox-config.json next to the page says which Firebase
// project to sign in to and, locally, where the Auth emulator is: scripts/stack.py writes it
// into the build output when the stack starts (the emulator ports shift with
// COINBOX_PORT_OFFSET); a deployment writes the web app's real config there instead.
import { initializeApp } from "firebase/app";
import { type Auth, connectAuthEmulator, getAuth } from "firebase/auth";
import { Coinbox } from "@coinbox/sdk";

export interface PageConfig {
  firebase: { apiKey: string; authDomain?: string; projectId: string };
  /** e.g. http://127.0.0.1:9099 (local stack only). */
  authEmulator?: string | null;
}

export interface Services {
  auth: Auth;
  client: Coinbox;
  config: PageConfig;
}

let services: Promise<Services> | null = null;

async function loadConfig(): Promise<PageConfig> {
  const res = await fetch("/coinbox-config.json", { cache: "no-store" });
  if (!res.ok) {
    throw new Error(
      `/coinbox-config.json answered ${res.status}: the page does not know which Firebase project to use ` +
        "(the local stack writes it when it starts).",
    );
  }
  return (await res.json()) as PageConfig;
}

export function getServices(): Promise<Services> {
  services ??= (async () => {
    const config = await loadConfig();
    const app = initializeApp(config.firebase);
    const auth = getAuth(app);
    if (config.authEmulator) connectAuthEmulator(auth, config.authEmulator, { disableWarnings: true });
    const client = new Coinbox({
      baseUrl: `${location.origin}/v1`,
      token: async () => {
        const user = auth.currentUser;
        if (!user) throw new Error("Not signed in.");
        return user.getIdToken();
      },
      maxRetries: 1,
    });
    return { auth, client, config };
  })();
  return services;
}
