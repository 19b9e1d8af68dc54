import { QueueLoop } from './queue-loop';

/** A loop over an in-memory queue whose items finish when the test says. */
class TestLoop extends QueueLoop<string> {
  readonly queue: string[] = [];
  readonly open = new Map<string, () => void>();
  readonly handled: string[] = [];

  constructor(concurrency: number) {
    super('TestLoop', concurrency, 20);
  }

  protected async claim(limit: number): Promise<string[]> {
    return this.queue.splice(0, limit);
  }

  protected handle(item: string): Promise<void> {
    this.handled.push(item);
    return new Promise((resolve) => this.open.set(item, () => (this.open.delete(item), resolve())));
  }

  finish(item: string): void {
    this.open.get(item)!();
  }
}

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

describe('QueueLoop hand-over', () => {
  let loop: TestLoop;
  afterEach(async () => {
    for (const item of [...loop.open.keys()]) loop.finish(item);
    await loop.stop();
  });

  it('reserves only free slots, and claims nothing into a slot promised to a hand-over', async () => {
    loop = new TestLoop(3);
    loop.start();
    loop.queue.push('claimed-1');
    loop.wake();
    await tick();
    expect(loop.busy).toBe(1);
    expect(loop.reserve(5)).toBe(2);
    expect(loop.reserve(1)).toBe(0);
    // Work waiting in the table stays there while every slot is busy or promised.
    loop.queue.push('claimed-2');
    loop.wake();
    await tick();
    expect(loop.handled).toEqual(['claimed-1']);

    loop.adopt('handed-1');
    expect(loop.busy).toBe(2);
    // The unused promise is given back: the waiting item is claimed into it.
    loop.release(1);
    await tick();
    expect(loop.handled).toEqual(['claimed-1', 'handed-1', 'claimed-2']);
    expect(loop.busy).toBe(3);
    expect(loop.reserve(1)).toBe(0);

    loop.finish('handed-1');
    await tick();
    expect(loop.reserve(1)).toBe(1);
    loop.release(1);
  });

  it('promises nothing once stopped', async () => {
    loop = new TestLoop(2);
    loop.start();
    await loop.stop();
    expect(loop.reserve(1)).toBe(0);
  });

  it('still claims when every slot was promised and then given back with nothing in flight', async () => {
    loop = new TestLoop(1);
    loop.start();
    expect(loop.reserve(1)).toBe(1);
    loop.queue.push('waiting');
    loop.wake();
    await tick();
    expect(loop.handled).toEqual([]);
    loop.release(1);
    await tick();
    expect(loop.handled).toEqual(['waiting']);
  });
});
