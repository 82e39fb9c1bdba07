// Renders a Vega-Lite spec to an SVG string in Node: vega-lite compiles it to a Vega spec, vega runs the
// dataflow headless (renderer 'none': no DOM, no canvas) and serialises the scenegraph as SVG. The only
// module that imports vega or vega-lite. Data must be inline: the loader refuses every URL and file, so a
// spec can never make the report touch the network or the disk. Called by html.ts.

import { View, parse, loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

// A loader that loads nothing (every plot's data is inline values).
const NO_LOADING = loader();
NO_LOADING.load = async (uri: string) => {
  throw new Error(`report plots load no data (${uri}): pass values inline`);
};

// The SVG of `spec` (one <svg> element, fixed size, white background).
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile(spec);
  const view = new View(parse(vegaSpec), { renderer: 'none', loader: NO_LOADING });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
