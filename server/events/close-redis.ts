/** How long a Redis client may take to flush its pending commands at shutdown: 2 s. */
export const REDIS_CLOSE_DEADLINE_MS = 2_000;

/** The part of a node-redis client that shutting it down needs. */
interface ClosableRedis {
  close(): Promise<void>;
  destroy(): void;
  isOpen: boolean;
}

/**
 * Closes a node-redis client, letting pending commands finish for at most `deadlineMs`
 * (ms), then destroys it: a Redis that stopped answering (or a reconnecting client whose
 * queued QUIT never goes out) must not hold shutdown up for ever. Never throws.
 */
export async function closeRedis(client: ClosableRedis, deadlineMs = REDIS_CLOSE_DEADLINE_MS): Promise<void> {
  if (!client.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  await Promise.race([client.close().catch(() => {}), deadline]);
  clearTimeout(timer);
  if (client.isOpen) client.destroy();
}
