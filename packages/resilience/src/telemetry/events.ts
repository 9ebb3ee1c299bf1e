/**
 * Internal typed event emitter. Listeners run synchronously; a listener that throws is
 * isolated (its error is dropped) so that observing a policy can never change its outcome.
 */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Array<(event: never) => void>>();

  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as (event: never) => void);
    this.listeners.set(name, list);
    return () => {
      const current = this.listeners.get(name);
      if (!current) return;
      const index = current.indexOf(listener as (event: never) => void);
      if (index !== -1) current.splice(index, 1);
    };
  }

  has(name: keyof Events): boolean {
    const list = this.listeners.get(name);
    return list !== undefined && list.length > 0;
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const list = this.listeners.get(name);
    if (list === undefined || list.length === 0) return;
    for (const listener of list.slice()) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch {
        // A listener cannot change an outcome: its error is deliberately dropped.
      }
    }
  }
}
