// The table view's columns and ordering, as plain functions over the board's cards.
import type { Card, Stage } from "../../ipc/bindings";

export type ColumnKey = "fullName" | "companyName" | "email" | "stage" | "dealValue" | "nextStepDue" | "tags" | "fitScore";

export interface TableColumn {
  key: ColumnKey;
  label: string;
  /** Numbers sort and align to the right. */
  numeric?: boolean;
}

export const TABLE_COLUMNS: TableColumn[] = [
  { key: "fullName", label: "Name" },
  { key: "companyName", label: "Company" },
  { key: "email", label: "Email" },
  { key: "stage", label: "Stage" },
  { key: "dealValue", label: "Value", numeric: true },
  { key: "nextStepDue", label: "Due" },
  { key: "tags", label: "Tags" },
  { key: "fitScore", label: "Fit", numeric: true },
];

export const DEFAULT_COLUMNS: ColumnKey[] = ["fullName", "companyName", "stage", "dealValue", "nextStepDue", "tags", "fitScore"];

export interface Sort {
  key: ColumnKey;
  descending: boolean;
}

/** What a column sorts by: text folded for comparison, numbers as numbers, stages in board order. */
function sortValue(card: Card, key: ColumnKey, stageOrder: Map<number, number>): string | number | null {
  switch (key) {
    case "stage":
      return stageOrder.get(card.stageId) ?? null;
    case "dealValue":
      return card.dealValue;
    case "fitScore":
      return card.fitScore ?? null;
    case "tags":
      return card.tags.length > 0 ? card.tags.join(" ").toLocaleLowerCase() : null;
    default: {
      const v = card[key];
      return v ? v.toLocaleLowerCase() : null;
    }
  }
}

/** The cards in the sort's order; empty values last either way, ties by name then id. */
export function sortCards(cards: Card[], sort: Sort, stages: Stage[]): Card[] {
  const stageOrder = new Map(stages.map((s, i) => [s.id, i]));
  const keyed = cards.map((card) => ({ card, value: sortValue(card, sort.key, stageOrder) }));
  const direction = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) return a.card.fullName.localeCompare(b.card.fullName) || a.card.id - b.card.id;
      return a.value === null ? 1 : -1;
    }
    const order =
      typeof a.value === "number" && typeof b.value === "number" ? a.value - b.value : String(a.value).localeCompare(String(b.value));
    return order * direction || a.card.fullName.localeCompare(b.card.fullName) || a.card.id - b.card.id;
  });
  return keyed.map((k) => k.card);
}
