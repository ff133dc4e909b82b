/**
 * The one-way arrows of src/ (`npm run deps`, part of `npm test`). Each folder has a layer; a
 * file may import its own folder and folders on a LOWER layer, never a higher one and never a
 * sibling on the same layer. That makes a cycle between feature folders impossible, keeps
 * web/common/config/database free of features, and puts coordinating modules (triage, timeline,
 * patient-rights) above the features they join. ARCHITECTURE.md draws the same picture.
 */
const LAYERS = [
  ['web'], // page layout for the server-rendered patient pages
  ['common'], // Clock, errors, pagination, principal, validators
  ['config'],
  ['database'], // DataSource, embedded PostgreSQL, SQL helpers, the lease queue
  ['audit'], // every feature writes here; audit calls no feature
  ['protocols', 'photos'],
  ['rate-limits'],
  ['messaging', 'clinics'], // messaging: outbound only, knows nothing clinical
  ['auth', 'patients', 'on-call'],
  ['treatments'],
  ['check-ins', 'flags', 'signals', 'reports'],
  ['responses', 'adverse-events', 'courses'], // courses: a session with its follow-up (treatments + check-ins)
  ['patient-record'], // everything held about a patient, read through its owners (timeline, patient rights)
  ['triage', 'timeline', 'patient-rights', 'health', 'console'],
];

const layerOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank])));
const esc = (s) => s.replace(/[-]/g, '\\-');

const layerRules = [...layerOf.keys()].map((folder) => {
  const rank = layerOf.get(folder);
  const notBelow = [...layerOf.keys()].filter((f) => f !== folder && layerOf.get(f) >= rank);
  return {
    name: `layer-${folder}`,
    comment: `src/${folder} (layer ${rank}) may import only folders on a lower layer`,
    severity: 'error',
    from: { path: `^src/${esc(folder)}/` },
    to: { path: `^src/(${notBelow.map(esc).join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no import cycle, not even inside a folder',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-into-test',
      comment: 'shipped code never imports test code',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'unknown-folder',
      comment: 'a new folder under src/ needs a layer in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/(${[...layerOf.keys()].map(esc).join('|')})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

