/** The `layer-lens train` options of the user-code path (cli-train-script.ts), for the usage text. */
export const SCRIPT_USAGE = `    --script <file>           run this program (your own training code) with the instrumentation preloaded;
                              the default when the file calls fit/fitDataset/trainOnBatch/minimize and no --dataset is given
    --node <path>             the Node.js that runs the program (default: the one running layer-lens)
    --transpiler <t>          auto (default), esbuild or typescript: how a TypeScript program is transpiled
    --no-stop-on-nan          let the program go on after a NaN loss
    -- <args…>                arguments passed to the program
    With your own code, --steps N ends the program after N optimizer steps; the program's own
    data, compile settings, epochs and callbacks are used. --activations-from probe|batch applies to
    its fit, fitDataset and trainOnBatch steps (batch: the training step's own forward pass, no extra
    pass); a custom loop (minimize) gets gradient statistics but no activation statistics.`;
