/**
 * U+0000 in text. PostgreSQL cannot hold it in a text value at all: it refuses such a parameter
 * ("invalid byte sequence for encoding UTF8: 0x00"), where SQLite would store it or compare it.
 * So that both engines behave alike, nothing containing it is stored, and a filter value
 * containing it (which can then equal no stored value) matches nothing without reaching the
 * database.
 */
export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** Throws when any string field of a row about to be written contains U+0000. */
export function assertStorable(row: object, what: string): void {
  for (const [field, value] of Object.entries(row)) {
    if (typeof value === 'string' && hasNul(value)) {
      throw new Error(`${what}: ${field} contains the character U+0000, which cannot be stored.`);
    }
  }
}
