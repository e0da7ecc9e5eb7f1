import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy to `target` (host:port) that can fail in two ways, for outage tests that
 * never touch the shared server:
 * - `stall()` stops reading from every client, present and future, so requests reach
 *   nothing and no answer comes back while connections stay open (a Redis that accepts
 *   but never answers); `resume()` lets the held bytes through;
 * - `refuse()` closes every connection and the port (a Redis that is gone: connections
 *   are refused); `listenAgain()` opens the same port again.
 */
export interface StallingProxy {
  url: string;
  stall(): void;
  resume(): void;
  refuse(): Promise<void>;
  listening(): boolean;
  listenAgain(): Promise<void>;
  close(): Promise<void>;
}

export async function startStallingProxy(targetUrl: string): Promise<StallingProxy> {
  const target = new URL(targetUrl);
  const clients = new Set<Socket>();
  let stalled = false;
  const server: Server = createServer((client) => {
    clients.add(client);
    const upstream = connect(Number(target.port || 6379), target.hostname);
    client.pipe(upstream).pipe(client);
    if (stalled) client.pause();
    const drop = () => {
      clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  await listen(0);
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      for (const client of clients) client.destroy();
      server.close(() => resolve());
    });
  return {
    url: `redis://127.0.0.1:${port}`,
    stall() {
      stalled = true;
      for (const client of clients) client.pause();
    },
    resume() {
      stalled = false;
      for (const client of clients) client.resume();
    },
    refuse: close,
    listening: () => server.listening,
    listenAgain: () => listen(port),
    close: () => (server.listening ? close() : Promise.resolve()),
  };
}
