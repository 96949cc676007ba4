/** A single action code of PS3.15 Table E.1-1 (E.1.1). */
export type SimpleAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';

/** Any action code of Table E.1-1, including the compound ones resolved per IOD type-ness. */
export type TableAction = SimpleAction | 'X/Z' | 'X/D' | 'X/Z/D' | 'Z/D' | 'X/Z/U*';

/** Column names of the option columns of Table E.1-1. */
export type OptionColumn =
  | 'rtnSafePrivOpt'
  | 'rtnUIDsOpt'
  | 'rtnDevIdOpt'
  | 'rtnInstIdOpt'
  | 'rtnPatCharsOpt'
  | 'rtnLongFullDatesOpt'
  | 'rtnLongModifDatesOpt'
  | 'cleanDescOpt'
  | 'cleanStructContOpt'
  | 'cleanGraphOpt';

/** One row of Table E.1-1 as generated into `annex-e-table.generated.ts`. */
export interface AnnexERow {
  /** 8 hex digits (upper case), lower-case "x" in repeating-group patterns, or "private". */
  readonly key: string;
  readonly name: string;
  /** Action under the Basic Application Level Confidentiality Profile. */
  readonly basic: TableAction;
  /** Whether the attribute occurs in a standard composite IOD. */
  readonly inStdIod: boolean;
  /** Actions that replace `basic` when an option is applied. */
  readonly options?: Partial<Record<OptionColumn, TableAction>>;
}
