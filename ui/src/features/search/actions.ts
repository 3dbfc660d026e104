/** A command the palette (Ctrl/Cmd+K) can run. */
export interface Action {
  id: string;
  label: string;
  /** The direct shortcut, shown as a hint. */
  shortcut?: string;
  run: () => void;
}
