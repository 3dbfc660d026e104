// The one place the UI talks to the Rust side. Generated commands return a tagged result; `call`
// turns it into a value or an `IpcFailure`, so components can use plain try/catch.
import type { IpcError, IpcErrorCode, Result } from "./bindings";

export class IpcFailure extends Error {
  readonly code: IpcErrorCode;
  readonly field: string | null;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.code = error.code;
    this.field = error.field;
  }
}

export async function call<T>(pending: Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await pending;
  } catch (e) {
    // The command never answered in the expected shape: the IPC bridge is missing (a plain
    // browser) or the backend panicked.
    const message = e instanceof Error ? e.message : String(e);
    throw new IpcFailure({ code: "internal", message: `The app's backend did not answer: ${message}`, field: null });
  }
  if (result.status === "ok") return result.data;
  throw new IpcFailure(result.error);
}

/** A message fit for the screen, whatever was thrown. */
export function describe(e: unknown): string {
  if (e instanceof IpcFailure) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
