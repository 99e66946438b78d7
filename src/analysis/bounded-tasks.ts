// Runs tasks with at most `limit` at once and stops at the first failure: the speech windows of an analysis go to a
// recogniser that may run several decoders side by side, while the next window is being cut.

export class BoundedTasks {
  private readonly running = new Set<Promise<void>>();
  private failed = false;
  private failure: unknown;

  constructor(private readonly limit: number) {}

  /** Start `task`; waits while `limit` tasks run. False once any task has failed: stop adding, then drain(). */
  async add(task: () => Promise<void>): Promise<boolean> {
    const run: Promise<void> = task()
      .catch((err) => {
        if (!this.failed) [this.failed, this.failure] = [true, err];
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
    if (this.running.size >= Math.max(1, this.limit)) await Promise.race(this.running);
    return !this.failed;
  }

  /** Wait for every task started; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failed) throw this.failure;
  }
}
