// Each jest worker uses its own clone of the migrated template database.
const url = new URL(process.env.AFTERCARE_TEST_DATABASE_URL);
url.pathname = `${url.pathname}_w${process.env.JEST_WORKER_ID || '1'}`;
process.env.DATABASE_URL = url.toString();
