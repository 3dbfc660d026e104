// The settings as the form edits them (plain strings for inputs), and the conversion back to
// what the backend stores.
import type { ModelProvider, Settings } from "../../ipc/bindings";

export interface SettingsForm {
  researchOnCreate: boolean;
  notifications: boolean;
  workers: number;
  /** Empty for no model. */
  provider: ModelProvider | "";
  baseUrl: string;
  model: string;
  /** A remote provider's deadline per call, in seconds. */
  totalSeconds: number;
  /** How long a local server may stay silent, in seconds. */
  silenceSeconds: number;
  company: string;
  offering: string;
  idealCustomer: string;
  /** Dollars as typed. */
  perLead: string;
  perDay: string;
  onboarded: boolean;
}

/**
 * Providers that take an API key, and where the key goes unless Settings names another https
 * address. The backend applies the same rule (crates/llm `EndpointAddress::destination`) to
 * whatever the settings hold; this copy is for showing it and for an early, clear message.
 */
export const KEY_ADDRESS: Record<string, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  gemini: "https://generativelanguage.googleapis.com/v1beta",
};

/** Where the provider's key is sent, or null for a provider without a key. */
export function keyDestination(provider: string, baseUrl: string): string | null {
  const official = KEY_ADDRESS[provider];
  if (official === undefined) return null;
  return baseUrl.trim() === "" ? official : baseUrl.trim();
}

/** Why a keyed provider's custom address cannot have its key, or null when it can. */
export function keyAddressProblem(provider: string, baseUrl: string): string | null {
  const official = KEY_ADDRESS[provider];
  const typed = baseUrl.trim();
  if (official === undefined || typed === "") return null;
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    return `Enter an https address, or leave this empty to use ${official}.`;
  }
  if (url.protocol !== "https:") return `Your key is sent only over https: enter an https address, or leave this empty to use ${official}.`;
  if (url.username !== "" || url.password !== "")
    return "Leave the user name and password out of the address; the API key is what signs you in.";
  return null;
}

const dollars = (cents: number | null | undefined) => (cents === null || cents === undefined ? "" : (cents / 100).toString());

export function toForm(s: Settings): SettingsForm {
  return {
    researchOnCreate: s.researchOnCreate ?? true,
    notifications: s.notifications ?? true,
    workers: s.workers ?? 4,
    provider: s.model?.provider ?? "",
    baseUrl: s.model?.baseUrl ?? "",
    model: s.model?.model ?? "",
    totalSeconds: s.timeouts?.totalSeconds ?? 180,
    silenceSeconds: s.timeouts?.silenceSeconds ?? 120,
    company: s.profile?.company ?? "",
    offering: s.profile?.offering ?? "",
    idealCustomer: s.profile?.idealCustomer ?? "",
    perLead: dollars(s.budget?.perLeadCents),
    perDay: dollars(s.budget?.perDayCents),
    onboarded: s.onboarded ?? false,
  };
}

/** Dollars typed into a cap: empty is no cap; anything else must be a non-negative amount. */
export function cents(typed: string): number | null | "invalid" {
  const text = typed.trim().replace(/^\$/u, "");
  if (text === "") return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) return "invalid";
  return Math.round(value * 100);
}

export function fromForm(f: SettingsForm): Settings | { field: string; message: string } {
  const perLead = cents(f.perLead);
  const perDay = cents(f.perDay);
  if (perLead === "invalid") return { field: "perLeadCents", message: "Enter an amount in dollars, like 0.25, or leave it empty." };
  if (perDay === "invalid") return { field: "perDayCents", message: "Enter an amount in dollars, like 5, or leave it empty." };
  const address = keyAddressProblem(f.provider, f.baseUrl);
  if (address !== null) return { field: "baseUrl", message: address };
  const blank = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    researchOnCreate: f.researchOnCreate,
    notifications: f.notifications,
    workers: Number(f.workers),
    model: { provider: f.provider === "" ? null : f.provider, baseUrl: blank(f.baseUrl), model: blank(f.model) },
    timeouts: { totalSeconds: Number(f.totalSeconds), silenceSeconds: Number(f.silenceSeconds) },
    profile: { company: f.company, offering: f.offering, idealCustomer: f.idealCustomer },
    budget: { perLeadCents: perLead, perDayCents: perDay },
    onboarded: f.onboarded,
  };
}
