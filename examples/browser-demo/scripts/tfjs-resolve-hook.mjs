// A Node module-resolution hook for the model generator only: tfjs-core's ESM files (its
// gradients) import siblings without the `.js` extension, which bundlers accept and Node does
// not. For imports from inside @tensorflow packages, try `<specifier>.js` first.
export async function resolve(specifier, context, next) {
  if (
    context.parentURL?.includes('/@tensorflow/') &&
    /^\.\.?\//.test(specifier) &&
    !/\.[cm]?js(on)?$/.test(specifier)
  ) {
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      // not a file: fall through (a directory with an index, say)
    }
  }
  return next(specifier, context);
}
