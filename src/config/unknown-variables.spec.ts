import { closestVariable, knownVariables, unknownVariableWarnings } from './app-config';

describe('unknown environment variables', () => {
  it('knows every variable the config validates', () => {
    expect(knownVariables()).toEqual(expect.arrayContaining(['DATABASE_URL', 'TWILIO_FROM', 'SMTP_URL', 'SHUTDOWN_GRACE_MS', 'EMBEDDED_PG_PORT', 'HOST', 'PORT']));
  });

  it('warns once per unknown variable with one of our prefixes, naming the closest known one', () => {
    const lines = unknownVariableWarnings({
      TWILIO_FROM_NUMBER: '+14155550100',
      SMTP_URI: 'smtp://x',
      JWT_SECERT: 'x'.repeat(40),
      DATABASE_POOL_SIZE: '5',
      ESCALATE_URGENT_AFTER_MINS: '10',
      S3_BUCKET_NAME: 'b',
      TWILIO_FROM: '+14155550100',
      PATH: '/usr/bin',
      HOSTNAME: 'box',
      HOME: '/root',
    });
    expect(lines).toEqual([
      'Unknown environment variable DATABASE_POOL_SIZE is ignored: did you mean DATABASE_POOL_MAX?',
      'Unknown environment variable ESCALATE_URGENT_AFTER_MINS is ignored: did you mean ESCALATE_URGENT_AFTER_MINUTES?',
      'Unknown environment variable JWT_SECERT is ignored: did you mean JWT_SECRET?',
      'Unknown environment variable S3_BUCKET_NAME is ignored: did you mean S3_BUCKET?',
      'Unknown environment variable SMTP_URI is ignored: did you mean SMTP_URL?',
      'Unknown environment variable TWILIO_FROM_NUMBER is ignored: did you mean TWILIO_FROM?',
    ]);
  });

  it('says nothing when every variable is known or not ours', () => {
    expect(unknownVariableWarnings({ DATABASE_URL: 'postgres://x/y', PORT: '3000', HOSTNAME: 'box', NODE_ENV: 'production' })).toEqual([]);
  });

  it('suggests nothing far-fetched', () => {
    expect(closestVariable('SMTP_TLS_CA_BUNDLE')).toBeNull();
  });
});
