/** Clean-up that always finishes: every step runs even after one fails, then the first failure is thrown. */
export async function runAll(steps: Array<(() => Promise<unknown> | unknown) | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    if (!step) continue;
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}
