// Maps a field path (['devices', 1, 'link', 'uplink', 'rate']) to its place in the YAML text
// (1-based line:col via yaml's LineCounter), and builds located issues from it.
// Used by parse.ts, rules.ts, normalise.ts and profiles.ts. Imports yaml and core's describeValue.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { describeValue } from '../core/index.js';
import type { TestbedIssue } from './types.js';

export type FieldPath = readonly (string | number)[];

// A parsed YAML file with what is needed to locate its nodes.
export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

// `devices[1].link.uplink.rate`; the empty path is `(root)`.
export function formatField(path: FieldPath): string {
  let field = '';
  for (const segment of path) field += typeof segment === 'number' ? `[${segment}]` : field ? `.${segment}` : segment;
  return field || '(root)';
}

function nodeAt(source: YamlSource, path: FieldPath): Node | null {
  const node = source.doc.getIn(path as (string | number)[], true);
  return node && typeof node === 'object' && 'range' in node ? (node as Node) : null;
}

function positionOfOffset(source: YamlSource, offset: number): { line: number; col: number } {
  const position = source.lineCounter.linePos(offset);
  return { line: position.line, col: position.col };
}

// The position of the value at `path`, or of its deepest existing ancestor when it is missing.
export function positionOf(source: YamlSource, path: FieldPath): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? source.doc.contents : nodeAt(source, path.slice(0, depth));
    if (node?.range) return positionOfOffset(source, node.range[0]);
  }
  return { line: 1, col: 1 };
}

// True when the user wrote a value at `path` (as opposed to it coming from a default).
export function hasValueAt(source: YamlSource, path: FieldPath): boolean {
  return source.doc.hasIn(path as (string | number)[]);
}

// The position of the key `key` of the map at `path` (for unknown keys).
export function keyPositionOf(source: YamlSource, path: FieldPath, key: string): { line: number; col: number } {
  const map = path.length === 0 ? source.doc.contents : nodeAt(source, path);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
        return positionOfOffset(source, pair.key.range[0]);
      }
    }
  }
  return positionOf(source, path);
}

// What the user wrote at `path`, for "got …" (the source text for scalars).
export function describeNodeAt(source: YamlSource, path: FieldPath): string {
  const node = path.length === 0 ? source.doc.contents : nodeAt(source, path);
  if (!node) return 'nothing';
  if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
  if (isMap(node)) return 'a map';
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    if (typeof node.value === 'string') return JSON.stringify(node.value);
    return describeValue(node.value);
  }
  return 'an unsupported YAML node';
}

// A located issue at the value of `path`.
export function issueAt(source: YamlSource, path: FieldPath, message: string): TestbedIssue {
  return { file: source.file, ...positionOf(source, path), field: formatField(path), message };
}

// `file:line:col field: message`, the one way an issue is printed.
export function formatIssue(issue: TestbedIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.field}: ${issue.message}`;
}
