// The part of jstat (a CommonJS package without bundled types) that report/statistics.ts uses.
declare module 'jstat' {
  const jstat: { jStat: { normal: { inv(p: number, mean: number, std: number): number } } };
  export default jstat;
}
