import { createServer, Server, Socket } from 'node:net';
import { AppConfig } from '../config/app-config';
import { FlagChangesService } from './flag-changes.service';

/** A "database" that takes the connection and never answers. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

describe('FlagChangesService: the listening connection', () => {
  it('gives up connecting to a database that never answers within its timeout, and tries again later', async () => {
    const { server, port, sockets } = await silentServer();
    const config = { databaseUrl: `postgres://u:p@127.0.0.1:${port}/db`, databaseRole: null } as unknown as AppConfig;
    const service = new FlagChangesService(config);
    service.connectTimeoutMs = 300;
    const warn = jest.spyOn((service as unknown as { logger: { warn: (m: string) => void } }).logger, 'warn').mockImplementation(() => undefined);
    try {
      const started = Date.now();
      await service.onModuleInit();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(sockets.length).toBeGreaterThan(0);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Listening for flag changes stopped \(.*timeout.*\); again in 500 ms$/i));
    } finally {
      await service.onApplicationShutdown();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
