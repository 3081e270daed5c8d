/** The losses one unpaired training step reports, sorted: the six generator terms and the discriminator's. */
export const STEP_LOSSES = [
  'adversarial',
  'artefactConsistency',
  'contentConsistency',
  'cycle',
  'discriminator',
  'identity',
  'reconstruction',
];
