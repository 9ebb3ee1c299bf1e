/** Resolves when `promise` does, or fails with `message` after 5 s (never a long hang). */
export function within<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), 5_000);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
