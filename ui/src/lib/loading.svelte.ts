import { getContext, setContext, untrack } from "svelte";

/**
 * What a panel is still loading. A panel whose sections each fetch their own data (Settings) keeps
 * one of these; the sections register what they fetch, and the panel says `aria-busy` until all
 * of it has arrived, so neither a screen reader nor a test acts on a layout that is still moving.
 */
export class Loading {
  pending = $state(0);

  /** `promise`, counted as pending until it settles (either way). Called from an effect, the
   * count is not read as the effect's dependency (it would run again on every change). */
  track<T>(promise: Promise<T>): Promise<T> {
    untrack(() => (this.pending += 1));
    const done = () => {
      this.pending -= 1;
    };
    promise.then(done, done);
    return promise;
  }
}

const KEY = Symbol("loading");

/** For the panel: a tracker its sections find with {@link loadingOfPanel}. */
export function provideLoading(): Loading {
  return setContext(KEY, new Loading());
}

/** For a section, while it is created: its panel's tracker, or a private one outside a panel. */
export function loadingOfPanel(): Loading {
  return getContext<Loading | undefined>(KEY) ?? new Loading();
}
