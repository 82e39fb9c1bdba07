export { renderSummaryTable } from './table.js';
export { renderSummaryMarkdown } from './markdown.js';
export { renderSummaryCsv } from './csv.js';
export { reportRun, type RunReport } from './report-run.js';
