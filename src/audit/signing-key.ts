import { Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppConfig, ConfigError } from '../config/app-config';
import { canonicalJson } from './canonical-json';

export interface SigningKey {
  privateKey: KeyObject;
  /** PEM SPKI, stored with each checkpoint so an export verifies on its own. */
  publicKeyPem: string;
}

/** What a checkpoint signs, and what an export carries. */
export interface CheckpointFields {
  clinicId: string;
  clinicSeq: string;
  headHash: string;
  createdAt: string;
}
export interface ExportedCheckpoint extends CheckpointFields {
  signature: string;
  publicKey: string;
}

export function checkpointPayload(f: CheckpointFields): Buffer {
  return Buffer.from(canonicalJson({ clinicId: f.clinicId, clinicSeq: f.clinicSeq, headHash: f.headHash, createdAt: f.createdAt }), 'utf8');
}

export function signCheckpoint(f: CheckpointFields, key: SigningKey): ExportedCheckpoint {
  const signature = sign(null, checkpointPayload(f), key.privateKey).toString('base64');
  return { clinicId: f.clinicId, clinicSeq: f.clinicSeq, headHash: f.headHash, createdAt: f.createdAt, signature, publicKey: key.publicKeyPem };
}

/** True when the signature is the Ed25519 signature of the fields by the checkpoint's own public key. */
export function checkpointSignatureValid(cp: ExportedCheckpoint): boolean {
  try {
    const publicKey = createPublicKey(cp.publicKey);
    if (publicKey.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, checkpointPayload(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

function fromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  return { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * AUDIT_SIGNING_KEY when given (validated by loadConfig). Without it: on the embedded
 * database, one generated once and kept in DATA_DIR/audit-signing-key.pem (like the JWT
 * secret); otherwise an ephemeral key, with a warning.
 */
/** The signing key the configuration names (AUDIT_SIGNING_KEY, or the embedded database's key file), without making one. */
/** Whether two public keys (PEM) are the same key: both given, equal but for surrounding whitespace. */
export function sameKey(a: string | undefined | null, b: string | undefined | null): boolean {
  return !!a && !!b && a.trim() === b.trim();
}

export function configuredSigningKey(config: AppConfig): SigningKey | null {
  if (config.auditSigningKey) return fromPem(config.auditSigningKey);
  const file = path.join(config.dataDir, 'audit-signing-key.pem');
  return config.embeddedDatabase && existsSync(file) ? fromPem(readFileSync(file, 'utf8')) : null;
}

export function resolveSigningKey(config: AppConfig, logger: Logger): SigningKey {
  if (config.auditSigningKey) return fromPem(config.auditSigningKey);
  const fresh = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  if (config.embeddedDatabase) {
    const file = path.join(config.dataDir, 'audit-signing-key.pem');
    if (existsSync(file)) return fromPem(readFileSync(file, 'utf8'));
    const pem = fresh();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, pem, { mode: 0o600 });
    logger.log(`AUDIT_SIGNING_KEY is not set: generated an audit signing key in ${file}`);
    return fromPem(pem);
  }
  logger.warn('AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with a random key that ends with this process');
  return fromPem(fresh());
}

/**
 * The service refuses to start on a DATABASE_URL without AUDIT_SIGNING_KEY. A key generated per
 * process would make every restart (and every second instance) sign with a new key, which
 * verification must then report as "not signed by a trusted key": a restart mistaken for
 * tampering. Keeping a generated key in the database instead would hand it to whoever can cut
 * the chain. Only the embedded database (one process, its own DATA_DIR) keeps a generated key.
 */
export function requireAuditSigningKey(config: { databaseUrl?: string; auditSigningKey?: string }): void {
  if (config.databaseUrl && !config.auditSigningKey) {
    throw new ConfigError(
      'AUDIT_SIGNING_KEY is required with DATABASE_URL: audit checkpoints must be signed by one key that outlives restarts and is shared by every instance.\n' +
        '  Make one with `openssl genpkey -algorithm ed25519` and set it (PEM, or one line with \\n); give auditors its public half (`openssl pkey -pubout`).',
    );
  }
}
