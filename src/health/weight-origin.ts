/**
 * Whether a program's code can put trained weights into its model: loading a saved model
 * (`tf.loadLayersModel`, `loadGraphModel`), setting or loading weights (`setWeights`,
 * `loadWeights`), or taking layers from another model (`otherModel.getLayer(…)`,
 * `otherModel.layers[…]`). A frozen layer of such a program may hold pretrained weights, so
 * freezing it is a deliberate choice; a frozen layer of a program that does none of these
 * keeps its random initial weights for the whole run.
 *
 * A textual test on purpose: it has to answer for the program's whole source (helpers
 * included), and a false "loaded" only keeps the old, milder severity.
 */
const WEIGHT_SOURCES: readonly RegExp[] = [
  /\bload(Layers|Graph)Model\s*\(/,
  /\.setWeights\s*\(/,
  /\.loadWeights\s*\(/,
  /\bio\.(browserFiles|fileSystem|http)\s*\(/,
  /\.getLayer\s*\(/,
  /\.layers\s*\[/,
];

/** True when the source has a way to bring trained weights into a model. */
export function canLoadWeights(source: string): boolean {
  return WEIGHT_SOURCES.some((re) => re.test(source));
}
