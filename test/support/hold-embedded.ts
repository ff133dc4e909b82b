// Starts the embedded PostgreSQL of DATA_DIR (argv[2]) and holds it, as a service would, until
// killed: the process tests kill -9 it to leave an orphan behind.
import { startPersistentEmbedded } from '../../src/database/embedded';

startPersistentEmbedded({ dataDir: process.argv[2] }).then(
  (db) => {
    console.log(`ready ${db.port}`);
    setInterval(() => undefined, 60_000);
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
