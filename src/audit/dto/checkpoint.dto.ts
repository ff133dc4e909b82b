import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CheckpointRef, ChainReport, ChainStatus } from '../chain-verifier.service';
import type { ListedCheckpoint, StoredCheckpoint } from '../audit-rows';
import { ACTOR_TYPES } from '../../common/actor';

/** A signed checkpoint; without its id it is the self-contained export `audit:verify --checkpoint` takes. */
export class CheckpointDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ description: 'The signed head: its place in the chain (a bigint, as a string)', example: '17' }) clinicSeq: string;
  @ApiProperty({ description: "The signed head's hash (SHA-256, hex)" }) headHash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Ed25519 signature, base64' }) signature: string;
  @ApiProperty({ description: 'The public key that verifies it (PEM)' }) publicKey: string;
}

/** The export alone: `{ clinicId, clinicSeq, headHash, createdAt, signature, publicKey }`, what `audit:verify --checkpoint` takes. */
export class ExportedCheckpointDto {
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ example: '17' }) clinicSeq: string;
  @ApiProperty() headHash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Ed25519 signature, base64' }) signature: string;
  @ApiProperty({ description: 'PEM' }) publicKey: string;
}

/** Who had a checkpoint signed. */
export class CheckpointActorDto {
  @ApiProperty({ enum: ACTOR_TYPES, description: 'system: the scheduled pass' }) actorType: string;
  @ApiProperty({ type: String, nullable: true }) actorId: string | null;
  @ApiProperty({ type: String, nullable: true, description: "A staff member's name" }) name: string | null;
}

/** A checkpoint in the list: the export, its id, and who had it signed. */
export class ListedCheckpointDto extends CheckpointDto {
  @ApiProperty({ type: CheckpointActorDto, nullable: true, description: "The actor of the checkpoint's own audit event; null: not found" }) createdBy: CheckpointActorDto | null;
}

/** The key this service signs checkpoints with, and how to verify offline. */
export class SigningKeyDto {
  @ApiProperty({ type: String, nullable: true, description: 'PEM (SPKI, Ed25519); null: no key configured yet' }) publicKey: string | null;
  @ApiProperty({ description: 'The CLI command that verifies the chain against a downloaded checkpoint and this key', example: 'npm run cli -- audit:verify --clinic … --checkpoint checkpoint.json --public-key audit-public-key.pem' })
  verifyCommand: string;
}

/** The checkpoint a verification was checked against. */
export class CheckpointRefDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Absent for a checkpoint given on the command line' }) id?: string;
  @ApiProperty() clinicSeq: string;
  @ApiProperty() headHash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() publicKey: string;
}

/** The result of walking the clinic's chain and checking it against its latest signed checkpoint. */
export class RecordedHeadDto {
  @ApiProperty() seq: string;
  @ApiProperty() hash: string;
}

export class ChainReportDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ enum: ['ok', 'broken', 'truncated', 'unverifiable_truncation'], description: 'unverifiable_truncation: no trusted key, so a cut chain cannot be told from a whole one' }) status: ChainStatus;
  @ApiProperty({ description: 'Events in the whole stored chain' }) count: number;
  @ApiProperty({ type: String, nullable: true }) headSeq: string | null;
  @ApiProperty({ type: String, nullable: true }) headHash: string | null;
  @ApiPropertyOptional({ description: 'The clinic sequence number where the chain breaks' }) brokenAt?: string;
  @ApiPropertyOptional({ description: 'Why it is not ok: altered, missing, out of order, truncated, payload altered, checkpoint mismatch, …' }) reason?: string;
  @ApiPropertyOptional({ type: CheckpointRefDto, nullable: true, description: 'null: the clinic has no checkpoint yet' }) checkpoint?: CheckpointRefDto | null;
  @ApiPropertyOptional({ type: RecordedHeadDto, nullable: true, description: 'The head the service recorded with its last append; events missing below it are a cut' }) recordedHead?: RecordedHeadDto | null;
  @ApiPropertyOptional({ description: 'How many signed checkpoints were checked as prefixes of the chain' }) checkpointsChecked?: number;
  @ApiPropertyOptional({ description: 'Payloads blanked by erasure among the events checked' }) redactedPayloads?: number;
  @ApiProperty({ type: Boolean, nullable: true, description: "The checkpoint is signed by this service's key; null: no checkpoint or no key to judge by" })
  checkpointSignedByConfiguredKey: boolean | null;
}

export function toCheckpointDto(c: StoredCheckpoint): CheckpointDto {
  return { id: c.id, clinicId: c.clinicId, clinicSeq: c.clinicSeq, headHash: c.headHash, createdAt: c.createdAt, signature: c.signature, publicKey: c.publicKey };
}

export function toListedCheckpointDto(c: ListedCheckpoint): ListedCheckpointDto {
  return { ...toCheckpointDto(c), createdBy: c.createdBy };
}

export function toExportedCheckpointDto(c: StoredCheckpoint): ExportedCheckpointDto {
  return { clinicId: c.clinicId, clinicSeq: c.clinicSeq, headHash: c.headHash, createdAt: c.createdAt, signature: c.signature, publicKey: c.publicKey };
}

function toCheckpointRefDto(c: CheckpointRef): CheckpointRefDto {
  return { clinicSeq: c.clinicSeq, headHash: c.headHash, createdAt: c.createdAt, publicKey: c.publicKey, ...(c.id ? { id: c.id } : {}) };
}

export function toChainReportDto(r: ChainReport, checkpointSignedByConfiguredKey: boolean | null): ChainReportDto {
  return {
    ok: r.ok,
    status: r.status,
    count: r.count,
    headSeq: r.headSeq,
    headHash: r.headHash,
    ...(r.brokenAt !== undefined ? { brokenAt: r.brokenAt } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.checkpoint !== undefined ? { checkpoint: r.checkpoint && toCheckpointRefDto(r.checkpoint) } : {}),
    ...(r.recordedHead !== undefined ? { recordedHead: r.recordedHead } : {}),
    ...(r.checkpointsChecked !== undefined ? { checkpointsChecked: r.checkpointsChecked } : {}),
    ...(r.redactedPayloads !== undefined ? { redactedPayloads: r.redactedPayloads } : {}),
    checkpointSignedByConfiguredKey,
  };
}
