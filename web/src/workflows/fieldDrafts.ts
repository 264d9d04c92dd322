import { createContext, useContext } from "react";

/** Text typed into a JSON field that doesn't parse: not in the definition yet, so not savable. */
export interface FieldDraft {
  /** Which form it belongs to: `trigger` or `step:<id>`. */
  scope: string;
  /** Says where, for messages: `step "ask"`, `the trigger`. */
  where: string;
  label: string;
  text: string;
  error: string;
}

/**
 * The editor keeps unparsed JSON text here (by `scope/field`), so a field that doesn't parse counts as an
 * unsaved, invalid change: Save is blocked and names it, and the text survives selecting another node.
 */
export interface FieldDrafts {
  scope: string;
  where: string;
  drafts: ReadonlyMap<string, FieldDraft>;
  /** Records (or with null forgets) the unparsed text of field `key`. */
  set: (key: string, draft: FieldDraft | null) => void;
}

export const FieldDraftsContext = createContext<FieldDrafts>({
  scope: "",
  where: "",
  drafts: new Map(),
  set: () => {},
});

export const useFieldDrafts = (): FieldDrafts => useContext(FieldDraftsContext);

export const stepScope = (id: string): string => `step:${id}`;

/** Forgets the unparsed text of this scope's fields (all, or those `which` picks by field name): they are gone. */
export function forgetDrafts(fd: FieldDrafts, which: (field: string) => boolean = () => true): void {
  for (const key of fd.drafts.keys())
    if (key.startsWith(`${fd.scope}/`) && which(key.slice(fd.scope.length + 1))) fd.set(key, null);
}
