// Research sources open in the system browser, never inside the app's window. Only web
// addresses are opened (the capability allows http and https alone).
import { openUrl } from "@tauri-apps/plugin-opener";

export function isWebAddress(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** Opens `url` in the default browser; returns why it could not, for the caller to show. */
export async function openInBrowser(url: string): Promise<string | null> {
  if (!isWebAddress(url)) return "Only web addresses can be opened.";
  try {
    await openUrl(url);
    return null;
  } catch (e) {
    return `Could not open ${url}: ${String(e)}`;
  }
}
