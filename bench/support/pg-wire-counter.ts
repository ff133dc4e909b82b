/**
 * A counting TCP proxy in front of PostgreSQL, for a bench to say how many statements the service
 * sends per unit of work without touching the service: every client message is passed on as it
 * is, and the proxy counts simple queries ('Q') and extended-protocol executions ('E'), each one
 * statement (BEGIN and COMMIT included). It adds a hop, so a run that counts is not the run that
 * times (BENCH_COUNT_STATEMENTS=1 in the dispatch bench).
 */
import net from 'node:net';

export interface WireCounter {
  /** DATABASE_URL through the proxy. */
  url: string;
  statements: () => number;
  close: () => Promise<void>;
}

export async function startWireCounter(databaseUrl: string): Promise<WireCounter> {
  const target = new URL(databaseUrl);
  let statements = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let buffered = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      for (;;) {
        if (!started) {
          // Startup (or SSLRequest): int32 length, no type byte.
          if (buffered.length < 4) break;
          const len = buffered.readInt32BE(0);
          if (buffered.length < len) break;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(len);
          if (code !== 80877103) started = true;
          continue;
        }
        if (buffered.length < 5) break;
        const len = buffered.readInt32BE(1);
        if (buffered.length < 1 + len) break;
        const type = String.fromCharCode(buffered[0]);
        if (type === 'Q' || type === 'E') statements++;
        buffered = buffered.subarray(1 + len);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const via = new URL(databaseUrl);
  via.hostname = '127.0.0.1';
  via.port = String((server.address() as net.AddressInfo).port);
  return {
    url: via.toString(),
    statements: () => statements,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
