// go.sum comparison for the collector build: the checksum database cannot vouch for the
// collector modules here (see COLLECTOR_NO_SUMDB), so what the builder downloaded is held
// against the go.sum ADOT itself committed for the same release.

/** `module version[/go.mod]` -> hash, for the lines of a go.sum. */
export function parseGoSum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3 || line.trimStart().startsWith('#')) continue;
    out.set(`${fields[0]} ${fields[1]}`, fields[2]!);
  }
  return out;
}

export interface GoSumCheck {
  /** Entries under the prefixes that both files name with the same hash. */
  matched: number;
  /** Entries under the prefixes that the reference does not name (not vouched for either way). */
  unvouched: string[];
  /** Entries whose hashes differ: a tampered or substituted module. */
  mismatches: string[];
  summary: string;
}

export function compareGoSums(built: string, reference: string, prefixes: readonly string[]): GoSumCheck {
  const ours = parseGoSum(built);
  const theirs = parseGoSum(reference);
  const covered = (key: string) =>
    prefixes.some((p) => key === p || key.startsWith(`${p}/`) || key.startsWith(`${p} `));
  let matched = 0;
  const unvouched: string[] = [];
  const mismatches: string[] = [];
  for (const [key, hash] of ours) {
    if (!covered(key)) continue;
    const expected = theirs.get(key);
    if (expected === undefined) unvouched.push(key);
    else if (expected === hash) matched++;
    else mismatches.push(key);
  }
  const summary = `go.sum vs ADOT's: ${matched} entries match, ${mismatches.length} differ, ${unvouched.length} not in ADOT's go.sum${unvouched.length ? ` (${unvouched.join(', ')})` : ''}`;
  return { matched, unvouched, mismatches, summary };
}
