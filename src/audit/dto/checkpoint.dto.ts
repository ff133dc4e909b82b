import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CheckpointRef, ChainReport } from '../audit.service';
import { StoredCheckpoint } from '../checkpoints.service';

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

/** The checkpoint a verification was checked against. */
export class CheckpointRefDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Absent for a checkpoint given on the command line' }) id?: string;
  @ApiProperty() clinicSeq: string;
  @ApiProperty() headHash: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() publicKey: string;
}

/** The result of walking the clinic's chain and checking it against its latest signed checkpoint. */
export class ChainReportDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({
    enum: ['ok', 'broken', 'truncated', 'unverifiable_truncation'],
    description: 'unverifiable_truncation: the events chain, but without a trusted key nothing vouches that none were cut from the end (not ok)',
  })
  status: 'ok' | 'broken' | 'truncated' | 'unverifiable_truncation';
  @ApiProperty({ description: "Events in the clinic's chain as stored (all of them, also when the walk stopped early)" }) count: number;
  @ApiProperty({ type: String, nullable: true }) headSeq: string | null;
  @ApiProperty({ type: String, nullable: true }) headHash: string | null;
  @ApiPropertyOptional({ description: 'The clinic sequence number where the chain breaks' }) brokenAt?: string;
  @ApiPropertyOptional({ description: 'Why it is not ok: altered, missing, out of order, truncated, payload altered, checkpoint mismatch, …' }) reason?: string;
  @ApiPropertyOptional({ type: CheckpointRefDto, nullable: true, description: 'null: the clinic has no checkpoint yet' }) checkpoint?: CheckpointRefDto | null;
  @ApiPropertyOptional({ type: Object, nullable: true, description: 'The head the service recorded with its last append ({ seq, hash }); events missing below it are a cut' })
  recordedHead?: { seq: string; hash: string } | null;
  @ApiPropertyOptional({ description: 'How many stored checkpoints (valid, trusted signature) were checked as prefixes of the chain' }) checkpointsChecked?: number;
  @ApiPropertyOptional({ description: 'Payloads blanked by erasure among the events checked' }) redactedPayloads?: number;
  @ApiProperty({ type: Boolean, nullable: true, description: "The checkpoint is signed by this service's key; null: no checkpoint or no key to judge by" })
  checkpointSignedByConfiguredKey: boolean | null;
}

export function toCheckpointDto(c: StoredCheckpoint): CheckpointDto {
  return { id: c.id, clinicId: c.clinicId, clinicSeq: c.clinicSeq, headHash: c.headHash, createdAt: c.createdAt, signature: c.signature, publicKey: c.publicKey };
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
