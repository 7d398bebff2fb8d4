/** Every training-health detector, one per file. */
import type { Detector } from '../detector';
import { deadRelu } from './dead-relu';
import { divergence } from './divergence';
import { explodingGradient } from './exploding-gradient';
import { inputScale } from './input-scale';
import { labelLoss } from './label-loss';
import { lossPlateau } from './loss-plateau';
import { overfitting } from './overfitting';
import { saturatedActivation } from './saturation';
import { unchangedWeights } from './unchanged-weights';
import { underfitting } from './underfitting';
import { updateRatio } from './update-ratio';
import { vanishingGradient } from './vanishing-gradient';

export const DETECTORS: readonly Detector[] = [
  inputScale,
  labelLoss,
  explodingGradient,
  divergence,
  unchangedWeights,
  vanishingGradient,
  deadRelu,
  saturatedActivation,
  updateRatio,
  lossPlateau,
  overfitting,
  underfitting,
];

export {
  deadRelu,
  divergence,
  explodingGradient,
  inputScale,
  labelLoss,
  lossPlateau,
  overfitting,
  saturatedActivation,
  unchangedWeights,
  underfitting,
  updateRatio,
  vanishingGradient,
};
